// Forwarding header: the contents moved to <skew/model/message.hpp> (see docs/architecture.md).
#pragma once

#include <skew/model/message.hpp>

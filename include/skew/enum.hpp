// Forwarding header: the contents moved to <skew/model/enum.hpp> (see docs/architecture.md).
#pragma once

#include <skew/model/enum.hpp>

// Forwarding header: the contents moved to <skew/model/describe.hpp> (see docs/architecture.md).
#pragma once

#include <skew/model/describe.hpp>

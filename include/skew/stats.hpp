// Forwarding header: the contents moved to <skew/dispatch/stats.hpp> (see docs/architecture.md).
#pragma once

#include <skew/dispatch/stats.hpp>

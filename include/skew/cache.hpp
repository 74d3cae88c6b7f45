// Forwarding header: the contents moved to <skew/envelope/cache.hpp> (see docs/architecture.md).
#pragma once

#include <skew/envelope/cache.hpp>

// Forwarding header: the contents moved to <skew/envelope/format.hpp> (see docs/architecture.md).
#pragma once

#include <skew/envelope/format.hpp>

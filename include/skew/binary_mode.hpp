// Forwarding header: the contents moved to <skew/envelope/binary_mode.hpp> (see
// docs/architecture.md).
#pragma once

#include <skew/envelope/binary_mode.hpp>

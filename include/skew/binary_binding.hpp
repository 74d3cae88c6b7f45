// Forwarding header: the contents moved to <skew/envelope/binary_binding.hpp> (see
// docs/architecture.md).
#pragma once

#include <skew/envelope/binary_binding.hpp>

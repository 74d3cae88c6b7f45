// Forwarding header: value encoding moved to <skew/payload/encode.hpp>, envelopes to
// <skew/envelope/encode.hpp> (see docs/architecture.md).
#pragma once

#include <skew/envelope/encode.hpp>

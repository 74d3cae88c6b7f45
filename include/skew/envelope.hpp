// Forwarding header: the contents moved to <skew/envelope/peek.hpp> (see docs/architecture.md).
#pragma once

#include <skew/envelope/peek.hpp>

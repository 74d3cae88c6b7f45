// Forwarding header: the contents moved to <skew/dispatch/outcome.hpp> (see docs/architecture.md).
#pragma once

#include <skew/dispatch/outcome.hpp>

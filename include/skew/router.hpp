// Forwarding header: the contents moved to <skew/dispatch/router.hpp> (see docs/architecture.md).
#pragma once

#include <skew/dispatch/router.hpp>

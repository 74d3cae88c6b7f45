// Forwarding header: the contents moved to <skew/dispatch/handler.hpp> (see docs/architecture.md).
#pragma once

#include <skew/dispatch/handler.hpp>

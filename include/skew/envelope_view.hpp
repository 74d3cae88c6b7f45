// Forwarding header: the contents moved to <skew/envelope/view.hpp> (see docs/architecture.md).
#pragma once

#include <skew/envelope/view.hpp>

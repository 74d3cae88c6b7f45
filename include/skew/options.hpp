// Forwarding header: the contents moved to <skew/base/options.hpp> (see docs/architecture.md).
#pragma once

#include <skew/base/options.hpp>

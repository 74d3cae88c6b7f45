// Forwarding header: the contents moved to <skew/base/error.hpp> (see docs/architecture.md).
#pragma once

#include <skew/base/error.hpp>

// Forwarding header: the contents moved to <skew/base/result.hpp> (see docs/architecture.md).
#pragma once

#include <skew/base/result.hpp>

// Forwarding header: the contents moved to <skew/model/variant.hpp> (see docs/architecture.md).
#pragma once

#include <skew/model/variant.hpp>

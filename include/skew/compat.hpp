// Forwarding header: the contents moved to <skew/evolve/compat.hpp> (see docs/architecture.md).
#pragma once

#include <skew/evolve/compat.hpp>

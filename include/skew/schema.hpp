// Forwarding header: the contents moved to <skew/evolve/schema.hpp> (see docs/architecture.md).
#pragma once

#include <skew/evolve/schema.hpp>

// Forwarding header: the contents moved to <skew/evolve/testing.hpp> (see docs/architecture.md).
#pragma once

#include <skew/evolve/testing.hpp>

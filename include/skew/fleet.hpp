// Forwarding header: the contents moved to <skew/rollout/fleet.hpp> (see docs/architecture.md).
#pragma once

#include <skew/rollout/fleet.hpp>

// Forwarding header: the contents moved to <skew/rollout/fleet_follower.hpp> (see
// docs/architecture.md).
#pragma once

#include <skew/rollout/fleet_follower.hpp>

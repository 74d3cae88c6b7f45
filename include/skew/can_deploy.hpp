// Forwarding header: the contents moved to <skew/rollout/can_deploy.hpp> (see
// docs/architecture.md).
#pragma once

#include <skew/rollout/can_deploy.hpp>

// Forwarding header: the contents moved to <skew/rollout/emitter.hpp> (see docs/architecture.md).
#pragma once

#include <skew/rollout/emitter.hpp>

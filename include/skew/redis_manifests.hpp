// Forwarding header: the contents moved to <skew/adapters/redis/manifests.hpp> (see
// docs/architecture.md).
#pragma once

#include <skew/adapters/redis/manifests.hpp>

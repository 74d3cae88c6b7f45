// Forwarding header: the contents moved to <skew/adapters/redis/streams.hpp> (see
// docs/architecture.md).
#pragma once

#include <skew/adapters/redis/streams.hpp>

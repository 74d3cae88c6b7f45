// Forwarding header: the contents moved to <skew/adapters/redis/connection.hpp> (see
// docs/architecture.md).
#pragma once

#include <skew/adapters/redis/connection.hpp>

// The Redis Streams add-on (target skew::redis, needs hiredis): the stream consumer and producer,
// and the fleet's manifests and heartbeats kept in Redis.
#pragma once

#include <skew/adapters/redis/manifests.hpp>
#include <skew/adapters/redis/streams.hpp>

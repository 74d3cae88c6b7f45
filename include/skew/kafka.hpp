// Forwarding header: the contents moved to <skew/adapters/kafka.hpp> (see docs/architecture.md).
#pragma once

#include <skew/adapters/kafka.hpp>

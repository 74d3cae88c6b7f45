// Forwarding header: the contents moved to <skew/adapters/broker.hpp> (see docs/architecture.md).
#pragma once

#include <skew/adapters/broker.hpp>

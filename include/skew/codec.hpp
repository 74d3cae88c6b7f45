// Forwarding header: the contents moved to <skew/model/codec.hpp> (see docs/architecture.md).
#pragma once

#include <skew/model/codec.hpp>

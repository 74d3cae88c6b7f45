// Forwarding header: the contents moved to <skew/payload/decoder.hpp> (see docs/architecture.md).
#pragma once

#include <skew/payload/decoder.hpp>

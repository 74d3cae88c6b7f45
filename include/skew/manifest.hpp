// Forwarding header: the contents moved to <skew/model/manifest.hpp> (see docs/architecture.md).
#pragma once

#include <skew/model/manifest.hpp>

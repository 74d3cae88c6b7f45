// The library version, for feature checks in code that must build against several skew releases.
#pragma once

#define SKEW_VERSION_MAJOR 0
#define SKEW_VERSION_MINOR 2
#define SKEW_VERSION_PATCH 0
#define SKEW_VERSION (SKEW_VERSION_MAJOR * 10000 + SKEW_VERSION_MINOR * 100 + SKEW_VERSION_PATCH)

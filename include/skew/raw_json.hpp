// Forwarding header: the contents moved to <skew/model/raw_json.hpp> (see docs/architecture.md).
#pragma once

#include <skew/model/raw_json.hpp>

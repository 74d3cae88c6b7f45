// Forwarding header: the contents moved to <skew/model/unknown_fields.hpp> (see
// docs/architecture.md).
#pragma once

#include <skew/model/unknown_fields.hpp>

// Forwarding header: the contents moved to <skew/model/field.hpp> (see docs/architecture.md).
#pragma once

#include <skew/model/field.hpp>

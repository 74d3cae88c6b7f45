// The one place skew includes fmt. fmt/format.h, not fmt/core.h: since fmt 11 core.h no longer
// provides fmt::format, nor the format() of the formatter<string_view> that skew's formatters
// derive from.
#pragma once

#include <fmt/format.h>

// The one place skew includes simdjson, and the mapping of its error codes onto skew::errc.
#pragma once

#include <simdjson.h>

#include <skew/error.hpp>

namespace skew::detail {

// What stage 1 reports (the only part of simdjson skew runs): invalid UTF-8, an input too long
// for a parser, and otherwise text that is not JSON (an unclosed string, a raw control
// character).
constexpr errc map_simdjson_error(simdjson::error_code e) noexcept {
  switch (e) {
    case simdjson::UTF8_ERROR:
      return errc::invalid_utf8;
    case simdjson::CAPACITY:
      return errc::too_large;
    default:
      return errc::malformed_json;
  }
}

}  // namespace skew::detail

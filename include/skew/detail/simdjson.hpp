// The one place skew includes simdjson, and the mapping of its error codes onto skew::errc.
#pragma once

#include <simdjson.h>

#include <skew/error.hpp>

namespace skew::detail {

constexpr errc map_simdjson_error(simdjson::error_code e) noexcept {
  switch (e) {
    case simdjson::UTF8_ERROR:
      return errc::invalid_utf8;
    case simdjson::DEPTH_ERROR:
      return errc::too_deep;
    case simdjson::CAPACITY:
      return errc::too_large;
    case simdjson::INCORRECT_TYPE:
      return errc::wrong_type;
    case simdjson::NUMBER_OUT_OF_RANGE:
      return errc::out_of_range;
    case simdjson::TRAILING_CONTENT:
      return errc::trailing_content;
    default:
      return errc::malformed_json;
  }
}

}  // namespace skew::detail

// The one place skew includes simdjson, and the mapping of its error codes onto skew::errc.
#pragma once

#include <simdjson.h>

#include <skew/error.hpp>

namespace skew::detail {

namespace od = simdjson::ondemand;

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

// The token a value starts with, plus whitespace up to the next token; never consumes the value.
inline std::string_view peek_token(od::value& v) noexcept {
  return v.raw_json_token();
}
inline std::string_view peek_token(od::document& d) noexcept {
  std::string_view token;
  if (d.raw_json_token().get(token) != simdjson::SUCCESS) return {};
  return token;
}

}  // namespace skew::detail

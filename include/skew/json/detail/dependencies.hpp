// The one file that names simdjson, skew's one third-party dependency below the add-ons: the
// padded input types, stage 1's status codes and their mapping onto skew::errc, and UTF-8
// validation. Everything else in skew uses these names, so a change between simdjson releases is
// a change here.
#pragma once

#include <simdjson.h>

#include <skew/base/errc.hpp>

#include <cstddef>

namespace skew::detail {

// Input with input_padding readable bytes past its end, which the decoder and router read in
// place (a std::string_view is copied into a padded buffer first).
using padded_view = simdjson::padded_string_view;
using padded_string = simdjson::padded_string;
inline constexpr std::size_t input_padding = simdjson::SIMDJSON_PADDING;

// What stage 1 reports, in simdjson's codes, so that its errors are simdjson's for the same text.
using stage1_status = simdjson::error_code;
namespace stage1 {
inline constexpr stage1_status success = simdjson::SUCCESS;
inline constexpr stage1_status too_long = simdjson::CAPACITY;
inline constexpr stage1_status unclosed_string = simdjson::UNCLOSED_STRING;
inline constexpr stage1_status unescaped_chars = simdjson::UNESCAPED_CHARS;
inline constexpr stage1_status empty = simdjson::EMPTY;
inline constexpr stage1_status utf8_error = simdjson::UTF8_ERROR;
}  // namespace stage1

// Whether [data, data + size) is valid UTF-8 (simdjson's runtime-selected kernel).
inline bool valid_utf8(const char* data, std::size_t size) noexcept {
  return simdjson::validate_utf8(data, size);
}

// Invalid UTF-8, an input too long for a parser, and otherwise text that is not JSON (an unclosed
// string, a raw control character).
constexpr errc map_stage1_error(stage1_status e) noexcept {
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

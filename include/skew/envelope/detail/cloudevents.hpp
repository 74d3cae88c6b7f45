// CloudEvents 1.0 attribute types in the JSON format: `time` a Timestamp (RFC 3339),
// `datacontenttype` a media type (RFC 2046), `dataschema` a URI-reference (RFC 3986), `subject` a
// String, and every extension a String, a Boolean or an Integer (-2^31 to 2^31-1). Shared by the
// header reader and the envelope writer.
#pragma once

#include <skew/base/detail/hex.hpp>
#include <skew/base/detail/rfc3339.hpp>
#include <skew/base/error.hpp>
#include <skew/envelope/format.hpp>
#include <skew/envelope/view.hpp>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace skew::detail {

// RFC 2045 `token`: printable US-ASCII but space and tspecials; one bit per ASCII byte, so that
// a media type costs a load per character.
struct media_token_table {
  std::uint64_t bits[2]{};
  constexpr media_token_table() {
    for (int c = '!'; c < 127; ++c) bits[c / 64] |= std::uint64_t{1} << (c % 64);
    for (const char special : std::string_view("()<>@,;:\\\"/[]?=")) {
      const auto u = static_cast<unsigned char>(special);
      bits[u / 64] &= ~(std::uint64_t{1} << (u % 64));
    }
  }
};
inline constexpr media_token_table media_token_chars{};
constexpr bool media_token_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u < 128 && ((media_token_chars.bits[u / 64] >> (u % 64)) & 1u) != 0;
}
static_assert(media_token_char('a') && media_token_char('+') && media_token_char('~') &&
              !media_token_char('/') && !media_token_char(' ') && !media_token_char('"') &&
              !media_token_char('\x7f') && !media_token_char('\x80'));

// `type "/" subtype`, then parameters after a `;` (whose syntax is the type's business).
constexpr bool is_media_type(std::string_view s) noexcept {
  std::size_t k = 0;
  auto token = [&] {
    const std::size_t first = k;
    while (k < s.size() && media_token_char(s[k])) ++k;
    return k > first;
  };
  if (!token() || k >= s.size() || s[k] != '/') return false;
  ++k;
  if (!token()) return false;
  while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) ++k;
  return k == s.size() || s[k] == ';';
}

// A non-empty RFC 3986 URI-reference, checked by its characters: unreserved, reserved and
// percent-encoded octets only (no spaces, controls, quotes, angle brackets or non-ASCII).
constexpr bool is_uri_reference(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (std::size_t k = 0; k < s.size(); ++k) {
    const char c = s[k];
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    const bool reserved = std::string_view(":/?#[]@!$&'()*+,;=").find(c) != std::string_view::npos;
    if (c == '%') {
      if (k + 2 >= s.size() || hex_digit(s[k + 1]) < 0 || hex_digit(s[k + 2]) < 0) {
        return false;
      }
      k += 2;
    } else if (!unreserved && !reserved) {
      return false;
    }
  }
  return true;
}

// The control characters no CloudEvents String may hold: U+0000-U+001F and U+007F-U+009F (in
// UTF-8, C2 80 to C2 9F for the second range past U+007F).
constexpr bool has_control_character(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u < 0x20 || u == 0x7f) return true;
    if (u == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      return true;
    }
  }
  return false;
}

// The type rule an attribute's value breaks, or errc{} when it keeps them. `a` is not null; the
// context attributes the header reader checks itself (specversion, id, source, type, the version
// key) and the payload are not passed here; every String's control characters are checked by
// has_control_character.
inline errc cloudevents_attribute_error(const envelope_attribute& a) noexcept {
  errc code{};
  if (a.name == "time") {
    // A Timestamp that sys_time<nanoseconds> (envelope_view::time()) holds: 1678 to 2262.
    std::chrono::sys_time<std::chrono::nanoseconds> t;
    code = a.is_string ? read_rfc3339(a.text, t) : errc::wrong_type;
  } else if (a.name == "datacontenttype") {
    code = !a.is_string ? errc::wrong_type : is_media_type(a.text) ? errc{} : errc::invalid_value;
  } else if (a.name == "dataschema") {
    code = !a.is_string               ? errc::wrong_type
           : is_uri_reference(a.text) ? errc{}
                                      : errc::invalid_value;
  } else if (a.name == "subject") {
    // "If present, MUST be a non-empty string".
    code = !a.is_string ? errc::wrong_type : a.text.empty() ? errc::invalid_value : errc{};
  } else if (!a.is_string && a.json != "true" && a.json != "false") {
    // An extension: a string, a boolean or a 32-bit integer.
    const std::string_view n = a.json;
    std::int32_t value = 0;
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), value);
    if (ec == std::errc::result_out_of_range) {
      code = errc::out_of_range;
    } else if (ec != std::errc{} || end != n.data() + n.size()) {
      code = errc::wrong_type;  // a fraction, an exponent, an object or an array
    }
  }
  return code;
}

}  // namespace skew::detail

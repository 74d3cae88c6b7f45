// CloudEvents 1.0 attribute types in the JSON format: `time` a Timestamp (RFC 3339),
// `datacontenttype` a media type (RFC 2046), `dataschema` a URI-reference (RFC 3986), `subject` a
// String, and every extension a String, a Boolean or an Integer (-2^31 to 2^31-1). Shared by the
// header reader and the envelope writer.
#pragma once

#include <skew/detail/rfc3339.hpp>
#include <skew/envelope_format.hpp>
#include <skew/envelope_view.hpp>
#include <skew/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace skew::detail {

// RFC 2045 `token`: printable US-ASCII but space and tspecials.
constexpr bool media_token_char(char c) noexcept {
  if (c <= ' ' || c >= 127) return false;
  for (const char special : std::string_view("()<>@,;:\\\"/[]?=")) {
    if (c == special) return false;
  }
  return true;
}

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

constexpr bool is_hex_digit(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
      if (k + 2 >= s.size() || !is_hex_digit(s[k + 1]) || !is_hex_digit(s[k + 2])) {
        return false;
      }
      k += 2;
    } else if (!unreserved && !reserved) {
      return false;
    }
  }
  return true;
}

// A CloudEvents `time`: an RFC 3339 timestamp that sys_time<nanoseconds> holds (1678 to 2262).
inline bool read_cloudevents_time(std::string_view text,
                                  std::chrono::sys_time<std::chrono::nanoseconds>& out,
                                  errc& code) noexcept {
  utc_timestamp t;
  if (!parse_rfc3339(text, t)) {
    code = errc::invalid_value;
    return false;
  }
  using namespace std::chrono;
  constexpr auto limit = duration_cast<seconds>(nanoseconds::max()).count() - 1;
  const auto s = t.seconds.time_since_epoch().count();
  if (s > limit || s < -limit) {
    code = errc::out_of_range;
    return false;
  }
  out = sys_time<nanoseconds>{t.seconds} + nanoseconds{t.nanoseconds};
  return true;
}

// The type rule an attribute's value breaks, or errc{} when it keeps them. `a` is not null; the
// context attributes the header reader checks itself (specversion, id, source, type, the version
// key) and the payload are not passed here.
inline errc cloudevents_attribute_error(const envelope_attribute& a) noexcept {
  errc code{};
  if (a.name == "time") {
    std::chrono::sys_time<std::chrono::nanoseconds> t;
    if (!a.is_string) {
      code = errc::wrong_type;
    } else {
      read_cloudevents_time(a.text, t, code);  // leaves code unset when it reads
    }
  } else if (a.name == "datacontenttype") {
    code = !a.is_string ? errc::wrong_type : is_media_type(a.text) ? errc{} : errc::invalid_value;
  } else if (a.name == "dataschema") {
    code = !a.is_string               ? errc::wrong_type
           : is_uri_reference(a.text) ? errc{}
                                      : errc::invalid_value;
  } else if (a.name == "subject") {
    code = a.is_string ? errc{} : errc::wrong_type;
  } else if (!a.is_string && a.json != "true" && a.json != "false") {
    // An extension: a string, a boolean or a 32-bit integer.
    const std::string_view n = a.json;
    std::size_t k = n.size() > 0 && n[0] == '-' ? 1 : 0;
    bool integral = k < n.size();
    std::int64_t magnitude = 0;
    for (; k < n.size() && integral; ++k) {
      integral = n[k] >= '0' && n[k] <= '9';
      if (integral && magnitude <= (std::int64_t{1} << 32)) {
        magnitude = magnitude * 10 + (n[k] - '0');
      }
    }
    const std::int64_t limit = (std::int64_t{1} << 31) - (n[0] == '-' ? 0 : 1);
    if (!integral) {
      code = errc::wrong_type;  // a fraction, an exponent, an object or an array
    } else if (magnitude > limit) {
      code = errc::out_of_range;
    }
  }
  return code;
}

}  // namespace skew::detail

// Layer base/: vocabulary every layer uses (error codes, results, options, attributes, small text
// helpers); includes only the standard library and fmt.
//
// skew::error: what went wrong (an errc), where in the message, and a one-line rendering.
#pragma once

#include <skew/base/detail/fmt.hpp>
#include <skew/base/errc.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace skew {

// JSON's types, as a wrong_type error names them.
// `integer` is JSON Schema's: a number without a fraction or exponent.
enum class json_type : std::uint8_t {
  unknown,
  null,
  boolean,
  number,
  integer,
  string,
  object,
  array
};

namespace detail {
inline constexpr std::string_view json_type_phrases[] = {
    "a value", "null", "a boolean", "a number", "an integer", "a string", "an object", "an array"};
static_assert(std::size(json_type_phrases) == static_cast<std::size_t>(json_type::array) + 1,
              "one json_type_phrases entry per json_type");
}  // namespace detail

// "a number", "an object", "null": how a log line names a JSON type.
constexpr std::string_view describe_json_type(json_type t) noexcept {
  const auto index = static_cast<std::size_t>(t);
  return index < std::size(detail::json_type_phrases) ? detail::json_type_phrases[index]
                                                      : "a value";
}

// A decode or encode failure. `path` is a JSON Pointer (RFC 6901) to the offending value, empty for
// the root; `offset` is the byte offset in the input where the parser stood, when it is known.
// For wrong_type from the decoder, `expected` and `received` name the JSON types.
struct error {
  errc code = errc::malformed_json;
  std::string path;
  std::optional<std::size_t> offset;
  json_type expected = json_type::unknown;
  json_type received = json_type::unknown;

  friend bool operator==(const error&, const error&) = default;
};

namespace detail {
// Appends `segment` to a JSON Pointer with RFC 6901 escaping ('~' -> "~0", '/' -> "~1").
inline void append_pointer_segment(std::string& out, std::string_view segment) {
  out.push_back('/');
  for (char c : segment) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
}

// Errors are built innermost first, so each enclosing level puts its segment in front.
inline void prepend_pointer_segment(std::string& path, std::string_view segment) {
  std::string front;
  front.reserve(segment.size() + 1 + path.size());
  append_pointer_segment(front, segment);
  front += path;
  path = std::move(front);
}
}  // namespace detail

}  // namespace skew

template <>
struct fmt::formatter<skew::errc> : fmt::formatter<std::string_view> {
  // A template, so that a TU which never formats one does not compile this.
  template <class FormatContext>
  auto format(skew::errc code, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(skew::to_string(code), ctx);
  }
};

// "missing_field at /items/3/sku (byte 57): a required field is missing"
// "wrong_type at /qty (byte 7): expected a number, got a string"
template <>
struct fmt::formatter<skew::error> : fmt::formatter<std::string_view> {
  // A template, so that a TU which never formats one does not compile this.
  template <class FormatContext>
  auto format(const skew::error& e, FormatContext& ctx) const {
    auto out =
        fmt::format_to(ctx.out(), "{} at {}", skew::to_string(e.code),
                       e.path.empty() ? std::string_view("<root>") : std::string_view(e.path));
    if (e.offset) out = fmt::format_to(out, " (byte {})", *e.offset);
    if (e.code == skew::errc::wrong_type && e.expected != skew::json_type::unknown) {
      return fmt::format_to(out, ": expected {}, got {}", skew::describe_json_type(e.expected),
                            skew::describe_json_type(e.received));
    }
    return fmt::format_to(out, ": {}", skew::describe_errc(e.code));
  }
};

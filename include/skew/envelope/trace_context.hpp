// W3C Trace Context (Level 1): a `traceparent` checked field by field, with its `tracestate`.
// The CloudEvents Distributed Tracing extension carries the creation context as the attributes
// `traceparent` and `tracestate` (envelope_view::creation_context()); skew passes both on
// unchanged, since the extension says they must not be rewritten per hop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace skew {

struct trace_context {
  std::string_view traceparent;  // as received, to be written on unchanged
  std::string_view trace_id;     // 32 lower-case hex digits, not all zero
  std::string_view parent_id;    // 16 lower-case hex digits, not all zero
  std::uint8_t version = 0;
  std::uint8_t flags = 0;
  std::string_view tracestate;  // as received; empty when there is none

  bool sampled() const noexcept { return (flags & 1) != 0; }
};

namespace detail {

constexpr int lower_hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is invalid in traceparent
}

// `n` lower-case hex digits at `at`, and whether any is not zero.
constexpr bool lower_hex_run(std::string_view s, std::size_t at, std::size_t n,
                             bool& nonzero) noexcept {
  nonzero = false;
  for (std::size_t k = at; k < at + n; ++k) {
    const int v = lower_hex_value(s[k]);
    if (v < 0) return false;
    nonzero = nonzero || v != 0;
  }
  return true;
}

}  // namespace detail

// `version "-" trace-id "-" parent-id "-" trace-flags`. Version ff is invalid; version 00 is
// exactly 55 characters; a later version may be longer, with a `-` after the flags (the fields
// skew knows are read, the rest kept in `traceparent`). nullopt for anything else: an invalid
// traceparent is ignored, and its tracestate with it.
constexpr std::optional<trace_context> parse_traceparent(
    std::string_view traceparent, std::string_view tracestate = {}) noexcept {
  const std::string_view s = traceparent;
  if (s.size() < 55 || s[2] != '-' || s[35] != '-' || s[52] != '-') return std::nullopt;
  bool nonzero = false;
  if (!detail::lower_hex_run(s, 0, 2, nonzero)) return std::nullopt;
  const auto version =
      static_cast<std::uint8_t>(detail::lower_hex_value(s[0]) * 16 + detail::lower_hex_value(s[1]));
  if (version == 0xff) return std::nullopt;
  if (version == 0 ? s.size() != 55 : s.size() > 55 && s[55] != '-') return std::nullopt;
  if (!detail::lower_hex_run(s, 3, 32, nonzero) || !nonzero) return std::nullopt;
  if (!detail::lower_hex_run(s, 36, 16, nonzero) || !nonzero) return std::nullopt;
  if (!detail::lower_hex_run(s, 53, 2, nonzero)) return std::nullopt;
  trace_context t;
  t.traceparent = s;
  t.trace_id = s.substr(3, 32);
  t.parent_id = s.substr(36, 16);
  t.version = version;
  t.flags = static_cast<std::uint8_t>(detail::lower_hex_value(s[53]) * 16 +
                                      detail::lower_hex_value(s[54]));
  t.tracestate = tracestate;
  return t;
}

}  // namespace skew

// Values nobody reads: stepped over by counting brackets at the structural positions, or with
// options::validate_skipped checked against the JSON grammar; and the raw text of a value.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/json/detail/decode_context.hpp>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace skew::detail {

// +1 for an opening bracket, -1 for a closing one, 0 for every other byte. Summing these steps
// over a container without a branch per position, whose outcome would follow the shape of the
// JSON and so mispredict.
inline constexpr std::array<signed char, 256> bracket_depth_change = [] {
  std::array<signed char, 256> t{};
  t['{'] = t['['] = 1;
  t['}'] = t[']'] = -1;
  return t;
}();

SKEW_ALWAYS_INLINE inline bool skip_value(decode_context& ctx, std::uint32_t& i) {
  const walk w = ctx.view();
  const char c = w.at(i);
  if (c != '{' && c != '[') {
    if (i >= ctx.count || is_separator(c)) return ctx.fail_at(errc::malformed_json, i);
    ++i;
    return true;
  }
  const std::uint32_t start = i;
  int depth = 0;
  do {
    depth += bracket_depth_change[static_cast<unsigned char>(w.begin[w.positions[i]])];
    ++i;
  } while (depth != 0 && i < w.count);
  if (depth != 0) return ctx.fail_at(errc::malformed_json, start);
  return true;
}

// A string token (opening quote included) that is closed and holds no escape: stage 1 already
// rejected raw control characters and invalid UTF-8, so nothing is left to check. Where stage 1
// saw no backslash at all (`has_backslash` false), no token holds one.
SKEW_ALWAYS_INLINE inline bool plain_string_token(std::string_view token,
                                                  bool has_backslash = true) noexcept {
  return token.size() >= 2 && token.back() == '"' &&
         (!has_backslash || !contains_backslash(token.data() + 1, token.size() - 2));
}

// Whether one scalar token is valid JSON. Strings: stage 1 already rejected raw control
// characters, invalid UTF-8 and unclosed strings, so only escapes are left to check, and most
// strings have none.
SKEW_ALWAYS_INLINE inline bool scalar_token_is_valid(std::string_view token,
                                                     bool has_backslash) noexcept {
  switch (token[0]) {
    case '"':
      return plain_string_token(token, has_backslash) ||
             check_string(token.data() + 1) == scan_status::ok;
    case 't':
      return is_literal(token, "true");
    case 'f':
      return is_literal(token, "false");
    case 'n':
      return is_literal(token, "null");
    default:
      return classify_number(token).valid;
  }
}

// Checks one scalar token, and says why it is not valid.
inline bool validate_scalar_token(decode_context& ctx, std::string_view token) {
  if (token.empty()) return ctx.fail(errc::malformed_json);
  if (scalar_token_is_valid(token, ctx.has_backslash)) [[likely]]
    return true;
  const char* at = token.data();
  if (token[0] == '"' && check_string(token.data() + 1) == scan_status::bad_surrogate) {
    return ctx.fail(errc::invalid_utf8, at);
  }
  return ctx.fail(errc::malformed_json, at);
}

inline void prepend_index(std::string& path, std::size_t index) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, index).ptr;
  prepend_pointer_segment(path, std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

inline bool validate_value(decode_context& ctx, std::uint32_t& i) {
  const char c = ctx.at(i);
  if (c == '{') {
    if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, i);
    ++i;
    bool done = ctx.at(i) == '}';
    if (done) ++i;
    while (!done) {
      std::string_view key;
      if (!raw_key(ctx, i, key)) return false;
      const scan_status s =
          ctx.may_escape(key.data(), key.size()) ? check_string(key.data()) : scan_status::ok;
      if (s != scan_status::ok) {
        return ctx.fail(s == scan_status::bad_surrogate ? errc::invalid_utf8 : errc::malformed_json,
                        key.data() - 1);
      }
      i += 2;
      if (!validate_value(ctx, i)) {
        prepend_pointer_segment(ctx.err.path, key);
        return false;
      }
      if (!next_item(ctx, i, '}', done)) return false;
      if (!done && ctx.at(i) != '"') return ctx.fail_at(errc::malformed_json, i);
    }
    --ctx.depth;
    return true;
  }
  if (c == '[') {
    if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, i);
    ++i;
    bool done = ctx.at(i) == ']';
    if (done) ++i;
    for (std::size_t index = 0; !done; ++index) {
      if (!validate_value(ctx, i)) {
        prepend_index(ctx.err.path, index);
        return false;
      }
      if (!next_item(ctx, i, ']', done)) return false;
    }
    --ctx.depth;
    return true;
  }
  if (i >= ctx.count || is_separator(c)) return ctx.fail_at(errc::malformed_json, i);
  if (!validate_scalar_token(ctx, ctx.token(i))) return false;
  ++i;
  return true;
}

// Whether the key at position k is a closed string followed by ':' whose escapes are valid.
SKEW_ALWAYS_INLINE inline bool key_is_valid(const walk& w, std::uint32_t k) noexcept {
  if (w.at(k) != '"' || w.at(k + 1) != ':') return false;
  // Stage 1 closed every string, so only whitespace can stand between this one's closing quote
  // and the colon (anything else would be a position of its own); without a backslash in the
  // input there is no escape to check either.
  if (!w.has_backslash) return true;
  const char* begin = w.begin + w.positions[k] + 1;
  const char* quote = w.begin + w.positions[k + 1] - 1;
  while (is_json_whitespace(*quote)) --quote;
  if (*quote != '"' || quote < begin) return false;
  const auto size = static_cast<std::size_t>(quote - begin);
  return !contains_backslash(begin, size) || check_string(begin) == scan_status::ok;
}

// validate_value for a container in one loop over its positions, with a 64-bit stack of what
// each level is (an object or an array): true when the container is valid JSON within
// max_depth, i then past it. False on any error, or deeper than 64 levels below the current
// depth; validate_value then walks it again to say what and where.
inline bool container_is_valid(const decode_context& ctx, std::uint32_t& i) noexcept {
  const walk w = ctx.view();
  const bool has_backslash = w.has_backslash;
  const std::uint32_t room = ctx.opts.max_depth - ctx.depth;  // levels left; depth <= max_depth
  std::uint64_t objects = 0;                                  // bit d set: level d is an object
  std::uint32_t depth = 0;
  std::uint32_t k = i;
  for (;;) {
    // A value at k.
    const char c = w.at(k);
    if (c == '{' || c == '[') {
      if (depth == 64 || depth == room) return false;
      const bool object = c == '{';
      objects =
          object ? objects | (std::uint64_t{1} << depth) : objects & ~(std::uint64_t{1} << depth);
      ++depth;
      ++k;
      if (w.at(k) == (object ? '}' : ']')) {
        ++k;
        --depth;
      } else {
        if (object) {
          if (!key_is_valid(w, k)) return false;
          k += 2;
        }
        continue;
      }
    } else if (c == '"' && !has_backslash) {
      ++k;  // closed (stage 1), and with no backslash in the input, no escape: see key_is_valid
    } else {
      if (k >= w.count || is_separator(c) || !scalar_token_is_valid(w.token(k), has_backslash))
        return false;
      ++k;
    }
    // After a value: commas continue a level, closing brackets end levels.
    for (;;) {
      if (depth == 0) {
        i = k;
        return true;
      }
      const bool object = (objects >> (depth - 1)) & 1u;
      const char d = w.at(k);
      if (d == ',') {
        ++k;
        if (object) {
          if (!key_is_valid(w, k)) return false;
          k += 2;
        }
        break;
      }
      if (d != (object ? '}' : ']')) return false;
      ++k;
      --depth;
    }
  }
}

SKEW_ALWAYS_INLINE inline bool skip_or_validate(decode_context& ctx, std::uint32_t& i) {
  if (!ctx.opts.validate_skipped) return skip_value(ctx, i);
  // The common skipped value, a string without escapes, is checked here without a call: stage 1
  // already vouched for its bytes.
  if (ctx.at(i) == '"') {
    if (!ctx.has_backslash || plain_string_token(ctx.token(i))) [[likely]] {
      ++i;
      return true;
    }
  }
  // Through a copy: the position of a loop that calls out of line stays in a register.
  std::uint32_t j = i;
  if (container_is_valid(ctx, j)) [[likely]] {
    i = j;
    return true;
  }
  const bool ok = validate_value(ctx, j);
  i = j;
  return ok;
}

// The raw text of a value (for raw_json and unknown_fields): scalars are always checked, containers
// when validate_skipped is on.
inline bool capture_raw(decode_context& ctx, std::uint32_t& i, std::string_view& out) {
  const char c = ctx.at(i);
  const char* start = ctx.where(i);
  if (c != '{' && c != '[') {
    if (i >= ctx.count || is_separator(c)) return ctx.fail_at(errc::malformed_json, i);
    out = ctx.token(i);
    if (!validate_scalar_token(ctx, out)) return false;
    ++i;
    return true;
  }
  if (!skip_or_validate(ctx, i)) return false;
  const char* end = ctx.where(i);
  out = trim_right(std::string_view(start, static_cast<std::size_t>(end - start)));
  return true;
}

}  // namespace skew::detail

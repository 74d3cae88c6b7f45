// The state of one decode (input, structural positions, string buffer, depth, counters, the
// error), and the reader's token steps: keys, separators, unescaping, and why a value failed.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/error.hpp>
#include <skew/base/options.hpp>
#include <skew/json/detail/scan.hpp>
#include <skew/json/detail/structural_index.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace skew::detail {

struct decode_context {
  // A constructor, not aggregate initialization: members without an initializer stay
  // uninitialized instead of being zeroed.
  decode_context(const options& o, const char* begin, const char* end) noexcept
      : opts(o), input_begin(begin), input_end(end) {}

  const options& opts;
  const char* input_begin;
  const char* input_end;
  // The structural index of the input and where unescaped strings go.
  const std::uint32_t* positions = nullptr;
  std::uint32_t count = 0;
  char* strings = nullptr;
  char* strings_begin = nullptr;  // strings == strings_begin: nothing was unescaped
  std::uint32_t depth = 0;
  // False when stage 1 found no backslash in the input: then no string or key holds an escape.
  bool has_backslash = true;
  // Values read under a former name (alias) in this decode: how operators learn an old name is
  // still being written.
  std::uint32_t alias_reads = 0;
  // Undescribed keys stepped over (or kept in unknown_fields): how operators see that producers
  // write fields this build does not know yet.
  std::uint32_t ignored_keys = 0;
  // The first distinct former names read, for per-name counters. They view descriptor names,
  // which have static storage.
  // Raw storage (see alias_name()): only the first alias_name_count are ever read, and a context
  // is made per message, where zeroing it costs a `rep stos` in -O2 builds.
  std::array<const char*, 4> alias_name_data;
  std::array<std::uint32_t, 4> alias_name_size;
  std::uint8_t alias_name_count = 0;
  error err{};

  void bind(const structural_index& index) noexcept {
    positions = index.positions();
    count = index.count();
    strings = index.strings();
    strings_begin = strings;
    has_backslash = index.has_backslash();
  }

  // Back to the state bind() left, for the same input read again from its start: nothing
  // unescaped, counted or failed.
  void restart() noexcept {
    strings = strings_begin;
    depth = 0;
    alias_reads = 0;
    ignored_keys = 0;
    alias_name_count = 0;
    err = error{};
  }

  walk view() const noexcept { return {input_begin, input_end, positions, count, has_backslash}; }
  // Whether [p, p + n) of the input may hold an escape.
  SKEW_ALWAYS_INLINE bool may_escape(const char* p, std::size_t n) const noexcept {
    return has_backslash && contains_backslash(p, n);
  }
  SKEW_ALWAYS_INLINE char at(std::uint32_t i) const noexcept { return view().at(i); }
  SKEW_ALWAYS_INLINE const char* where(std::uint32_t i) const noexcept { return view().where(i); }
  SKEW_ALWAYS_INLINE std::string_view token(std::uint32_t i) const noexcept {
    return view().token(i);
  }

  void note_alias(std::string_view name) noexcept {
    ++alias_reads;
    for (std::uint8_t i = 0; i < alias_name_count; ++i) {
      if (alias_name_data[i] == name.data()) return;
    }
    if (alias_name_count < alias_name_data.size()) {
      alias_name_data[alias_name_count] = name.data();
      alias_name_size[alias_name_count] = static_cast<std::uint32_t>(name.size());
      ++alias_name_count;
    }
  }
  std::string_view alias_name(std::size_t i) const noexcept {
    return {alias_name_data[i], alias_name_size[i]};
  }

  bool fail(errc code, const char* at = nullptr) {
    err.code = code;
    err.path.clear();
    err.expected = json_type::unknown;
    err.received = json_type::unknown;
    if (at != nullptr && at >= input_begin && at <= input_end) {
      err.offset = static_cast<std::size_t>(at - input_begin);
    } else {
      err.offset.reset();
    }
    return false;
  }
  bool fail_at(errc code, std::uint32_t i) { return fail(code, where(i)); }
};

enum class json_kind : unsigned char { boolean, integer, floating, string, object, array };

constexpr bool is_separator(char c) noexcept {
  return c == ',' || c == ':' || c == '}' || c == ']';
}

// Explains why the value at i is not of the expected kind: a malformed token is malformed_json
// wherever it sits; a well-formed one of another type is unexpected_null or wrong_type.
SKEW_COLD inline bool fail_value(decode_context& ctx, std::uint32_t i, json_kind expected) {
  const std::string_view token = ctx.token(i);
  if (token.empty()) return ctx.fail(errc::malformed_json, ctx.where(i));
  const char* at = token.data();
  // A wrong_type names both JSON types: "expected a number, got a string".
  auto wrong = [&](json_type received) {
    ctx.fail(errc::wrong_type, at);
    constexpr json_type as_json[] = {json_type::boolean, json_type::integer, json_type::number,
                                     json_type::string,  json_type::object,  json_type::array};
    ctx.err.expected = as_json[static_cast<std::size_t>(expected)];
    ctx.err.received = received;
    return false;
  };
  switch (token[0]) {
    case 'n':
      return ctx.fail(is_literal(token, "null") ? errc::unexpected_null : errc::malformed_json, at);
    case 't':
      return is_literal(token, "true") ? wrong(json_type::boolean)
                                       : ctx.fail(errc::malformed_json, at);
    case 'f':
      return is_literal(token, "false") ? wrong(json_type::boolean)
                                        : ctx.fail(errc::malformed_json, at);
    case '"': {
      const scan_status s = check_string(token.data() + 1);
      if (s == scan_status::bad_surrogate) return ctx.fail(errc::invalid_utf8, at);
      return s == scan_status::ok ? wrong(json_type::string) : ctx.fail(errc::malformed_json, at);
    }
    case '{':
      return wrong(json_type::object);
    case '[':
      return wrong(json_type::array);
    default:
      break;
  }
  if (is_separator(token[0])) return ctx.fail(errc::malformed_json, at);
  const decimal_number shape = classify_number(token);
  if (!shape.valid) return ctx.fail(errc::malformed_json, at);
  if (expected == json_kind::integer) {
    // A fraction or exponent is not an integer; an integral token that did not fit overflowed.
    if (shape.integral) return ctx.fail(errc::out_of_range, at);
    return wrong(json_type::number);
  }
  if (expected == json_kind::floating) return ctx.fail(errc::out_of_range, at);
  return wrong(json_type::number);
}

// After a member or element: `,` continues (true, i on the next item), the closing bracket ends
// (false with `done`, i past it); anything else is malformed.
SKEW_ALWAYS_INLINE inline bool next_item(decode_context& ctx, std::uint32_t& i, char close,
                                         bool& done) {
  const walk w = ctx.view();
  const char c = w.at(i);
  if (c == ',') {
    ++i;
    return true;
  }
  if (c == close) {
    ++i;
    done = true;
    return true;
  }
  return ctx.fail_at(errc::malformed_json, i);
}

// The raw bytes of the key at position i (escapes not decoded), checking the `:` after it.
SKEW_ALWAYS_INLINE inline bool raw_key(decode_context& ctx, std::uint32_t i,
                                       std::string_view& key) {
  const walk w = ctx.view();
  if (w.at(i) != '"') return ctx.fail_at(errc::malformed_json, i);
  if (w.at(i + 1) != ':') return ctx.fail_at(errc::malformed_json, i + 1);
  const char* begin = w.begin + w.positions[i] + 1;
  const char* quote = w.begin + w.positions[i + 1] - 1;
  while (is_json_whitespace(*quote)) --quote;
  if (*quote != '"' || quote < begin) return ctx.fail_at(errc::malformed_json, i);
  key = std::string_view(begin, static_cast<std::size_t>(quote - begin));
  return true;
}

// Unescapes string content `raw` (in the input) to `dst`, setting `end` past what it wrote (see
// unescape_string for the room it needs); an invalid escape or a lone surrogate is the error.
inline bool unescape_to(decode_context& ctx, std::string_view raw, char* dst, char*& end) {
  const scan_status s = unescape_string(raw.data(), dst, end);
  if (s == scan_status::ok) [[likely]]
    return true;
  return ctx.fail(s == scan_status::bad_surrogate ? errc::invalid_utf8 : errc::malformed_json,
                  raw.data() - 1);
}

// The same into the context's string buffer, `out` viewing the result there.
inline bool unescape(decode_context& ctx, std::string_view raw, std::string_view& out) {
  char* end = nullptr;
  if (!unescape_to(ctx, raw, ctx.strings, end)) return false;
  out = std::string_view(ctx.strings, static_cast<std::size_t>(end - ctx.strings));
  ctx.strings = end;
  return true;
}

inline bool unescape_key(decode_context& ctx, std::string_view& key) {
  return unescape(ctx, key, key);
}

}  // namespace skew::detail

// The tolerant reader: turns JSON into described C++ types in one pass over simdjson's structural
// index (stage 1: the position of every structural character and scalar, found with SIMD).
//
// skew walks that index itself instead of through On-Demand: a value is a position in the index,
// a key's bytes lie between its quote and the next position, and a skipped container is stepped
// over by counting brackets at the positions, never by looking at the bytes in between. Grammar
// is checked as the walk goes; stage 1 already rejected invalid UTF-8, raw control characters in
// strings and unclosed strings.
//
// Every function returns false after storing an error in the context; callers on the way out
// prepend their path segment, so the success path never builds a JSON Pointer. Reading functions
// take the index `i` of a value's first position and leave it just past the value.
#pragma once

#include <skew/codec.hpp>
#include <skew/describe.hpp>
#include <skew/detail/scan.hpp>
#include <skew/detail/simdjson.hpp>
#include <skew/detail/struct_table.hpp>
#include <skew/detail/traits.hpp>
#include <skew/enum.hpp>
#include <skew/error.hpp>
#include <skew/field.hpp>
#include <skew/options.hpp>
#include <skew/raw_json.hpp>
#include <skew/unknown_fields.hpp>

#include <array>
#include <bit>
#include <charconv>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

// The walker's per-token steps: small, and called once per key or value, so a call per step would
// cost more than the step.
#if defined(__GNUC__)
#define SKEW_HOT_INLINE [[gnu::always_inline]] inline
#else
#define SKEW_HOT_INLINE inline
#endif

namespace skew::detail {

// Stage 1 of simdjson with the kernel it selects at run time for this CPU, and the buffer that
// unescaped strings are written to. One per decoder: both are reused from message to message.
class structural_index {
 public:
  simdjson::error_code build(const char* json, std::size_t length) {
    if (!parser_ || length > capacity_) {
      // Grow geometrically so a stream of slowly growing messages does not reallocate each time.
      std::size_t capacity = capacity_ == 0 ? 4096 : capacity_;
      while (capacity < length) capacity *= 2;
      if (!parser_) {
        if (auto e = simdjson::get_active_implementation()->create_dom_parser_implementation(
                capacity, 1, parser_)) {
          return e;
        }
      } else if (auto e = parser_->set_capacity(capacity)) {
        return e;
      }
      capacity_ = capacity;
      // Unescaping never lengthens a string; a dispatch may walk the message twice.
      strings_ = std::make_unique<char[]>(2 * capacity + 2 * simdjson::SIMDJSON_PADDING);
    }
    return parser_->stage1(reinterpret_cast<const std::uint8_t*>(json), length,
                           simdjson::stage1_mode::regular);
  }

  const std::uint32_t* positions() const noexcept { return parser_->structural_indexes.get(); }
  std::uint32_t count() const noexcept { return parser_->n_structural_indexes; }
  simdjson::internal::dom_parser_implementation* parser() const noexcept { return parser_.get(); }
  char* strings() const noexcept { return strings_.get(); }

 private:
  std::unique_ptr<simdjson::internal::dom_parser_implementation> parser_;
  std::unique_ptr<char[]> strings_;
  std::size_t capacity_ = 0;
};

// The input and its structural positions, copied into a local by the hot functions: a local
// stays in registers, while members reached through the context are reloaded after every store
// through a char pointer (which may alias anything).
struct walk {
  const char* begin;
  const char* end;
  const std::uint32_t* positions;
  std::uint32_t count;

  // The character at position i, or '\0' past the last one.
  [[gnu::always_inline]] char at(std::uint32_t i) const noexcept {
    return i < count ? begin[positions[i]] : '\0';
  }
  [[gnu::always_inline]] const char* where(std::uint32_t i) const noexcept {
    return i < count ? begin + positions[i] : end;
  }
  // The token at position i: its bytes up to the next position, without trailing whitespace.
  [[gnu::always_inline]] std::string_view token(std::uint32_t i) const noexcept {
    if (i >= count) return {};
    const char* first = begin + positions[i];
    const char* last = i + 1 < count ? begin + positions[i + 1] : end;
    while (last > first && is_json_whitespace(last[-1])) --last;
    return std::string_view(first, static_cast<std::size_t>(last - first));
  }
};

constexpr unsigned key_length_bit(std::size_t n) noexcept {
  return n < 63 ? static_cast<unsigned>(n) : 63u;
}

// A key name packed for compares by word loads: keys being matched lie in padded input or a
// padded buffer, so 16 bytes can be read from their start; the name's bytes are kept in words.
struct packed_key {
  std::string_view name;
  std::uint64_t word0 = 0;
  std::uint64_t word1 = 0;

  static constexpr packed_key of(std::string_view name) noexcept {
    packed_key p{name};
    for (std::size_t k = 0; k < name.size() && k < 16; ++k) {
      const std::uint64_t byte = static_cast<unsigned char>(name[k]);
      (k < 8 ? p.word0 : p.word1) |= byte << (8 * (k % 8));
    }
    return p;
  }

  [[gnu::always_inline]] bool matches(std::string_view key) const noexcept {
    const std::size_t n = key.size();
    if (n != name.size()) return false;
    if (n > 16 || std::endian::native != std::endian::little) {
      return std::memcmp(key.data(), name.data(), n) == 0;
    }
    if (n == 0) return true;
    std::uint64_t a;
    std::uint64_t b;
    std::memcpy(&a, key.data(), 8);
    std::memcpy(&b, key.data() + 8, 8);
    const std::uint64_t mask0 = n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
    const std::uint64_t mask1 = n <= 8    ? 0
                                : n >= 16 ? ~std::uint64_t{0}
                                          : (std::uint64_t{1} << (8 * (n - 8))) - 1;
    return ((a ^ word0) & mask0) == 0 && ((b ^ word1) & mask1) == 0;
  }
};

// The few key names of an envelope header, found by length first: most keys have a length no
// header key has, and most lengths belong to one name.
struct packed_key_set {
  static constexpr std::size_t size = 5;
  std::array<packed_key, size + 1> keys;  // and an empty one, find_without_branches' none
  // By key length (63: 63 or more): the one index with that length, -1 for none, -2 when several
  // share it (then every key is compared).
  std::array<std::int8_t, 64> by_length{};
  std::uint64_t lengths = 0;  // bit n: some name has length n (63: 63 or more)
  // For find_without_branches: by length, the one name's index or `size` for none, and per index
  // the masks of the name's bytes and the length to compare; entry `size` never matches.
  std::array<std::uint8_t, 64> candidate{};
  std::array<std::uint64_t, size + 1> mask0{};
  std::array<std::uint64_t, size + 1> mask1{};
  std::array<std::uint64_t, size + 1> length{};
  // Every name is 1 to 16 bytes long and no two share a length (the default names do).
  bool branch_free = std::endian::native == std::endian::little;

  explicit packed_key_set(const std::array<std::string_view, size>& names) noexcept {
    by_length.fill(-1);
    candidate.fill(static_cast<std::uint8_t>(size));
    length[size] = ~std::uint64_t{0};
    for (std::size_t k = 0; k < size; ++k) {
      keys[k] = packed_key::of(names[k]);
      const std::size_t m = names[k].size();
      const unsigned bit = key_length_bit(m);
      lengths |= std::uint64_t{1} << bit;
      std::int8_t& entry = by_length[bit];
      entry = entry == -1 && bit < 63 ? static_cast<std::int8_t>(k) : std::int8_t{-2};
      branch_free = branch_free && m >= 1 && m <= 16 && entry >= 0;
      candidate[bit] = static_cast<std::uint8_t>(k);
      constexpr std::uint64_t all = ~std::uint64_t{0};
      mask0[k] = m >= 8 ? all : (std::uint64_t{1} << (8 * m)) - 1;
      mask1[k] = m <= 8 ? 0 : m >= 16 ? all : (std::uint64_t{1} << (8 * (m - 8))) - 1;
      length[k] = m;
    }
  }

  // find() for sets with branch_free: no branch on the key, so a stream whose first payload key
  // varies from message to message (the one that ends a header) does not mispredict here. Reads
  // 16 bytes from key.data(): padded input only.
  [[gnu::always_inline]] int find_without_branches(std::string_view key) const noexcept {
    const std::size_t k = candidate[key_length_bit(key.size())];
    std::uint64_t a;
    std::uint64_t b;
    std::memcpy(&a, key.data(), 8);
    std::memcpy(&b, key.data() + 8, 8);
    const std::uint64_t diff = ((a ^ keys[k].word0) & mask0[k]) | ((b ^ keys[k].word1) & mask1[k]) |
                               (key.size() ^ length[k]);
    return diff == 0 ? static_cast<int>(k) : -1;
  }

  // Which of the names `key` is, or -1.
  SKEW_HOT_INLINE int find(std::string_view key) const noexcept {
    const int candidate = by_length[key_length_bit(key.size())];
    if (candidate >= 0) {  // most keys: one compare, or none
      return keys[static_cast<std::size_t>(candidate)].matches(key) ? candidate : -1;
    }
    if (candidate == -1) return -1;
    for (std::size_t k = 0; k < size; ++k) {
      if (keys[k].matches(key)) return static_cast<int>(k);
    }
    return -1;
  }
};

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
  simdjson::internal::dom_parser_implementation* parser = nullptr;
  char* strings = nullptr;
  char* strings_begin = nullptr;  // strings == strings_begin: nothing was unescaped
  std::uint32_t depth = 0;
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
  // Keys of the root object that belong to an envelope header (flat layout): known, so neither
  // unknown_key nor captured, and validated by the envelope reader instead. When on_header_key is
  // set, it reads each of them (its value at `i`) so the envelope can keep their text.
  const packed_key_set* header_keys = nullptr;  // null: no header keys (is_header_key needs them)
  bool (*on_header_key)(void* sink, decode_context& ctx, std::string_view key,
                        std::uint32_t& i) = nullptr;
  void* header_sink = nullptr;
  error err{};

  void bind(const structural_index& index) noexcept {
    positions = index.positions();
    count = index.count();
    parser = index.parser();
    strings = index.strings();
    strings_begin = strings;
  }

  walk view() const noexcept { return {input_begin, input_end, positions, count}; }
  char at(std::uint32_t i) const noexcept { return view().at(i); }
  const char* where(std::uint32_t i) const noexcept { return view().where(i); }
  std::string_view token(std::uint32_t i) const noexcept { return view().token(i); }

  // Called for every key no payload member claims: the length test settles most without a
  // lookup.
  [[gnu::always_inline]] bool is_header_key(std::string_view key) const noexcept {
    return depth == 1 && ((header_keys->lengths >> key_length_bit(key.size())) & 1u) != 0 &&
           header_keys->find(key) >= 0;
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
    if (at != nullptr && at >= input_begin && at <= input_end) {
      err.offset = static_cast<std::size_t>(at - input_begin);
    } else {
      err.offset.reset();
    }
    return false;
  }
  bool fail_at(errc code, std::uint32_t i) { return fail(code, where(i)); }
};

enum class json_kind : unsigned char { boolean, integer, floating, string, object, array, any };

constexpr bool is_separator(char c) noexcept {
  return c == ',' || c == ':' || c == '}' || c == ']';
}

// Explains why the value at i is not of the expected kind: a malformed token is malformed_json
// wherever it sits; a well-formed one of another type is unexpected_null or wrong_type.
inline bool fail_value(decode_context& ctx, std::uint32_t i, json_kind expected) {
  const std::string_view token = ctx.token(i);
  if (token.empty()) return ctx.fail(errc::malformed_json, ctx.where(i));
  const char* at = token.data();
  switch (token[0]) {
    case 'n':
      return ctx.fail(is_literal(token, "null") ? errc::unexpected_null : errc::malformed_json, at);
    case 't':
      return ctx.fail(is_literal(token, "true") ? errc::wrong_type : errc::malformed_json, at);
    case 'f':
      return ctx.fail(is_literal(token, "false") ? errc::wrong_type : errc::malformed_json, at);
    case '"': {
      const scan_status s = check_string(token.data() + 1, nullptr);
      if (s == scan_status::bad_surrogate) return ctx.fail(errc::invalid_utf8, at);
      return ctx.fail(s == scan_status::ok ? errc::wrong_type : errc::malformed_json, at);
    }
    case '{':
    case '[':
      return ctx.fail(errc::wrong_type, at);
    default:
      break;
  }
  if (is_separator(token[0])) return ctx.fail(errc::malformed_json, at);
  const number_shape shape = classify_number(token);
  if (!shape.valid) return ctx.fail(errc::malformed_json, at);
  if (expected == json_kind::integer) {
    // A fraction or exponent is not an integer; an integral token that did not fit overflowed.
    return ctx.fail(shape.integral ? errc::out_of_range : errc::wrong_type, at);
  }
  if (expected == json_kind::floating) return ctx.fail(errc::out_of_range, at);
  return ctx.fail(errc::wrong_type, at);
}

// After a member or element: `,` continues (true, i on the next item), the closing bracket ends
// (false with `done`, i past it); anything else is malformed.
SKEW_HOT_INLINE bool next_item(decode_context& ctx, std::uint32_t& i, char close, bool& done) {
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
SKEW_HOT_INLINE bool raw_key(decode_context& ctx, std::uint32_t i, std::string_view& key) {
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

// Unescapes string content that holds a backslash into the context's string buffer, with
// simdjson's kernel, after checking the escapes (a lone surrogate cannot become UTF-8).
inline bool unescape(decode_context& ctx, std::string_view raw, std::string_view& out) {
  const scan_status s = check_string(raw.data(), nullptr);
  if (s != scan_status::ok) {
    return ctx.fail(s == scan_status::bad_surrogate ? errc::invalid_utf8 : errc::malformed_json,
                    raw.data() - 1);
  }
  auto* dst = reinterpret_cast<std::uint8_t*>(ctx.strings);
  const std::uint8_t* end =
      ctx.parser->parse_string(reinterpret_cast<const std::uint8_t*>(raw.data()), dst);
  if (end == nullptr) return ctx.fail(errc::malformed_json, raw.data() - 1);
  out = std::string_view(ctx.strings, static_cast<std::size_t>(end - dst));
  ctx.strings += out.size();
  return true;
}

inline bool unescape_key(decode_context& ctx, std::string_view& key) {
  return unescape(ctx, key, key);
}

// ---------------------------------------------------------------------------------------------
// Values nobody reads. Stepping over them counts brackets at the structural positions; with
// options::validate_skipped they are checked against the JSON grammar instead.

SKEW_HOT_INLINE bool skip_value(decode_context& ctx, std::uint32_t& i) {
  const walk w = ctx.view();
  const char c = w.at(i);
  if (c != '{' && c != '[') {
    if (i >= ctx.count || is_separator(c)) return ctx.fail_at(errc::malformed_json, i);
    ++i;
    return true;
  }
  const std::uint32_t start = i;
  std::uint32_t depth = 0;
  do {
    const char d = w.at(i);
    if (d == '{' || d == '[') {
      ++depth;
    } else if (d == '}' || d == ']') {
      --depth;
    }
    ++i;
  } while (depth != 0 && i < ctx.count);
  if (depth != 0) return ctx.fail_at(errc::malformed_json, start);
  return true;
}

// A string token (opening quote included) that is closed and holds no escape: stage 1 already
// rejected raw control characters and invalid UTF-8, so nothing is left to check.
[[gnu::always_inline]] inline bool plain_string_token(std::string_view token) noexcept {
  return token.size() >= 2 && token.back() == '"' &&
         !contains_backslash(token.data() + 1, token.size() - 2);
}

// Checks one scalar token.
inline bool validate_scalar_token(decode_context& ctx, std::string_view token) {
  if (token.empty()) return ctx.fail(errc::malformed_json);
  const char* at = token.data();
  bool ok = false;
  switch (token[0]) {
    case '"': {
      // Stage 1 already rejected raw control characters, invalid UTF-8 and unclosed strings:
      // only escapes are left to check, and most strings have none.
      if (plain_string_token(token)) [[likely]]
        return true;
      const scan_status s = check_string(token.data() + 1, nullptr);
      if (s == scan_status::bad_surrogate) return ctx.fail(errc::invalid_utf8, at);
      ok = s == scan_status::ok;
      break;
    }
    case 't':
      ok = is_literal(token, "true");
      break;
    case 'f':
      ok = is_literal(token, "false");
      break;
    case 'n':
      ok = is_literal(token, "null");
      break;
    default:
      ok = classify_number(token).valid;
      break;
  }
  return ok ? true : ctx.fail(errc::malformed_json, at);
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
      const scan_status s = contains_backslash(key.data(), key.size())
                                ? check_string(key.data(), nullptr)
                                : scan_status::ok;
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

SKEW_HOT_INLINE bool skip_or_validate(decode_context& ctx, std::uint32_t& i) {
  if (!ctx.opts.validate_skipped) return skip_value(ctx, i);
  // The common skipped value, a string without escapes, is checked here without a call: stage 1
  // already vouched for its bytes.
  if (ctx.at(i) == '"') {
    if (plain_string_token(ctx.token(i))) [[likely]] {
      ++i;
      return true;
    }
  }
  // Through a copy: the position of a loop that calls out of line stays in a register.
  std::uint32_t j = i;
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

// ---------------------------------------------------------------------------------------------
// Typed reads.

template <class T>
SKEW_HOT_INLINE bool read_value(decode_context& ctx, std::uint32_t& i, T& out);

// A string's content without copying when it holds no escapes (a view into the input); otherwise
// unescaped into the context's string buffer.
SKEW_HOT_INLINE bool read_string_view(decode_context& ctx, std::uint32_t& i,
                                      std::string_view& out) {
  const walk w = ctx.view();
  const std::string_view token = w.token(i);
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"') [[likely]] {
    const std::string_view content(token.data() + 1, token.size() - 2);
    if (!contains_backslash(content.data(), content.size())) [[likely]] {
      out = content;
    } else if (!unescape(ctx, content, out)) {
      return false;
    }
    ++i;
    return true;
  }
  return fail_value(ctx, i, json_kind::string);
}

SKEW_HOT_INLINE bool is_null_at(const decode_context& ctx, std::uint32_t i) noexcept {
  const walk w = ctx.view();
  return w.at(i) == 'n' && w.token(i) == "null";
}

template <class T>
SKEW_HOT_INLINE bool read_integer(decode_context& ctx, std::uint32_t& i, T& out) {
  const walk w = ctx.view();
  const std::string_view token = w.token(i);
  std::size_t k = 0;
  const std::size_t n = token.size();
  const bool negative = n != 0 && token[0] == '-';
  k += negative ? 1 : 0;
  if (k >= n || !is_digit(token[k]) || (token[k] == '0' && k + 1 < n)) {
    return fail_value(ctx, i, json_kind::integer);
  }
  std::uint64_t magnitude = 0;
  bool overflow = false;
  for (; k < n; ++k) {
    const unsigned digit = static_cast<unsigned>(token[k]) - '0';
    if (digit > 9) return fail_value(ctx, i, json_kind::integer);  // fraction, exponent, junk
    overflow |= __builtin_mul_overflow(magnitude, 10u, &magnitude);
    overflow |= __builtin_add_overflow(magnitude, digit, &magnitude);
  }
  if (overflow) return ctx.fail_at(errc::out_of_range, i);
  if constexpr (std::is_signed_v<T>) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    if (magnitude > max + (negative ? 1 : 0)) return ctx.fail_at(errc::out_of_range, i);
    out = negative ? static_cast<T>(-static_cast<std::int64_t>(magnitude - 1) - 1)
                   : static_cast<T>(magnitude);
    if (negative && magnitude == 0) out = 0;
  } else {
    if (negative || magnitude > std::numeric_limits<T>::max()) {
      return ctx.fail_at(errc::out_of_range, i);
    }
    out = static_cast<T>(magnitude);
  }
  ++i;
  return true;
}

// Whether a decimal number too small or too large for double underflows (tends to zero) rather
// than overflows: its decimal exponent (digits before the point, plus the exponent) is negative.
inline bool underflows(std::string_view token) noexcept {
  std::size_t k = token[0] == '-' ? 1 : 0;
  long magnitude = 0;
  bool leading = true;
  for (; k < token.size() && token[k] != '.' && token[k] != 'e' && token[k] != 'E'; ++k) {
    if (leading && token[k] == '0') continue;
    leading = false;
    ++magnitude;
  }
  if (magnitude == 0) {
    // 0.000...: count the zeros after the point.
    if (k < token.size() && token[k] == '.') {
      for (++k; k < token.size() && token[k] == '0'; ++k) --magnitude;
    }
  }
  const std::size_t e = token.find_first_of("eE");
  long exponent = 0;
  if (e != std::string_view::npos) {
    std::size_t p = e + 1;
    const bool negative = p < token.size() && token[p] == '-';
    if (p < token.size() && (token[p] == '-' || token[p] == '+')) ++p;
    for (; p < token.size() && exponent < 100000; ++p) exponent = exponent * 10 + (token[p] - '0');
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent < 0;
}

template <class T>
bool read_floating(decode_context& ctx, std::uint32_t& i, T& out) {
  const walk w = ctx.view();
  const std::string_view token = w.token(i);
  if (token.empty() || !classify_number(token).valid)
    return fail_value(ctx, i, json_kind::floating);
  double x = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), x);
  if (ec == std::errc::result_out_of_range) {
    if (!underflows(token)) return ctx.fail_at(errc::out_of_range, i);
    x = token[0] == '-' ? -0.0 : 0.0;
  } else if (ec != std::errc{} || end != token.data() + token.size()) {
    return ctx.fail_at(errc::malformed_json, i);
  }
  if constexpr (sizeof(T) < sizeof(double)) {
    if (x > std::numeric_limits<T>::max() || x < std::numeric_limits<T>::lowest()) {
      return ctx.fail_at(errc::out_of_range, i);
    }
  }
  out = static_cast<T>(x);
  ++i;
  return true;
}

template <class T>
bool read_vector(decode_context& ctx, std::uint32_t& i, T& out) {
  const walk w = ctx.view();
  if (w.at(i) != '[') return fail_value(ctx, i, json_kind::array);
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, i);
  ++i;
  // Elements already in `out` are overwritten in place so decode_into keeps their capacity.
  std::size_t index = 0;
  bool done = w.at(i) == ']';
  if (done) ++i;
  while (!done) {
    if (index == out.size()) out.emplace_back();
    bool ok;
    if constexpr (std::is_same_v<typename T::value_type, bool>) {
      bool b = false;
      ok = read_value(ctx, i, b);
      out[index] = b;
    } else {
      ok = read_value(ctx, i, out[index]);
    }
    if (!ok) {
      prepend_index(ctx.err.path, index);
      return false;
    }
    ++index;
    if (!next_item(ctx, i, ']', done)) return false;
  }
  out.resize(index);
  --ctx.depth;
  return true;
}

template <class T>
bool read_map(decode_context& ctx, std::uint32_t& i, T& out) {
  const walk w = ctx.view();
  if (w.at(i) != '{') return fail_value(ctx, i, json_kind::object);
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, i);
  ++i;
  out.clear();
  bool done = w.at(i) == '}';
  if (done) ++i;
  while (!done) {
    std::string_view key;
    if (!raw_key(ctx, i, key)) return false;
    const char* raw = key.data();
    if (contains_backslash(key.data(), key.size()) && !unescape_key(ctx, key)) return false;
    i += 2;
    auto [it, inserted] = out.try_emplace(std::string(key));
    if (!inserted) {
      ctx.fail(errc::duplicate_key, raw - 1);
      prepend_pointer_segment(ctx.err.path, key);
      return false;
    }
    if (!read_value(ctx, i, it->second)) {
      prepend_pointer_segment(ctx.err.path, key);
      return false;
    }
    if (!next_item(ctx, i, '}', done)) return false;
    if (!done && w.at(i) != '"') return ctx.fail_at(errc::malformed_json, i);
  }
  --ctx.depth;
  return true;
}

// A value of a type with a skew::codec: its wire value, then the codec's verdict on it.
template <class T>
bool read_codec_value(decode_context& ctx, std::uint32_t& i, T& out) {
  const std::uint32_t at = i;
  wire_t<T> wire{};
  if (!read_value(ctx, i, wire)) return false;
  if (!static_cast<bool>(codec<T>::read(std::as_const(wire), out))) {
    return ctx.fail_at(errc::invalid_value, at);
  }
  return true;
}

template <class T>
SKEW_HOT_INLINE bool read_value(decode_context& ctx, std::uint32_t& i, T& out) {
  if constexpr (has_codec<T>) {
    std::uint32_t j = i;  // out of line, through a copy: the caller's position stays in a register
    const bool ok = read_codec_value(ctx, j, out);
    i = j;
    return ok;
  } else if constexpr (std::is_same_v<T, bool>) {
    const std::string_view token = ctx.token(i);
    if (token == "true" || token == "false") {
      out = token[0] == 't';
      ++i;
      return true;
    }
    return fail_value(ctx, i, json_kind::boolean);
  } else if constexpr (std::is_integral_v<T>) {
    return read_integer(ctx, i, out);
  } else if constexpr (std::is_floating_point_v<T>) {
    return read_floating(ctx, i, out);
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::string_view s;
    if (!read_string_view(ctx, i, s)) return false;
    out.assign(s.data(), s.size());
    return true;
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return read_string_view(ctx, i, out);
  } else if constexpr (std::is_same_v<T, raw_json>) {
    std::string_view json;
    if (!capture_raw(ctx, i, json)) return false;
    out = raw_json(json);
    return true;
  } else if constexpr (described_enum<T>) {
    const std::uint32_t at = i;
    std::string_view s;
    if (!read_string_view(ctx, i, s)) return false;
    if (auto e = enum_from_name<T>(s)) {
      out = *e;
      return true;
    }
    return ctx.fail_at(errc::invalid_enum, at);
  } else if constexpr (is_open_enum<T>::value) {
    std::string_view s;
    if (!read_string_view(ctx, i, s)) return false;
    out.assign_text(s);
    return true;
  } else if constexpr (is_optional<T>::value) {
    if (is_null_at(ctx, i)) {
      out.reset();
      ++i;
      return true;
    }
    if (!out.has_value()) out.emplace();
    return read_value(ctx, i, *out);
  } else if constexpr (is_field<T>::value) {
    if (is_null_at(ctx, i)) {
      out.set_null();
      ++i;
      return true;
    }
    out.set_state(presence::value);
    return read_value(ctx, i, out.storage());
  } else if constexpr (is_vector<T>::value || string_keyed_map<T> || described<T>) {
    // Containers are read out of line; through a copy of the position, so the caller's stays in
    // a register.
    std::uint32_t j = i;
    bool ok;
    if constexpr (is_vector<T>::value) {
      ok = read_vector(ctx, j, out);
    } else if constexpr (string_keyed_map<T>) {
      ok = read_map(ctx, j, out);
    } else {
      // Declared in read_struct.hpp, found at instantiation (decode_context is in this namespace).
      ok = read_struct(ctx, j, static_cast<void*>(&out), read_table_of<T>());
    }
    i = j;
    return ok;
  } else {
    static_assert(dependent_false<T>,
                  "skew cannot read this type (T in the line above): describe structs with "
                  "SKEW_DESCRIBE, enums with SKEW_ENUM, or specialize skew::codec<T>; maps need "
                  "std::string keys");
    return false;
  }
}

// For a root that must be an object: broken bytes are malformed whatever the expected type; an
// intact scalar or array is the wrong kind of root.
inline bool check_object_root(decode_context& ctx) {
  if (ctx.count == 0) return ctx.fail(errc::malformed_json);
  if (ctx.at(0) == '{') return true;
  std::uint32_t probe = 0;
  if (ctx.at(0) != '[' && !validate_value(ctx, probe)) return false;
  return ctx.fail(errc::not_an_object, ctx.input_begin);
}

// Reads a whole document: the root value, then a check that nothing follows it. Described
// structs take read_struct_document (read_struct.hpp), which is compiled once for all of them.
template <class T>
bool read_document(decode_context& ctx, T& out) {
  if constexpr (described<T>) {
    return read_struct_document(ctx, static_cast<void*>(&out), read_table_of<T>());
  } else {
    if constexpr (string_keyed_map<T>) {
      if (!check_object_root(ctx)) return false;
    } else if (ctx.count == 0) {
      return ctx.fail(errc::malformed_json);
    }
    std::uint32_t i = 0;
    ctx.depth = 0;
    if (!read_value(ctx, i, out)) return false;
    if (i != ctx.count) return ctx.fail_at(errc::trailing_content, i);
    return true;
  }
}

}  // namespace skew::detail

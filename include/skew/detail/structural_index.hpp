// The input as the reader walks it: skew's own stage 1 (the position of every structural
// character and of the first byte of every scalar and string, found 64 bytes at a time) and a
// view of the input with those positions. Only simdjson's public API is used here (its UTF-8
// validator, its error codes and its padding), so skew builds and behaves the same on every
// simdjson release.
#pragma once

#include <skew/detail/scan.hpp>
#include <skew/detail/simdjson.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__PCLMUL__)
#include <wmmintrin.h>
#endif

// The walker's per-token steps: small, and called once per key or value, so a call per step would
// cost more than the step.
#if defined(__GNUC__)
#define SKEW_HOT_INLINE [[gnu::always_inline]] inline
#else
#define SKEW_HOT_INLINE inline
#endif

namespace skew::detail {

// One 64-byte block of input classified: one bit per byte, byte 0 in bit 0.
struct block_classes {
  std::uint64_t quote;
  std::uint64_t backslash;
  std::uint64_t whitespace;  // space, tab, line feed, carriage return
  std::uint64_t op;          // { } [ ] : ,
  std::uint64_t control;     // below 0x20
  std::uint64_t non_ascii;   // 0x80 and above
};

#if defined(__SSE2__)
SKEW_HOT_INLINE block_classes classify_block(const char* p) noexcept {
  block_classes c{};
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i line_feed = _mm_set1_epi8('\n');
  const __m128i carriage_return = _mm_set1_epi8('\r');
  const __m128i lower_case_bit = _mm_set1_epi8(0x20);  // '[' | 0x20 == '{', ']' | 0x20 == '}'
  const __m128i open_brace = _mm_set1_epi8('{');
  const __m128i close_brace = _mm_set1_epi8('}');
  const __m128i colon = _mm_set1_epi8(':');
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    auto bits = [&](__m128i m) {
      return std::uint64_t(static_cast<std::uint16_t>(_mm_movemask_epi8(m))) << (16 * k);
    };
    c.quote |= bits(_mm_cmpeq_epi8(v, quote));
    c.backslash |= bits(_mm_cmpeq_epi8(v, backslash));
    c.whitespace |= bits(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(v, tab)),
        _mm_or_si128(_mm_cmpeq_epi8(v, line_feed), _mm_cmpeq_epi8(v, carriage_return))));
    const __m128i folded = _mm_or_si128(v, lower_case_bit);
    c.op |= bits(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(folded, open_brace), _mm_cmpeq_epi8(folded, close_brace)),
        _mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, comma))));
    c.control |= bits(_mm_cmpeq_epi8(_mm_min_epu8(v, last_control), v));
    c.non_ascii |= bits(v);
  }
  return c;
}
#else
SKEW_HOT_INLINE block_classes classify_block(const char* p) noexcept {
  block_classes c{};
  for (unsigned i = 0; i < 64; ++i) {
    const auto b = static_cast<unsigned char>(p[i]);
    const std::uint64_t bit = std::uint64_t{1} << i;
    if (b == '"') c.quote |= bit;
    if (b == '\\') c.backslash |= bit;
    if (b == ' ' || b == '\t' || b == '\n' || b == '\r') c.whitespace |= bit;
    if (b == '{' || b == '}' || b == '[' || b == ']' || b == ':' || b == ',') c.op |= bit;
    if (b < 0x20) c.control |= bit;
    if (b >= 0x80) c.non_ascii |= bit;
  }
  return c;
}
#endif

// Bit i of the result is the xor of bits 0..i of x: between an opening quote (included) and its
// closing quote (excluded) the result is 1.
inline std::uint64_t prefix_xor(std::uint64_t x) noexcept {
#if defined(__PCLMUL__)
  const __m128i all_ones = _mm_set1_epi8(static_cast<char>(0xff));
  const __m128i product =
      _mm_clmulepi64_si128(_mm_set_epi64x(0, static_cast<long long>(x)), all_ones, 0);
  return static_cast<std::uint64_t>(_mm_cvtsi128_si64(product));
#else
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
#endif
}

// Set bits of x. std::popcount is a library call where the target has no popcnt instruction
// (x86-64 without -mpopcnt), which costs more than this.
constexpr std::uint32_t count_bits(std::uint64_t x) noexcept {
#if defined(__POPCNT__) || !defined(__x86_64__)
  return static_cast<std::uint32_t>(std::popcount(x));
#else
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<std::uint32_t>((x * 0x0101010101010101ULL) >> 56);
#endif
}

// Finds the structural positions of a whole input, block by block, carrying across blocks whether
// the last byte escaped the next one, ended inside a string, or was inside a scalar.
class structural_indexer {
 public:
  explicit structural_indexer(std::uint32_t* out) noexcept : out_(out) {}

  SKEW_HOT_INLINE void block(const char* p, std::uint32_t base) noexcept {
    const block_classes c = classify_block(p);
    const std::uint64_t escaped = escaped_bytes(c.backslash);
    const std::uint64_t quote = c.quote & ~escaped;
    const std::uint64_t in_string = prefix_xor(quote) ^ in_string_;
    in_string_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(in_string) >> 63);
    control_in_string_ |= c.control & in_string;
    non_ascii_ |= c.non_ascii;
    // A scalar starts at a byte that is neither an operator nor whitespace and does not follow
    // another such byte (a closing quote counts as the end of one); string contents and closing
    // quotes never start anything.
    const std::uint64_t scalar = ~(c.op | c.whitespace);
    const std::uint64_t unquoted_scalar = scalar & ~quote;
    const std::uint64_t follows_scalar = (unquoted_scalar << 1) | scalar_carry_;
    scalar_carry_ = unquoted_scalar >> 63;
    const std::uint64_t string_tail = in_string ^ quote;
    write((c.op | (scalar & ~follows_scalar)) & ~string_tail, base);
  }

  std::uint32_t count() const noexcept { return count_; }
  bool unclosed_string() const noexcept { return in_string_ != 0; }
  bool control_in_string() const noexcept { return control_in_string_ != 0; }
  bool saw_non_ascii() const noexcept { return non_ascii_ != 0; }

 private:
  // The bytes escaped by a backslash: a backslash escapes the byte after it unless it is itself
  // escaped. Backslashes are rare outside escape-heavy strings, so this walks them one by one.
  std::uint64_t escaped_bytes(std::uint64_t backslash) noexcept {
    std::uint64_t escaped = escape_carry_;
    backslash &= ~escape_carry_;
    escape_carry_ = 0;
    while (backslash != 0) {
      const int i = std::countr_zero(backslash);
      if (i == 63) {
        escape_carry_ = 1;
        break;
      }
      escaped |= std::uint64_t{2} << i;
      backslash &= ~(std::uint64_t{3} << i);
    }
    return escaped;
  }

  // Writes the positions of the set bits, eight at a time without a branch per bit: past the
  // last one it writes junk that the next block overwrites (the output has a block of slack).
  // The count is a local: stores through out_ could alias a member.
  void write(std::uint64_t bits, std::uint32_t base) noexcept {
    const std::uint32_t n = count_bits(bits);
    std::uint32_t* out = out_ + count_;
    for (std::uint32_t written = 0; written < n; written += 8) {
      for (std::uint32_t k = 0; k < 8; ++k) {
        out[written + k] = base + static_cast<std::uint32_t>(std::countr_zero(bits));
        bits &= bits - 1;
      }
    }
    count_ += n;
  }

  std::uint32_t* out_;
  std::uint32_t count_ = 0;
  std::uint64_t escape_carry_ = 0;
  std::uint64_t in_string_ = 0;
  std::uint64_t scalar_carry_ = 0;
  std::uint64_t control_in_string_ = 0;
  std::uint64_t non_ascii_ = 0;
};

// The structural positions of one input and the buffer that unescaped strings are written to.
// One per decoder: both are reused from message to message.
class structural_index {
 public:
  // The largest input: positions are 32-bit offsets.
  static constexpr std::size_t max_length = 0xffffffffu - 64;

  // Indexes `length` bytes at `json`. The errors and their order are simdjson's stage 1's: an
  // unclosed string, a raw control character in a string, no token at all, invalid UTF-8.
  simdjson::error_code build(const char* json, std::size_t length) {
    if (length > max_length) return simdjson::CAPACITY;
    if (length > capacity_ || !positions_) {
      // Grow geometrically so a stream of slowly growing messages does not reallocate each time.
      std::size_t capacity = capacity_ == 0 ? 4096 : capacity_;
      while (capacity < length) capacity *= 2;
      // Every byte may be a structural position (`[[[[`); one more block for the tail.
      positions_ = std::make_unique<std::uint32_t[]>(capacity + 64);
      // Unescaping never lengthens a string; a dispatch may walk the message twice.
      strings_ = std::make_unique<char[]>(2 * capacity + 2 * simdjson::SIMDJSON_PADDING);
      capacity_ = capacity;
    }
    structural_indexer indexer(positions_.get());
    const std::size_t whole = length - length % 64;
    for (std::size_t at = 0; at < whole; at += 64) {
      indexer.block(json + at, static_cast<std::uint32_t>(at));
    }
    if (whole < length) {
      char tail[64];
      std::memset(tail, ' ', sizeof tail);
      std::memcpy(tail, json + whole, length - whole);
      indexer.block(tail, static_cast<std::uint32_t>(whole));
    }
    count_ = indexer.count();
    if (indexer.unclosed_string()) return simdjson::UNCLOSED_STRING;
    if (indexer.control_in_string()) return simdjson::UNESCAPED_CHARS;
    if (count_ == 0) return simdjson::EMPTY;
    if (indexer.saw_non_ascii() && !simdjson::validate_utf8(json, length)) {
      return simdjson::UTF8_ERROR;
    }
    return simdjson::SUCCESS;
  }

  const std::uint32_t* positions() const noexcept { return positions_.get(); }
  std::uint32_t count() const noexcept { return count_; }
  char* strings() const noexcept { return strings_.get(); }

 private:
  std::unique_ptr<std::uint32_t[]> positions_;
  std::unique_ptr<char[]> strings_;
  std::size_t capacity_ = 0;
  std::uint32_t count_ = 0;
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

}  // namespace skew::detail

// Byte-level scanning the decoder does itself instead of asking a parser to materialize text:
// finding where a key or string ends, checking and unescaping string content (one walk), and the
// grammar and digits of number tokens (one walk).
#pragma once

#include <array>
#include <bit>
#include <cfloat>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <skew/base/detail/config.hpp>
#include <skew/base/detail/hex.hpp>
#include <skew/json/detail/simd.hpp>
#include <string_view>
#include <type_traits>

namespace skew::detail {

inline constexpr std::uint64_t swar_ones = 0x0101010101010101ULL;
inline constexpr std::uint64_t swar_high = 0x8080808080808080ULL;

// High bit set in each byte of `x` that is below `n` (n <= 128). Bits above the lowest match may be
// false positives (borrows), so callers only use the lowest set bit.
constexpr std::uint64_t swar_bytes_below(std::uint64_t x, std::uint8_t n) noexcept {
  return (x - swar_ones * n) & ~x & swar_high;
}
constexpr std::uint64_t swar_bytes_equal(std::uint64_t x, std::uint8_t c) noexcept {
  return swar_bytes_below(x ^ (swar_ones * c), 1);
}

// Offset of the first '"' or '\\' at or after `p` (raw control bytes are stage 1's to refuse).
// Reads 16 bytes at a time (8 without SSE2) past the match, which is safe because padded input
// always carries input_padding readable bytes and a string that reached us is closed before the end
// of the input.
SKEW_ALWAYS_INLINE inline std::size_t find_string_special(const char* p) noexcept {
#if defined(SKEW_USE_SSE2)
  for (std::size_t i = 0;; i += 16) {
    const std::uint32_t m = string_stop_bytes16(p + i);
    if (m != 0) return i + static_cast<std::size_t>(std::countr_zero(m));
  }
#else
  if constexpr (std::endian::native == std::endian::little) {
    for (std::size_t i = 0;; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      const std::uint64_t m = swar_bytes_equal(w, '"') | swar_bytes_equal(w, '\\');
      if (m != 0) return i + static_cast<std::size_t>(std::countr_zero(m)) / 8;
    }
  } else {
    std::size_t i = 0;
    while (p[i] != '"' && p[i] != '\\') ++i;
    return i;
  }
#endif
}

// Whether [p, p + n) holds a backslash: 16 bytes at a time with SSE2 (the x86-64 baseline), else
// 8 at a time. Reading up to 15 bytes past the end is safe in padded input; those bytes are masked
// off.
SKEW_ALWAYS_INLINE inline bool contains_backslash(const char* p, std::size_t n) noexcept {
#if defined(SKEW_USE_SSE2)
  for (std::size_t i = 0; i < n; i += 16) {
    std::uint32_t m = backslash_bytes16(p + i);
    // Bytes past the end are masked off without a branch: string lengths vary from message to
    // message, and a branch on them mispredicts.
    const std::size_t left = n - i < 32 ? n - i : 32;
    m &= static_cast<std::uint32_t>((std::uint64_t{1} << left) - 1);
    if (m != 0) return true;
  }
  return false;
#else
  if constexpr (std::endian::native == std::endian::little) {
    for (std::size_t i = 0; i < n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      std::uint64_t m = swar_bytes_equal(w, '\\');
      if (n - i < 8) m &= (std::uint64_t{1} << (8 * (n - i))) - 1;
      if (m != 0) return true;
    }
    return false;
  } else {
    return std::memchr(p, '\\', n) != nullptr;
  }
#endif
}

constexpr bool is_json_whitespace(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum class scan_status : unsigned char { ok, malformed, bad_surrogate };

// Reads four hex digits at p; -1 when they are not hex. All four are read and checked at once
// (a digit that is not hex is -1, which sets the sign of the OR of all four).
constexpr long read_hex4(const char* p) noexcept {
  const int d0 = hex_digit(p[0]), d1 = hex_digit(p[1]), d2 = hex_digit(p[2]), d3 = hex_digit(p[3]);
  if ((d0 | d1 | d2 | d3) < 0) return -1;
  return (long{d0} << 12) | (long{d1} << 8) | (long{d2} << 4) | long{d3};
}

// Writes the UTF-8 of code point `cp` at `dst`; returns the byte after it.
inline char* write_utf8(long cp, char* dst) noexcept {
  auto byte = [](long v) { return static_cast<char>(static_cast<unsigned char>(v)); };
  if (cp < 0x80) {
    *dst++ = byte(cp);
  } else if (cp < 0x800) {
    *dst++ = byte(0xc0 | (cp >> 6));
    *dst++ = byte(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *dst++ = byte(0xe0 | (cp >> 12));
    *dst++ = byte(0x80 | ((cp >> 6) & 0x3f));
    *dst++ = byte(0x80 | (cp & 0x3f));
  } else {
    *dst++ = byte(0xf0 | (cp >> 18));
    *dst++ = byte(0x80 | ((cp >> 12) & 0x3f));
    *dst++ = byte(0x80 | ((cp >> 6) & 0x3f));
    *dst++ = byte(0x80 | (cp & 0x3f));
  }
  return dst;
}

// The byte each one-character escape (RFC 8259: \" \\ \/ \b \f \n \r \t) stands for, by the
// character after the backslash; 0 for every other character.
inline constexpr std::array<char, 256> simple_escapes = [] {
  std::array<char, 256> t{};
  for (const char* e = "\"\"\\\\//b\bf\fn\nr\rt\t"; *e != '\0'; e += 2) {
    t[static_cast<unsigned char>(e[0])] = e[1];
  }
  return t;
}();

// The byte a one-character escape stands for, else 0.
constexpr char simple_escape(char e) noexcept {
  return simple_escapes[static_cast<unsigned char>(e)];
}

// Walks JSON string content from `p` (just past the opening quote) to its closing quote and checks
// it: only the escapes RFC 8259 defines, surrogate escapes in pairs (a lone surrogate cannot
// become UTF-8); a raw control character cannot be there (stage 1 refuses it). With Write it also
// unescapes it into `dst` and sets `end` past what it wrote; with SSE2 plain runs are then copied
// 16 bytes at a time, so up to 15 bytes past `end` are written (the string buffer has room for
// them).
template <bool Write>
inline scan_status walk_string(const char* p, char* dst, char*& end) noexcept {
  for (;;) {
    std::size_t run;
    if constexpr (Write) {
#if defined(SKEW_USE_SSE2)
      std::uint32_t stop;
      while ((stop = string_stop_bytes16(p)) == 0) {
        copy16(dst, p);
        p += 16;
        dst += 16;
      }
      copy16(dst, p);
      run = static_cast<std::size_t>(std::countr_zero(stop));
#else
      run = find_string_special(p);
      std::memcpy(dst, p, run);
#endif
      dst += run;
    } else {
      run = find_string_special(p);
    }
    p += run;
    if (*p == '"') {
      end = dst;
      return scan_status::ok;
    }
    if (p[1] != 'u') {
      const char c = simple_escape(p[1]);
      if (c == 0) return scan_status::malformed;
      if constexpr (Write) *dst++ = c;
      p += 2;
      continue;
    }
    long cp = read_hex4(p + 2);
    if (cp < 0) return scan_status::malformed;
    p += 6;
    if (cp >= 0xdc00 && cp <= 0xdfff) return scan_status::bad_surrogate;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (p[0] != '\\' || p[1] != 'u') return scan_status::bad_surrogate;
      const long low = read_hex4(p + 2);
      if (low < 0) return scan_status::malformed;
      if (low < 0xdc00 || low > 0xdfff) return scan_status::bad_surrogate;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      p += 6;
    }
    if constexpr (Write) dst = write_utf8(cp, dst);
  }
}

// Checks string content (see walk_string) without writing it.
inline scan_status check_string(const char* p) noexcept {
  char* unused = nullptr;
  return walk_string<false>(p, nullptr, unused);
}

// Unescapes and checks string content (see walk_string) into `dst`.
inline scan_status unescape_string(const char* p, char* dst, char*& end) noexcept {
  return walk_string<true>(p, dst, end);
}

constexpr bool only_whitespace(std::string_view s) noexcept {
  for (char c : s) {
    if (!is_json_whitespace(c)) return false;
  }
  return true;
}

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Eight bytes from p as one word, the first byte lowest (the order the digit arithmetic below
// assumes on every platform). At run time on a little-endian machine this is one load.
SKEW_ALWAYS_INLINE constexpr std::uint64_t load_le64(const char* p) noexcept {
  if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  std::uint64_t w = 0;
  for (int j = 0; j < 8; ++j) w |= std::uint64_t{static_cast<unsigned char>(p[j])} << (8 * j);
  return w;
}

// Whether all eight bytes of `w` are ASCII digits: each has high nibble 3, and adding 6 leaves it
// there (0x30-0x39, not 0x3a-0x3f). The first test rules out the carries of the second.
SKEW_ALWAYS_INLINE constexpr bool eight_digits(std::uint64_t w) noexcept {
  constexpr std::uint64_t high_nibbles = 0xf0f0f0f0f0f0f0f0ULL;
  constexpr std::uint64_t threes = swar_ones * 0x30;
  return (w & high_nibbles) == threes && ((w + swar_ones * 6) & high_nibbles) == threes;
}

// The value of eight digits (load_le64 of them, the first one most significant): adjacent digits
// become 2-digit numbers in 16-bit lanes, those 4-digit numbers in 32-bit lanes, those the whole;
// one multiply-add per step, no lane ever overflows.
SKEW_ALWAYS_INLINE constexpr std::uint64_t eight_digits_value(std::uint64_t w) noexcept {
  w -= swar_ones * '0';
  w = (w * 10 + (w >> 8)) & 0x00ff00ff00ff00ffULL;
  w = (w * 100 + (w >> 16)) & 0x0000ffff0000ffffULL;
  return (w * 10000 + (w >> 32)) & 0xffffffffULL;
}

// Reads the run of digits that starts at p and ends at or before `end`; returns where it stops.
// With WithValue, `value` becomes value * 10^k + those k digits, modulo 2^64 (callers decide
// overflow by the count). Eight digits per step while eight bytes remain, then one at a time (for
// the short rest, a byte loop beats the arithmetic above). The sum lives in a local: through the
// reference, every digit would wait on a store and a load.
template <bool WithValue>
SKEW_ALWAYS_INLINE constexpr const char* take_digits(const char* p, const char* end,
                                                     std::uint64_t& value) noexcept {
  std::uint64_t sum = value;
  while (end - p >= 8) {
    const std::uint64_t w = load_le64(p);
    if (!eight_digits(w)) break;
    if constexpr (WithValue) sum = sum * 100000000 + eight_digits_value(w);
    p += 8;
  }
  for (; p != end && is_digit(*p); ++p) {
    if constexpr (WithValue) sum = sum * 10 + static_cast<std::uint64_t>(*p - '0');
  }
  value = sum;
  return p;
}

// A number token (as the structural index gives it: the token plus trailing whitespace) checked
// against the RFC 8259 grammar, -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and, for
// scan_decimal, read: when it has at most 19 digits, those digits as an integer and the power of
// ten that scales them.
struct decimal_number {
  bool valid = false;
  bool negative = false;
  bool integral = false;      // no fraction and no exponent
  bool short_digits = false;  // mantissa and exponent10 hold the value
  std::uint64_t mantissa = 0;
  int exponent10 = 0;
};

// One walk for both: WithDigits adds the digits' arithmetic to the grammar check. The digits and
// their count are kept in locals and stored into the result once, at the end.
template <bool WithDigits>
constexpr decimal_number walk_number(std::string_view token) noexcept {
  decimal_number d;
  std::size_t i = 0;
  const std::size_t n = token.size();
  std::uint64_t mantissa = 0;
  const char* const text = token.data();
  if (i < n && token[i] == '-') {
    d.negative = true;
    ++i;
  }
  if (i >= n || !is_digit(token[i])) return d;
  int digits = 0;
  if (token[i] == '0') {
    ++i;
  } else {
    const std::size_t first = i;
    i = static_cast<std::size_t>(take_digits<WithDigits>(text + i, text + n, mantissa) - text);
    digits = static_cast<int>(i - first);
  }
  d.integral = true;
  int fraction_digits = 0;
  if (i < n && token[i] == '.') {
    d.integral = false;
    ++i;
    if (i >= n || !is_digit(token[i])) return d;
    const std::size_t first = i;
    i = static_cast<std::size_t>(take_digits<WithDigits>(text + i, text + n, mantissa) - text);
    fraction_digits = static_cast<int>(i - first);
  }
  long exponent = 0;
  if (i < n && (token[i] == 'e' || token[i] == 'E')) {
    d.integral = false;
    ++i;
    const bool negative_exponent = i < n && token[i] == '-';
    if (i < n && (token[i] == '+' || token[i] == '-')) ++i;
    if (i >= n || !is_digit(token[i])) return d;
    while (i < n && is_digit(token[i])) {
      if constexpr (WithDigits) {
        if (exponent < 100000) exponent = exponent * 10 + (token[i] - '0');
      }
      ++i;
    }
    if (negative_exponent) exponent = -exponent;
  }
  d.valid = only_whitespace(token.substr(i));
  if constexpr (WithDigits) {
    d.mantissa = mantissa;
    d.short_digits = digits + fraction_digits <= 19 && exponent > -100000 && exponent < 100000;
    d.exponent10 = static_cast<int>(exponent) - fraction_digits;
  }
  return d;
}

// The grammar alone (validation, error messages).
constexpr decimal_number classify_number(std::string_view token) noexcept {
  return walk_number<false>(token);
}

// The grammar and the digits (reading a floating-point member).
constexpr decimal_number scan_decimal(std::string_view token) noexcept {
  return walk_number<true>(token);
}

// The double nearest a decimal_number with short digits, when one multiplication or division
// gives it: the digits and the power of ten are both exact doubles (at most 2^53 and 10^22), so
// the one rounding of that operation is the correct one (Clinger's fast path). False otherwise.
inline bool exact_double(const decimal_number& d, double& x) noexcept {
  static constexpr double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
  return false;  // x87 arithmetic would round twice
#endif
  if (!d.short_digits || d.mantissa > (std::uint64_t{1} << 53) || d.exponent10 < -22 ||
      d.exponent10 > 22) {
    return false;
  }
  const double m = static_cast<double>(d.mantissa);
  x = d.exponent10 < 0 ? m / powers[-d.exponent10] : m * powers[d.exponent10];
  if (d.negative) x = -x;
  return true;
}

// true when `token` is exactly `literal` followed by whitespace only.
constexpr bool is_literal(std::string_view token, std::string_view literal) noexcept {
  return token.substr(0, literal.size()) == literal &&
         only_whitespace(token.substr(literal.size()));
}

// The token without trailing whitespace.
constexpr std::string_view trim_right(std::string_view s) noexcept {
  while (!s.empty() && is_json_whitespace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace skew::detail

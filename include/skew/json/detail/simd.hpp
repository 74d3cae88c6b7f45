// Every SIMD instruction skew uses but the AVX-512 kernel's (json/detail/simd_avx512.hpp), behind
// SKEW_USE_SSE2 (base/detail/config.hpp): stage 1's classification of a 64-byte block, UTF-8
// validation (AVX2), the quote-mask prefix xor, and the 16- and 32-byte compares of the name
// matchers, the string scanner and the string writer. Each function has a portable body for
// builds without SSE2; callers with a better portable path test SKEW_USE_SSE2 themselves.
#pragma once

#include <skew/base/detail/config.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(SKEW_USE_SSE2)
#include <emmintrin.h>
#if defined(__PCLMUL__)
#include <wmmintrin.h>
#endif
#endif

namespace skew::detail {

// Which kernel runs stage 1 (the structural index, then UTF-8 validation): the processor's best
// (AVX-512, else AVX2, else portable), at most AVX2, or the portable one (SSE2 or scalar); tests
// and benchmarks compare them.
enum class stage1_kernel : unsigned char { best, avx2, portable };

// One 64-byte block of input classified: one bit per byte, byte 0 in bit 0.
struct block_classes {
  std::uint64_t quote;
  std::uint64_t backslash;
  std::uint64_t whitespace;  // space, tab, line feed, carriage return
  std::uint64_t op;          // { } [ ] : ,
  std::uint64_t control;     // below 0x20
  std::uint64_t non_ascii;   // 0x80 and above
};

#if defined(SKEW_USE_SSE2)
SKEW_ALWAYS_INLINE inline block_classes classify_block(const char* p) noexcept {
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
SKEW_ALWAYS_INLINE inline block_classes classify_block(const char* p) noexcept {
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

#if defined(SKEW_AVX2_KERNEL)
// Whether the processor runs the AVX2 kernels (checked once).
inline bool avx2_kernel_available() noexcept {
  static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                                __builtin_cpu_supports("bmi2") &&
                                __builtin_cpu_supports("pclmul") &&
                                __builtin_cpu_supports("popcnt");
  return available;
}

// The AVX2 kernel is written with the compiler's vector types and x86 builtins (GCC's and
// Clang's), not <immintrin.h>: that header declares every x86 intrinsic, and parsing it is a large
// share of the compile time of a TU that includes skew (docs/performance.md, the
// section on <immintrin.h>).
typedef char byte32 SKEW_VECTOR_SIZE(32);
typedef unsigned char ubyte32 SKEW_VECTOR_SIZE(32);
typedef long long int64x2 SKEW_VECTOR_SIZE(16);

// One bit per byte of a comparison's result (0 or -1 per byte), byte 0 in bit 0.
SKEW_TARGET_AVX2 SKEW_ALWAYS_INLINE inline std::uint64_t byte_bits32(byte32 m) noexcept {
  return static_cast<std::uint32_t>(__builtin_ia32_pmovmskb256(m));
}

// The same classification 32 bytes at a time, whitespace and operators by a table lookup on the
// low nibble: of the bytes with a given low nibble at most one is whitespace and at most one is an
// operator once '[' ']' are folded onto '{' '}' by their 0x20 bit. That fold also maps two control
// bytes (0x0c, 0x1a) onto ',' and ':'; they are taken out again, being controls. Bytes from 0x80
// look up zero and match nothing.
SKEW_TARGET_AVX2 SKEW_ALWAYS_INLINE inline block_classes classify_block_avx2(
    const char* p) noexcept {
  const byte32 whitespace_by_nibble = {
      ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,  //
      ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0};
  const byte32 op_by_nibble = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0,  //
                               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0};
  block_classes c{};
  // Unrolled: as a loop (g++ 12 -O2 keeps it one), each mask is shifted by a variable amount.
#if defined(__clang__)
#pragma clang loop unroll(full)
#elif defined(__GNUC__)
#pragma GCC unroll 2
#endif
  for (int k = 0; k < 2; ++k) {
    byte32 v;
    std::memcpy(&v, p + 32 * k, sizeof v);
    const byte32 folded = v | 0x20;  // '[' | 0x20 == '{', ']' | 0x20 == '}'
    const int shift = 32 * k;
    c.quote |= byte_bits32(byte32(v == '"')) << shift;
    c.backslash |= byte_bits32(byte32(v == '\\')) << shift;
    c.whitespace |= byte_bits32(byte32(__builtin_ia32_pshufb256(whitespace_by_nibble, v) == v))
                    << shift;
    c.op |= byte_bits32(byte32(__builtin_ia32_pshufb256(op_by_nibble, folded) == folded)) << shift;
    c.control |= byte_bits32(byte32(ubyte32(v) <= 0x1f)) << shift;
    c.non_ascii |= byte_bits32(v) << shift;
  }
  c.op &= ~c.control;
  return c;
}

// UTF-8 validation by Keiser and Lemire's lookup algorithm ("Validating UTF-8 In Less Than One
// Instruction Per Byte", 2021): three nibble-indexed tables classify each byte pair (the byte
// before and its high and low nibbles, the byte's high nibble) into the error kinds the pair can
// show; a non-zero AND of the three is an error, except that a continuation after a continuation
// is right exactly when a three- or four-byte lead stands two or three bytes back. The tables, 16
// bytes each, shared by the AVX2 kernel below and the AVX-512 one (json/detail/simd_avx512.hpp),
// which repeat them in every 16-byte lane.
namespace utf8_lookup {
// The error kinds, one bit each; a pair shows a kind when all three lookups have its bit.
// clang-format off
inline constexpr char too_short = 1 << 0;       // a lead not followed by a continuation
inline constexpr char too_long = 1 << 1;        // ASCII followed by a continuation
inline constexpr char overlong_3 = 1 << 2;      // E0 followed by 80..9F
inline constexpr char too_large = 1 << 3;       // F4 followed by 90..BF, F5..FF followed by 90..BF
inline constexpr char surrogate = 1 << 4;       // ED followed by A0..BF
inline constexpr char overlong_2 = 1 << 5;      // C0, C1 followed by a continuation
inline constexpr char too_large_1000 = 1 << 6;  // F5..FF followed by 80..8F
inline constexpr char overlong_4 = 1 << 6;      // F0 followed by 80..8F
inline constexpr char two_conts = static_cast<char>(1 << 7);  // a continuation after a continuation
inline constexpr char carry = too_short | too_long | two_conts;
inline constexpr char large = carry | too_large | too_large_1000;
inline constexpr char cont_80 = too_long | overlong_2 | two_conts | overlong_3 | too_large_1000 | overlong_4;
inline constexpr char cont_90 = too_long | overlong_2 | two_conts | overlong_3 | too_large;
inline constexpr char cont_a0 = too_long | overlong_2 | two_conts | surrogate | too_large;
// By the high nibble of the byte before: ASCII, continuation, C, D, E, F.
alignas(16) inline constexpr char byte_1_high[16] = {
    too_long, too_long, too_long, too_long, too_long, too_long, too_long, too_long,
    two_conts, two_conts, two_conts, two_conts, too_short | overlong_2, too_short,
    too_short | overlong_3 | surrogate, too_short | too_large | too_large_1000 | overlong_4};
// By the low nibble of the byte before.
alignas(16) inline constexpr char byte_1_low[16] = {
    carry | overlong_3 | overlong_2 | overlong_4, carry | overlong_2, carry, carry,
    carry | too_large, large, large, large, large, large, large, large, large,
    large | surrogate, large, large};
// By the high nibble of the byte: ASCII, 8, 9, A, B, a lead.
alignas(16) inline constexpr char byte_2_high[16] = {
    too_short, too_short, too_short, too_short, too_short, too_short, too_short, too_short,
    cont_80, cont_90, cont_a0, cont_a0, too_short, too_short, too_short, too_short};
// clang-format on
}  // namespace utf8_lookup

typedef char byte16 SKEW_VECTOR_SIZE(16);

// A 16-byte table in both lanes.
SKEW_TARGET_AVX2 SKEW_ALWAYS_INLINE inline byte32 repeat_lanes32(const char* table) noexcept {
  byte16 lane;
  std::memcpy(&lane, table, sizeof lane);
  return __builtin_shufflevector(lane, lane, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

// UTF-8 errors among the 32 bytes at p (p[-3] to p[-1] readable too): non-zero bytes in the
// result are errors.
SKEW_TARGET_AVX2 SKEW_ALWAYS_INLINE inline byte32 utf8_errors32(const char* p) noexcept {
  byte32 input;
  byte32 prev3;
  std::memcpy(&input, p, sizeof input);
  std::memcpy(&prev3, p - 3, sizeof prev3);
  if (byte_bits32(input | prev3) == 0) return byte32{};  // p[-3] to p[31] are ASCII
  byte32 prev1;
  byte32 prev2;
  std::memcpy(&prev1, p - 1, sizeof prev1);
  std::memcpy(&prev2, p - 2, sizeof prev2);
  const byte32 high_1 = byte32(ubyte32(prev1) >> 4);
  const byte32 low_1 = prev1 & 0x0f;
  const byte32 high_2 = byte32(ubyte32(input) >> 4);
  const byte32 special =
      __builtin_ia32_pshufb256(repeat_lanes32(utf8_lookup::byte_1_high), high_1) &
      __builtin_ia32_pshufb256(repeat_lanes32(utf8_lookup::byte_1_low), low_1) &
      __builtin_ia32_pshufb256(repeat_lanes32(utf8_lookup::byte_2_high), high_2);
  const byte32 must_be_continuation =
      byte32((ubyte32(prev2) >= 0xe0) | (ubyte32(prev3) >= 0xf0)) & utf8_lookup::two_conts;
  return must_be_continuation ^ special;
}

// Whether [data, data + size) is UTF-8, 32 bytes at a time; the first block and the last (which
// always holds the position past the end, read as a zero byte, so a sequence cut short at the end
// is found) go through a zeroed copy.
SKEW_TARGET_AVX2 SKEW_NOINLINE inline bool valid_utf8_avx2(const char* data,
                                                           std::size_t size) noexcept {
  byte32 errors{};
  char block[3 + 32];
  std::size_t at = 0;
  for (; at + 32 <= size; at += 32) {
    if (at == 0) {
      std::memset(block, 0, 3);
      std::memcpy(block + 3, data, 32);
      errors |= utf8_errors32(block + 3);
    } else {
      errors |= utf8_errors32(data + at);
    }
  }
  const std::size_t before = at == 0 ? 0 : 3;
  std::memset(block, 0, sizeof block);
  std::memcpy(block + 3 - before, data + at - before, before + (size - at));
  errors |= utf8_errors32(block + 3);
  return byte_bits32(byte32(errors == 0)) == 0xffffffffu;
}

// The input's last, partial block: the 64 bytes at p (the input's padding makes them readable)
// with those from `size` on replaced by spaces, stored to `out` whole. Copying only the `size`
// bytes into a block of spaces would leave the block's loads waiting on stores of other sizes.
SKEW_TARGET_AVX2 SKEW_ALWAYS_INLINE inline void space_padded_block_avx2(const char* p,
                                                                        std::size_t size,
                                                                        char* out) noexcept {
  const byte32 offsets = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                          16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
  const auto end = static_cast<char>(size);  // below 64
  for (int k = 0; k < 2; ++k) {
    byte32 v;
    std::memcpy(&v, p + 32 * k, sizeof v);
    const byte32 keep = byte32(offsets + static_cast<char>(32 * k) < end);
    v = (v & keep) | ((byte32{} + ' ') & ~keep);
    std::memcpy(out + 32 * k, &v, sizeof v);
  }
}

// prefix_xor below, by a carry-less multiplication.
SKEW_TARGET_AVX2 SKEW_ALWAYS_INLINE inline std::uint64_t prefix_xor_clmul(
    std::uint64_t x) noexcept {
  const int64x2 all_ones = {-1, -1};
  const int64x2 product =
      __builtin_ia32_pclmulqdq128(int64x2{static_cast<long long>(x), 0}, all_ones, 0);
  return static_cast<std::uint64_t>(product[0]);
}
#else
constexpr bool avx2_kernel_available() noexcept {
  return false;
}
#endif

// Bit i of the result is the xor of bits 0..i of x: between an opening quote (included) and its
// closing quote (excluded) the result is 1.
inline std::uint64_t prefix_xor(std::uint64_t x) noexcept {
#if defined(SKEW_USE_SSE2) && defined(__PCLMUL__)
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

#if defined(SKEW_USE_SSE2)
// Bit k set where a[k] == b[k], for k < 32. Reads 32 bytes from each.
SKEW_ALWAYS_INLINE inline std::uint32_t equal_bytes32(const char* a, const char* b) noexcept {
  const auto* x = reinterpret_cast<const __m128i*>(a);
  const auto* y = reinterpret_cast<const __m128i*>(b);
  const auto lo = static_cast<std::uint32_t>(
      _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(x), _mm_loadu_si128(y))));
  const auto hi = static_cast<std::uint32_t>(
      _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(x + 1), _mm_loadu_si128(y + 1))));
  return lo | hi << 16;
}

// Bit k set where p[k] is a backslash, for k < 16. Reads 16 bytes.
SKEW_ALWAYS_INLINE inline std::uint32_t backslash_bytes16(const char* p) noexcept {
  const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\'))));
}

// Bit k set where p[k] ends a run of plain string content (a quote or a backslash), for k < 16.
// Reads 16 bytes. A raw control character is not a stop: stage 1 refused the input if a string
// held one (structural_index, stage1::unescaped_chars).
SKEW_ALWAYS_INLINE inline std::uint32_t string_stop_bytes16(const char* p) noexcept {
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i stop =
      _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('"')), _mm_cmpeq_epi8(c, _mm_set1_epi8('\\')));
  return static_cast<std::uint32_t>(_mm_movemask_epi8(stop));
}

// Copies 16 bytes from `from` to `to`.
SKEW_ALWAYS_INLINE inline void copy16(char* to, const char* from) noexcept {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(to),
                   _mm_loadu_si128(reinterpret_cast<const __m128i*>(from)));
}

// Bit k set where p[k] needs an escape in a JSON string or is not ASCII (a quote, a backslash,
// below 0x20 or from 0x80), for k < 16. Reads 16 bytes.
SKEW_ALWAYS_INLINE inline std::uint32_t special_bytes16(const char* p) noexcept {
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Signed compare: bytes >= 0x80 are negative, so "below space" also flags non-ASCII.
  const __m128i special = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('"')), _mm_cmpeq_epi8(c, _mm_set1_epi8('\\'))),
      _mm_cmplt_epi8(c, _mm_set1_epi8(0x20)));
  return static_cast<std::uint32_t>(_mm_movemask_epi8(special));
}
#endif

}  // namespace skew::detail

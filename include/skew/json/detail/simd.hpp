// Every SIMD instruction skew uses, behind SKEW_USE_SSE2 (base/detail/config.hpp): stage 1's
// classification of a 64-byte block, the quote-mask prefix xor, and the 16- and 32-byte compares
// of the name matchers, the string scanner and the string writer. Each function has a portable
// body for builds without SSE2; callers with a better portable path test SKEW_USE_SSE2 themselves.
#pragma once

#include <skew/base/detail/config.hpp>

#include <cstdint>

#if defined(SKEW_USE_SSE2)
#include <emmintrin.h>
#if defined(__PCLMUL__)
#include <wmmintrin.h>
#endif
#endif
#if defined(SKEW_AVX2_KERNEL)
#include <immintrin.h>
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
// The same classification 32 bytes at a time, whitespace and operators by a table lookup on the
// low nibble: of the bytes with a given low nibble at most one is whitespace and at most one is an
// operator once '[' ']' are folded onto '{' '}' by their 0x20 bit. That fold also maps two control
// bytes (0x0c, 0x1a) onto ',' and ':'; they are taken out again, being controls. Bytes from 0x80
// look up zero and match nothing.
SKEW_TARGET_AVX2 SKEW_ALWAYS_INLINE inline block_classes classify_block_avx2(
    const char* p) noexcept {
  const __m256i whitespace_by_nibble =
      _mm256_setr_epi8(' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,  //
                       ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0);
  const __m256i op_by_nibble =
      _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0,  //
                       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0);
  const __m256i lower_case_bit = _mm256_set1_epi8(0x20);
  const __m256i quote = _mm256_set1_epi8('"');
  const __m256i backslash = _mm256_set1_epi8('\\');
  const __m256i last_control = _mm256_set1_epi8(0x1f);
  block_classes c{};
  // No lambda here: a lambda does not take its function's target attribute.
  for (int k = 0; k < 2; ++k) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * k));
    const __m256i folded = _mm256_or_si256(v, lower_case_bit);
    const int shift = 32 * k;
#define SKEW_BLOCK_BITS(m) \
  (std::uint64_t(static_cast<std::uint32_t>(_mm256_movemask_epi8(m))) << shift)
    c.quote |= SKEW_BLOCK_BITS(_mm256_cmpeq_epi8(v, quote));
    c.backslash |= SKEW_BLOCK_BITS(_mm256_cmpeq_epi8(v, backslash));
    c.whitespace |=
        SKEW_BLOCK_BITS(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(whitespace_by_nibble, v), v));
    c.op |= SKEW_BLOCK_BITS(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(op_by_nibble, folded), folded));
    c.control |= SKEW_BLOCK_BITS(_mm256_cmpeq_epi8(_mm256_min_epu8(v, last_control), v));
    c.non_ascii |= SKEW_BLOCK_BITS(v);
#undef SKEW_BLOCK_BITS
  }
  c.op &= ~c.control;
  return c;
}

// prefix_xor below, by a carry-less multiplication.
SKEW_TARGET_AVX2 SKEW_ALWAYS_INLINE inline std::uint64_t prefix_xor_clmul(
    std::uint64_t x) noexcept {
  const __m128i all_ones = _mm_set1_epi8(static_cast<char>(0xff));
  const __m128i product =
      _mm_clmulepi64_si128(_mm_set_epi64x(0, static_cast<long long>(x)), all_ones, 0);
  return static_cast<std::uint64_t>(_mm_cvtsi128_si64(product));
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

// Bit k set where p[k] ends a run of plain string content (a quote, a backslash or a byte below
// 0x20), for k < 16. Reads 16 bytes.
SKEW_ALWAYS_INLINE inline std::uint32_t string_stop_bytes16(const char* p) noexcept {
  const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i last_control = _mm_set1_epi8(0x1f);
  const __m128i stop = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('"')), _mm_cmpeq_epi8(c, _mm_set1_epi8('\\'))),
      _mm_cmpeq_epi8(_mm_min_epu8(c, last_control), c));
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

// Stage 1's AVX-512 kernel, beside the AVX2 one of json/detail/simd.hpp and chosen the same way,
// at run time: a 64-byte block classified by compares into mask registers, and the positions of a
// block's set bits written by compressing the byte offsets 0..63 (AVX-512 VBMI2), sixteen at a
// time, instead of one bit at a time; and UTF-8 validation 64 bytes at a time.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/json/detail/simd.hpp>

#include <cstdint>
#include <cstring>

namespace skew::detail {

#if defined(SKEW_AVX512_KERNEL)
// Whether the processor runs the AVX-512 kernel (checked once).
inline bool avx512_kernel_available() noexcept {
  static const bool available = avx2_kernel_available() && __builtin_cpu_supports("avx512f") &&
                                __builtin_cpu_supports("avx512bw") &&
                                __builtin_cpu_supports("avx512vbmi2");
  return available;
}

typedef char byte64 SKEW_VECTOR_SIZE(64);
typedef unsigned char ubyte16 SKEW_VECTOR_SIZE(16);
typedef unsigned char ubyte64 SKEW_VECTOR_SIZE(64);
typedef int int32x16 SKEW_VECTOR_SIZE(64);

// One bit per byte where a[k] == b[k], byte 0 in bit 0.
SKEW_TARGET_AVX512 SKEW_ALWAYS_INLINE inline std::uint64_t equal_mask64(byte64 a,
                                                                        byte64 b) noexcept {
  return __builtin_ia32_cmpb512_mask(a, b, 0, ~0ULL);
}

// Each byte of `indices` looks up its low nibble in `table` (per 16-byte lane; zero where its top
// bit is set).
SKEW_TARGET_AVX512 SKEW_ALWAYS_INLINE inline byte64 lookup64(byte64 table,
                                                             byte64 indices) noexcept {
#if defined(__clang__)
  return __builtin_ia32_pshufb512(table, indices);
#else
  return __builtin_ia32_pshufb512_mask(table, indices, byte64{}, ~0ULL);
#endif
}

// The classification of classify_block_avx2 (same tables), 64 bytes at once.
SKEW_TARGET_AVX512 SKEW_ALWAYS_INLINE inline block_classes classify_block_avx512(
    const char* p) noexcept {
  const byte64 whitespace_by_nibble = {
      ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,  //
      ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,  //
      ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,  //
      ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0};
  const byte64 op_by_nibble = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0,  //
                               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0,  //
                               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0,  //
                               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0};
  byte64 v;
  std::memcpy(&v, p, sizeof v);
  const byte64 folded = v | 0x20;
  block_classes c;
  c.quote = equal_mask64(v, byte64{} + '"');
  c.backslash = equal_mask64(v, byte64{} + '\\');
  c.whitespace = equal_mask64(lookup64(whitespace_by_nibble, v), v);
  c.control = __builtin_ia32_ucmpb512_mask(v, byte64{} + 0x1f, 2, ~0ULL);  // <=
  c.op = equal_mask64(lookup64(op_by_nibble, folded), folded) & ~c.control;
  c.non_ascii = __builtin_ia32_cvtb2mask512(v);
  return c;
}

// Stores base + each of the sixteen byte offsets in `offsets` at out.
SKEW_TARGET_AVX512 SKEW_ALWAYS_INLINE inline void store_positions16(std::uint32_t* out,
                                                                    byte16 offsets,
                                                                    std::uint32_t base) noexcept {
#if defined(__clang__)
  const int32x16 widened = __builtin_convertvector(ubyte16(offsets), int32x16);
#else
  const int32x16 widened = __builtin_ia32_pmovzxbd512_mask(offsets, int32x16{}, 0xffff);
#endif
  const int32x16 positions = widened + static_cast<int>(base);
  std::memcpy(out, &positions, sizeof positions);
}

// Writes base + the offset of each of the n set bits of `bits` at out, sixteen at a time; past
// the last it writes junk (up to 64 positions from out: the caller's slack).
SKEW_TARGET_AVX512 SKEW_ALWAYS_INLINE inline void write_positions_avx512(
    std::uint32_t* out, std::uint64_t bits, std::uint32_t n, std::uint32_t base) noexcept {
  const byte64 offsets = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                          16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
                          32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
                          48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
  const byte64 packed = __builtin_ia32_compressqi512_mask(offsets, byte64{}, bits);
  // clang-format off
  store_positions16(out, __builtin_shufflevector(packed, packed,
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), base);
  if (n > 16) {
    store_positions16(out + 16, __builtin_shufflevector(packed, packed,
        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31), base);
    store_positions16(out + 32, __builtin_shufflevector(packed, packed,
        32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47), base);
    store_positions16(out + 48, __builtin_shufflevector(packed, packed,
        48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63), base);
  }
  // clang-format on
}

// A 16-byte table in all four lanes.
SKEW_TARGET_AVX512 SKEW_ALWAYS_INLINE inline byte64 repeat_lanes64(const char* table) noexcept {
  const byte32 half = repeat_lanes32(table);
  return __builtin_shufflevector(half, half, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0,
                                 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                                 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
}

// One bit per byte with a UTF-8 error among the 64 bytes at p (p[-3] to p[-1] readable too): the
// algorithm and tables of utf8_errors32 (json/detail/simd.hpp), 64 bytes at once.
SKEW_TARGET_AVX512 SKEW_ALWAYS_INLINE inline std::uint64_t utf8_error_bits64(
    const char* p) noexcept {
  byte64 input;
  byte64 prev3;
  std::memcpy(&input, p, sizeof input);
  std::memcpy(&prev3, p - 3, sizeof prev3);
  if (__builtin_ia32_cvtb2mask512(input | prev3) == 0) return 0;  // p[-3] to p[63] are ASCII
  byte64 prev1;
  byte64 prev2;
  std::memcpy(&prev1, p - 1, sizeof prev1);
  std::memcpy(&prev2, p - 2, sizeof prev2);
  const byte64 high_1 = byte64(ubyte64(prev1) >> 4);
  const byte64 low_1 = prev1 & 0x0f;
  const byte64 high_2 = byte64(ubyte64(input) >> 4);
  const byte64 special = lookup64(repeat_lanes64(utf8_lookup::byte_1_high), high_1) &
                         lookup64(repeat_lanes64(utf8_lookup::byte_1_low), low_1) &
                         lookup64(repeat_lanes64(utf8_lookup::byte_2_high), high_2);
  const byte64 must_be_continuation =
      byte64((ubyte64(prev2) >= 0xe0) | (ubyte64(prev3) >= 0xf0)) & utf8_lookup::two_conts;
  return ~equal_mask64(must_be_continuation ^ special, byte64{});
}

// Whether [data, data + size) is UTF-8, 64 bytes at a time; the first block and the last (which
// always holds the position past the end, read as a zero byte, so a sequence cut short at the end
// is found) go through a zeroed copy, as in valid_utf8_avx2.
SKEW_TARGET_AVX512 SKEW_NOINLINE inline bool valid_utf8_avx512(const char* data,
                                                               std::size_t size) noexcept {
  std::uint64_t errors = 0;
  char block[3 + 64];
  std::size_t at = 0;
  for (; at + 64 <= size; at += 64) {
    if (at == 0) {
      std::memset(block, 0, 3);
      std::memcpy(block + 3, data, 64);
      errors |= utf8_error_bits64(block + 3);
    } else {
      errors |= utf8_error_bits64(data + at);
    }
  }
  const std::size_t before = at == 0 ? 0 : 3;
  std::memset(block, 0, sizeof block);
  std::memcpy(block + 3 - before, data + at - before, before + (size - at));
  errors |= utf8_error_bits64(block + 3);
  return errors == 0;
}
#endif

}  // namespace skew::detail

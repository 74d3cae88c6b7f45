// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF): whether
// a text is well-formed (64 bytes at a time with AVX-512, 32 with AVX2: json/detail/simd*.hpp)
// and where the first ill-formed sequence starts (runs of ASCII skipped eight bytes at a time).
// Stage 1 checks only input that has a byte above 0x7f.
#pragma once

#include <skew/json/detail/simd.hpp>
#include <skew/json/detail/simd_avx512.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace skew::detail {

// The offset of the first byte that does not begin a well-formed UTF-8 sequence, or `size`.
inline std::size_t first_invalid_utf8(const char* data, std::size_t size) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  std::size_t i = 0;
  while (i < size) {
    if (i + 8 <= size) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    unsigned low = 0x80;  // the range of the second byte
    unsigned high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c == 0xe0) low = 0xa0;   // overlong
      if (c == 0xed) high = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c == 0xf0) low = 0x90;   // overlong
      if (c == 0xf4) high = 0x8f;  // above U+10FFFF
    } else {
      return i;
    }
    if (length > size - i || p[i + 1] < low || p[i + 1] > high) return i;
    for (std::size_t k = 2; k < length; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xbf) return i;
    }
    i += length;
  }
  return size;
}

inline std::size_t first_invalid_utf8(std::string_view s) noexcept {
  return first_invalid_utf8(s.data(), s.size());
}

// Whether [data, data + size) is UTF-8: by the best kernel the processor has, up to the one the
// caller asks for (tests compare them), the portable one being first_invalid_utf8.
inline bool valid_utf8(const char* data, std::size_t size,
                       stage1_kernel kernel = stage1_kernel::best) noexcept {
#if defined(SKEW_AVX512_KERNEL)
  if (kernel == stage1_kernel::best && avx512_kernel_available()) {
    return valid_utf8_avx512(data, size);
  }
#endif
#if defined(SKEW_AVX2_KERNEL)
  if (kernel != stage1_kernel::portable && avx2_kernel_available()) {
    return valid_utf8_avx2(data, size);
  }
#endif
  (void)kernel;
  return first_invalid_utf8(data, size) == size;
}

}  // namespace skew::detail

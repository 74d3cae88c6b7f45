// Where JSON string text needs a writer's attention: the bytes RFC 8259 says must be escaped
// (quote, backslash, controls), found 16 at a time. Used by the encoder's string writer and by
// the binary-mode mapping, which writes broker header values as JSON strings.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/json/detail/simd.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace skew::detail {

// Whether a byte must be escaped inside a JSON string.
constexpr bool needs_escape(unsigned char c) noexcept {
  return c < 0x20 || c == '"' || c == '\\';
}

// Where the first byte at or after `from` that needs an escape or is not ASCII lies, 16 bytes at a
// time with SSE2 (the x86-64 baseline); s.size() when there is none. Strings in messages are
// mostly plain ASCII, and for those this is the whole scan.
inline std::size_t find_special(std::string_view s, std::size_t from) noexcept {
  std::size_t i = from;
#if defined(SKEW_USE_SSE2)
  for (; i + 16 <= s.size(); i += 16) {
    const std::uint32_t mask = special_bytes16(s.data() + i);
    if (mask != 0) return i + static_cast<std::size_t>(std::countr_zero(mask));
  }
#endif
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (needs_escape(c) || c >= 0x80) return i;
  }
  return s.size();
}

}  // namespace skew::detail

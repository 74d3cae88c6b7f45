// Which of a router's message types a string is, found by its length and one compare.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <skew/base/detail/config.hpp>
#include <skew/json/detail/simd.hpp>
#include <string_view>

namespace skew::detail {

// Which of N names (a router's message types) a string is, found by its length: most routers'
// types differ in length, so one compare of up to 32 bytes settles it, without a branch on the
// bytes, where comparing every name costs a compare per family.
template <std::size_t N>
struct name_index {
  static constexpr std::size_t none = N;
  static constexpr std::size_t longest_compared = 32;
  // By length (64: 64 or more): the one name's index, `none`, or `several` when names share it
  // or it is longer than the compare (those are compared one by one).
  std::array<std::uint8_t, 65> by_length{};
  // Per name, zero-padded, and a last entry for `none`.
  std::array<std::array<char, longest_compared>, N + 1> bytes{};
  std::array<std::string_view, N> names{};
  static constexpr std::uint8_t several = static_cast<std::uint8_t>(N + 1);
  static_assert(N + 1 < 255, "too many families for one router");

  constexpr explicit name_index(const std::array<std::string_view, N>& list) : names(list) {
    by_length.fill(static_cast<std::uint8_t>(none));
    for (std::size_t k = 0; k < N; ++k) {
      const std::size_t n = list[k].size();
      std::uint8_t& entry = by_length[n < 64 ? n : 64];
      entry = entry == none && n <= longest_compared ? static_cast<std::uint8_t>(k) : several;
      for (std::size_t b = 0; b < n && b < longest_compared; ++b) bytes[k][b] = list[k][b];
    }
  }

  // The index of `s`, or `none`. Reads 32 bytes from s.data(): padded input or scratch text.
  SKEW_ALWAYS_INLINE std::size_t find(std::string_view s) const noexcept {
    const std::size_t n = s.size();
    const std::size_t k = by_length[n < 64 ? n : 64];
    if (k == several) [[unlikely]] {
      for (std::size_t j = 0; j < N; ++j) {
        if (names[j] == s) return j;
      }
      return none;
    }
#if defined(SKEW_USE_SSE2)
    const std::uint32_t equal = equal_bytes32(s.data(), bytes[k].data());
    // Only the first n bytes count: k is the name of this length, up to 32 bytes, or the entry
    // that is no name, which returns none whatever the mask (all ones from 32 bytes on).
    const auto mask = static_cast<std::uint32_t>((std::uint64_t{1} << (n & 63)) - 1);
    return (equal & mask) == mask ? k : none;
#else
    return k != none && names[k] == s ? k : none;
#endif
  }
};

}  // namespace skew::detail

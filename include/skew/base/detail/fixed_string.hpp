// A string usable as a template argument: skew::message<"send-email", ...>.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace skew::detail {

template <std::size_t N>
struct fixed_string {
  char chars[N]{};
  constexpr fixed_string(const char (&s)[N]) noexcept { std::copy_n(s, N, chars); }
  // From a constant string of N - 1 characters (a member's name in a diagnostic).
  constexpr explicit fixed_string(std::string_view s) noexcept {
    std::copy_n(s.data(), N - 1, chars);
  }
  constexpr std::string_view view() const noexcept { return std::string_view(chars, N - 1); }
};

}  // namespace skew::detail

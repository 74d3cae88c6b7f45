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
  constexpr std::string_view view() const noexcept { return std::string_view(chars, N - 1); }
};

}  // namespace skew::detail

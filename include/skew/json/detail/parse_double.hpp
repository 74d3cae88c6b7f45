// Decimal text to the nearest double, on every standard library: std::from_chars where the
// library has it for floating point, fast_float (the algorithm libstdc++ itself uses) where it
// does not (libc++ before 20). Both round correctly, so both give the same bits for every input.
#pragma once

#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION < 200000
#if !__has_include(<fast_float/fast_float.h>)
#error \
    "skew: this libc++ has no std::from_chars for double; install fast_float (Debian and Ubuntu: libfast-float-dev, Homebrew: fast_float, vcpkg: fast-float)"
#endif
#include <fast_float/fast_float.h>
#define SKEW_PARSE_DOUBLE_WITH_FAST_FLOAT 1
#endif

namespace skew::detail {

enum class parse_double_status : unsigned char { ok, out_of_range, malformed };

// Parses all of `text`, a number the JSON grammar accepts. out_of_range when the value overflows
// or underflows a double (x is then unspecified).
inline parse_double_status parse_double(std::string_view text, double& x) noexcept {
  const char* first = text.data();
  const char* last = text.data() + text.size();
#if defined(SKEW_PARSE_DOUBLE_WITH_FAST_FLOAT)
  const auto [end, ec] = fast_float::from_chars(first, last, x);
  // Releases before 6 report neither overflow nor underflow: they give infinity (which JSON text
  // cannot otherwise spell) or zero from nonzero digits.
  if (ec == std::errc::result_out_of_range || (ec == std::errc{} && std::isinf(x))) {
    return parse_double_status::out_of_range;
  }
#else
  const auto [end, ec] = std::from_chars(first, last, x);
  if (ec == std::errc::result_out_of_range) return parse_double_status::out_of_range;
#endif
  if (ec != std::errc{} || end != last) return parse_double_status::malformed;
  return parse_double_status::ok;
}

}  // namespace skew::detail

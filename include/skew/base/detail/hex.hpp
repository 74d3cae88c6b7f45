// Hexadecimal digits both ways, for every place skew reads or writes them (JSON \u escapes,
// percent-encoded header values, CloudEvents URI checks): one digit reader and one table per case.
#pragma once

#include <array>

namespace skew::detail {

// The value of each byte as a hex digit, either case; -1 for any other byte. A table: JSON's \u
// escapes read four digits each, and one load per digit beats three range checks.
inline constexpr std::array<signed char, 256> hex_digit_values = [] {
  std::array<signed char, 256> t{};
  t.fill(-1);
  for (char c = '0'; c <= '9'; ++c) {
    t[static_cast<unsigned char>(c)] = static_cast<signed char>(c - '0');
  }
  for (char c = 'a'; c <= 'f'; ++c) {
    t[static_cast<unsigned char>(c)] = static_cast<signed char>(c - 'a' + 10);
    t[static_cast<unsigned char>(c - 'a' + 'A')] = static_cast<signed char>(c - 'a' + 10);
  }
  return t;
}();

// The value of one hex digit, either case; -1 for any other character.
constexpr int hex_digit(char c) noexcept {
  return hex_digit_values[static_cast<unsigned char>(c)];
}

// Digits to write: lower case in JSON escapes (as skew's encoder writes them), upper case in
// percent-encoding (RFC 3986 section 2.1 asks producers for upper case).
inline constexpr char lower_hex_digits[] = "0123456789abcdef";
inline constexpr char upper_hex_digits[] = "0123456789ABCDEF";

}  // namespace skew::detail

// Hexadecimal digits both ways, for every place skew reads or writes them (JSON \u escapes,
// percent-encoded header values, CloudEvents URI checks): one digit reader and one table per case.
#pragma once

namespace skew::detail {

// The value of one hex digit, either case; -1 for any other character.
constexpr int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Digits to write: lower case in JSON escapes (as skew's encoder writes them), upper case in
// percent-encoding (RFC 3986 section 2.1 asks producers for upper case).
inline constexpr char lower_hex_digits[] = "0123456789abcdef";
inline constexpr char upper_hex_digits[] = "0123456789ABCDEF";

}  // namespace skew::detail

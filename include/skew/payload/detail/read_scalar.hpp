// The scalar readers of the tolerant reader (payload/detail/read_value.hpp): strings (as a view
// into the input or the context's buffer, or into a std::string), integers and floating-point
// numbers, each from the token at position i, leaving i past it.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/error.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/json/detail/parse_double.hpp>
#include <skew/json/detail/scan.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace skew::detail {

// A string's content without copying when it holds no escapes (a view into the input); otherwise
// unescaped into the context's string buffer.
SKEW_ALWAYS_INLINE inline bool read_string_view(decode_context& ctx, std::uint32_t& i,
                                                std::string_view& out) {
  const walk w = ctx.view();
  const std::string_view token = w.token(i);
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"') [[likely]] {
    const std::string_view content(token.data() + 1, token.size() - 2);
    if (!ctx.may_escape(content.data(), content.size())) [[likely]] {
      out = content;
    } else if (!unescape(ctx, content, out)) {
      return false;
    }
    ++i;
    return true;
  }
  return fail_value(ctx, i, json_kind::string);
}

// A string into a std::string, assigned so that decode_into keeps its capacity. Escaped content is
// unescaped into the string itself, not through the context's buffer and a copy: unescaping never
// lengthens it, and the writer's 16-byte copies have the 16 bytes of room reserved past it.
SKEW_ALWAYS_INLINE inline bool read_string(decode_context& ctx, std::uint32_t& i,
                                           std::string& out) {
  const walk w = ctx.view();
  const std::string_view token = w.token(i);
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"') [[likely]] {
    const std::string_view content(token.data() + 1, token.size() - 2);
    if (!ctx.may_escape(content.data(), content.size())) [[likely]] {
      out.assign(content.data(), content.size());
    } else {
      out.resize(content.size() + 16);
      char* end = nullptr;
      if (!unescape_to(ctx, content, out.data(), end)) {
        out.clear();
        return false;
      }
      out.resize(static_cast<std::size_t>(end - out.data()));
    }
    ++i;
    return true;
  }
  return fail_value(ctx, i, json_kind::string);
}

SKEW_ALWAYS_INLINE inline bool is_null_at(const decode_context& ctx, std::uint32_t i) noexcept {
  const walk w = ctx.view();
  return w.at(i) == 'n' && w.token(i) == "null";
}

template <class T>
SKEW_ALWAYS_INLINE inline bool read_integer(decode_context& ctx, std::uint32_t& i, T& out) {
  const walk w = ctx.view();
  const std::string_view token = w.token(i);
  const bool negative = !token.empty() && token[0] == '-';
  const char* first = token.data() + (negative ? 1 : 0);
  const char* end = token.data() + token.size();
  if (first >= end || !is_digit(*first) || (*first == '0' && first + 1 != end)) {
    return fail_value(ctx, i, json_kind::integer);
  }
  std::uint64_t magnitude = 0;
  if (take_digits<true>(first, end, magnitude) != end) {
    return fail_value(ctx, i, json_kind::integer);  // fraction, exponent, junk
  }
  // Up to 19 digits always fit 64 bits. Twenty fit when they start with 1 (below 2 * 10^19) and
  // did not wrap past 2^64, which would leave less than 10^19.
  const auto digits = static_cast<std::size_t>(end - first);
  if (digits > 19 && (digits > 20 || *first != '1' || magnitude < 10000000000000000000ULL)) {
    return ctx.fail_at(errc::out_of_range, i);
  }
  if constexpr (std::is_signed_v<T>) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    if (magnitude > max + (negative ? 1 : 0)) return ctx.fail_at(errc::out_of_range, i);
    out = negative ? static_cast<T>(-static_cast<std::int64_t>(magnitude - 1) - 1)
                   : static_cast<T>(magnitude);
    if (negative && magnitude == 0) out = 0;
  } else {
    if (negative || magnitude > std::numeric_limits<T>::max()) {
      return ctx.fail_at(errc::out_of_range, i);
    }
    out = static_cast<T>(magnitude);
  }
  ++i;
  return true;
}

// Whether a decimal number too small or too large for double underflows (tends to zero) rather
// than overflows: its decimal exponent (digits before the point, plus the exponent) is negative.
inline bool underflows(std::string_view token) noexcept {
  std::size_t k = token[0] == '-' ? 1 : 0;
  long magnitude = 0;
  bool leading = true;
  for (; k < token.size() && token[k] != '.' && token[k] != 'e' && token[k] != 'E'; ++k) {
    if (leading && token[k] == '0') continue;
    leading = false;
    ++magnitude;
  }
  if (magnitude == 0) {
    // 0.000...: count the zeros after the point.
    if (k < token.size() && token[k] == '.') {
      for (++k; k < token.size() && token[k] == '0'; ++k) --magnitude;
    }
  }
  const std::size_t e = token.find_first_of("eE");
  long exponent = 0;
  if (e != std::string_view::npos) {
    std::size_t p = e + 1;
    const bool negative = p < token.size() && token[p] == '-';
    if (p < token.size() && (token[p] == '-' || token[p] == '+')) ++p;
    for (; p < token.size() && exponent < 100000; ++p) exponent = exponent * 10 + (token[p] - '0');
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent < 0;
}

template <class T>
bool read_floating(decode_context& ctx, std::uint32_t& i, T& out) {
  const walk w = ctx.view();
  const std::string_view token = w.token(i);
  if (token.empty()) return fail_value(ctx, i, json_kind::floating);
  const decimal_number d = scan_decimal(token);
  if (!d.valid) return fail_value(ctx, i, json_kind::floating);
  double x = 0;
  const parse_double_status status =
      exact_double(d, x) ? parse_double_status::ok : parse_double(token, x);
  if (status == parse_double_status::out_of_range) {
    if (!underflows(token)) return ctx.fail_at(errc::out_of_range, i);
    x = token[0] == '-' ? -0.0 : 0.0;
  } else if (status != parse_double_status::ok) {
    return ctx.fail_at(errc::malformed_json, i);
  }
  if constexpr (sizeof(T) < sizeof(double)) {
    if (x > std::numeric_limits<T>::max() || x < std::numeric_limits<T>::lowest()) {
      return ctx.fail_at(errc::out_of_range, i);
    }
  }
  out = static_cast<T>(x);
  ++i;
  return true;
}

}  // namespace skew::detail

// Input the reader may read past the end of: skew::detail::padded_view (a message with the
// input_padding readable bytes the reader's 16- and 32-byte loads need past its end) and the
// caller types that convert to one without a copy. The one file that names simdjson: its two
// padded types are declared here, not included, so that no skew header costs a TU simdjson.h.
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>

namespace simdjson {
// Declared as simdjson 3.0 to 4.x declare them; a caller who passes one has included simdjson.h.
struct padded_string;
class padded_string_view;
}  // namespace simdjson

namespace skew::detail {

// Readable bytes the reader needs past the end of its input. Equal to simdjson's
// SIMDJSON_PADDING, so a simdjson::padded_string always has enough (tests/decoder.cpp checks).
inline constexpr std::size_t input_padding = 64;

// A view of `size()` bytes with `padding()` readable bytes after them.
class padded_view : public std::string_view {
 public:
  padded_view() noexcept = default;
  padded_view(const char* data, std::size_t size, std::size_t capacity) noexcept
      : std::string_view(data, size), capacity_(capacity < size ? size : capacity) {}
  std::size_t padding() const noexcept { return capacity_ - size(); }

 private:
  std::size_t capacity_ = 0;
};

// A caller's view that says how many readable bytes follow it (simdjson::padded_string_view, or
// any type with padding() that converts to std::string_view), or a simdjson::padded_string.
template <class P>
concept padded_input = std::same_as<P, simdjson::padded_string> ||
    (std::convertible_to<const P&, std::string_view>&& requires(const P& p) {
      { p.padding() } -> std::convertible_to<std::size_t>;
    });

// The padded_view of a padded input. A padded_string is read through its padded_string_view, a
// dependent name here, so it is only looked at in a TU that has simdjson.h.
template <padded_input P, class SimdjsonView = simdjson::padded_string_view>
padded_view as_padded(const P& input) noexcept {
  if constexpr (std::same_as<P, simdjson::padded_string>) {
    return as_padded(static_cast<SimdjsonView>(input));
  } else {
    const std::string_view text = input;
    return padded_view(text.data(), text.size(), text.size() + input.padding());
  }
}

}  // namespace skew::detail

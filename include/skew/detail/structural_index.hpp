// The input as the reader walks it: simdjson's stage 1 (the position of every structural
// character and scalar, found with SIMD) and a view of the input with those positions.
#pragma once

#include <skew/detail/scan.hpp>
#include <skew/detail/simdjson.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

// The walker's per-token steps: small, and called once per key or value, so a call per step would
// cost more than the step.
#if defined(__GNUC__)
#define SKEW_HOT_INLINE [[gnu::always_inline]] inline
#else
#define SKEW_HOT_INLINE inline
#endif

namespace skew::detail {

// Stage 1 of simdjson with the kernel it selects at run time for this CPU, and the buffer that
// unescaped strings are written to. One per decoder: both are reused from message to message.
class structural_index {
 public:
  simdjson::error_code build(const char* json, std::size_t length) {
    if (!parser_ || length > capacity_) {
      // Grow geometrically so a stream of slowly growing messages does not reallocate each time.
      std::size_t capacity = capacity_ == 0 ? 4096 : capacity_;
      while (capacity < length) capacity *= 2;
      if (!parser_) {
        if (auto e = simdjson::get_active_implementation()->create_dom_parser_implementation(
                capacity, 1, parser_)) {
          return e;
        }
      } else if (auto e = parser_->set_capacity(capacity)) {
        return e;
      }
      capacity_ = capacity;
      // Unescaping never lengthens a string; a dispatch may walk the message twice.
      strings_ = std::make_unique<char[]>(2 * capacity + 2 * simdjson::SIMDJSON_PADDING);
    }
    return parser_->stage1(reinterpret_cast<const std::uint8_t*>(json), length,
                           simdjson::stage1_mode::regular);
  }

  const std::uint32_t* positions() const noexcept { return parser_->structural_indexes.get(); }
  std::uint32_t count() const noexcept { return parser_->n_structural_indexes; }
  simdjson::internal::dom_parser_implementation* parser() const noexcept { return parser_.get(); }
  char* strings() const noexcept { return strings_.get(); }

 private:
  std::unique_ptr<simdjson::internal::dom_parser_implementation> parser_;
  std::unique_ptr<char[]> strings_;
  std::size_t capacity_ = 0;
};

// The input and its structural positions, copied into a local by the hot functions: a local
// stays in registers, while members reached through the context are reloaded after every store
// through a char pointer (which may alias anything).
struct walk {
  const char* begin;
  const char* end;
  const std::uint32_t* positions;
  std::uint32_t count;

  // The character at position i, or '\0' past the last one.
  [[gnu::always_inline]] char at(std::uint32_t i) const noexcept {
    return i < count ? begin[positions[i]] : '\0';
  }
  [[gnu::always_inline]] const char* where(std::uint32_t i) const noexcept {
    return i < count ? begin + positions[i] : end;
  }
  // The token at position i: its bytes up to the next position, without trailing whitespace.
  [[gnu::always_inline]] std::string_view token(std::uint32_t i) const noexcept {
    if (i >= count) return {};
    const char* first = begin + positions[i];
    const char* last = i + 1 < count ? begin + positions[i + 1] : end;
    while (last > first && is_json_whitespace(last[-1])) --last;
    return std::string_view(first, static_cast<std::size_t>(last - first));
  }
};

}  // namespace skew::detail

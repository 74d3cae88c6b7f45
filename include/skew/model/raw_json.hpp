// skew::raw_json: the exact JSON text of a value, kept unparsed.
//
// Useful for payload parts a service forwards without reading, and for deferring the decode of a
// polymorphic part until its discriminator is known.
#pragma once

#include <string_view>

namespace skew {

// A view: after decoding it points into the decoder's buffer (or the caller's padded input) and
// stays valid until that decoder's next decode. Copy the text out to keep it longer.
class raw_json {
 public:
  constexpr raw_json() noexcept = default;
  constexpr explicit raw_json(std::string_view json) noexcept : json_(json) {}

  // The value's text, trimmed of surrounding whitespace; empty when nothing was read.
  constexpr std::string_view json() const noexcept { return json_; }
  constexpr bool empty() const noexcept { return json_.empty(); }

  // Textual equality: `1` and `1.0` differ, as do differently spaced objects.
  friend constexpr bool operator==(raw_json a, raw_json b) noexcept { return a.json_ == b.json_; }

 private:
  std::string_view json_;
};

}  // namespace skew

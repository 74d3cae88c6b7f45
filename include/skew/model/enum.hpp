// Enums by name, and skew::open_enum<E>: an enum that survives values added by a newer build.
//
// A closed enum fails the whole message on an unknown enumerator (errc::invalid_enum): right for
// values whose meaning must be understood. open_enum keeps the unknown text instead, so a build-N
// consumer can route, log or re-emit a status that build N+1 invented.
#pragma once

#include <skew/model/describe.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace skew {

// The JSON name of `value`, or an empty view for a value without a described name.
template <described_enum E>
constexpr std::string_view enum_name(E value) noexcept {
  for (const auto& e : enumerators_of<E>) {
    if (e.value == value) return e.name;
  }
  return {};
}

// The enumerator named `name`, or nullopt.
template <described_enum E>
constexpr std::optional<E> enum_from_name(std::string_view name) noexcept {
  for (const auto& e : enumerators_of<E>) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

// E must be described (SKEW_ENUM) where an open_enum<E> is made or read, not where it is named:
// a struct may declare an open_enum<E> member before E's SKEW_ENUM.
template <class E>
class open_enum {
  static_assert(std::is_enum_v<E>, "skew::open_enum<E>: E must be an enum");

 public:
  using enum_type = E;

  // Default: the first described enumerator, so a default-constructed struct is well defined.
  constexpr open_enum() noexcept : value_(first_enumerator()) {}
  constexpr open_enum(E value) noexcept : value_(value) {}

  // A value this build does not know, kept verbatim.
  static open_enum unknown(std::string text) {
    open_enum out;
    if (auto known = enum_from_name<E>(text)) {
      out.value_ = *known;
    } else {
      out.known_ = false;
      out.text_ = std::move(text);
    }
    return out;
  }

  constexpr bool is_known() const noexcept { return known_; }
  // The enumerator, or nullopt for an unknown value.
  constexpr std::optional<E> known() const noexcept {
    return known_ ? std::optional<E>(value_) : std::nullopt;
  }
  constexpr E value_or(E fallback) const noexcept { return known_ ? value_ : fallback; }
  // The JSON text: the enumerator's name, or the unknown value as received.
  std::string_view text() const noexcept { return known_ ? enum_name(value_) : text_; }

  // Used by the decoder so decode_into can keep the string's capacity.
  void assign_text(std::string_view text) {
    if (auto known = enum_from_name<E>(text)) {
      value_ = *known;
      known_ = true;
    } else {
      known_ = false;
      text_.assign(text);
    }
  }

  friend bool operator==(const open_enum& a, const open_enum& b) noexcept {
    if (a.known_ != b.known_) return false;
    return a.known_ ? a.value_ == b.value_ : a.text_ == b.text_;
  }
  friend bool operator==(const open_enum& a, E b) noexcept { return a.known_ && a.value_ == b; }

 private:
  static constexpr E first_enumerator() noexcept {
    static_assert(described_enum<E>,
                  "skew::open_enum<E>: describe E with SKEW_ENUM (in E's namespace) before "
                  "an open_enum<E> is made or read");
    return enumerators_of<E>[0].value;
  }

  E value_;
  bool known_ = true;
  std::string text_;
};

namespace detail {
template <class T>
struct is_open_enum : std::false_type {};
template <class E>
struct is_open_enum<open_enum<E>> : std::true_type {};
}  // namespace detail

}  // namespace skew

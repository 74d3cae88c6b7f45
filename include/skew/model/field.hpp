// skew::field<T>: a value that remembers whether its key was missing, null, or set.
//
// std::optional<T> folds "missing" and "null" together. For a tolerant reader that loses
// information: a PATCH-style message uses null to clear and absence to keep, and a re-emitting
// service must write back exactly what it read.
#pragma once

#include <skew/base/detail/contract.hpp>

#include <compare>
#include <type_traits>
#include <utility>

namespace skew {

enum class presence : unsigned char { missing, null, value };

// The JSON null, as a value: `skew::field<int> f = skew::null;`
struct null_t {
  constexpr explicit null_t(int) noexcept {}
  friend constexpr bool operator==(null_t, null_t) noexcept { return true; }
};
inline constexpr null_t null{0};

template <class T>
class field {
 public:
  using value_type = T;

  constexpr field() noexcept(std::is_nothrow_default_constructible_v<T>) = default;
  constexpr field(null_t) noexcept(std::is_nothrow_default_constructible_v<T>)
      : state_(presence::null) {}
  constexpr field(const T& v) : value_(v), state_(presence::value) {}
  constexpr field(T&& v) : value_(std::move(v)), state_(presence::value) {}
  template <class U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
           !std::is_same_v<std::remove_cvref_t<U>, field> &&
           !std::is_same_v<std::remove_cvref_t<U>, null_t>) constexpr field(U&& v)
      : value_(std::forward<U>(v)), state_(presence::value) {}

  constexpr presence state() const noexcept { return state_; }
  constexpr bool is_missing() const noexcept { return state_ == presence::missing; }
  constexpr bool is_null() const noexcept { return state_ == presence::null; }
  constexpr bool has_value() const noexcept { return state_ == presence::value; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  constexpr T& value() & {
    check();
    return value_;
  }
  constexpr const T& value() const& {
    check();
    return value_;
  }
  constexpr T&& value() && {
    check();
    return std::move(value_);
  }
  constexpr T& operator*() & { return value(); }
  constexpr const T& operator*() const& { return value(); }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }

  template <class U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? value_ : static_cast<T>(std::forward<U>(fallback));
  }

  // Sets the value and returns it, reusing the existing object (and its capacity) when possible.
  template <class... Args>
  constexpr T& emplace(Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      if (state_ != presence::value) value_ = T{};
    } else {
      value_ = T(std::forward<Args>(args)...);
    }
    state_ = presence::value;
    return value_;
  }
  // Used by the decoder: keeps the value's capacity so decode_into does not reallocate.
  constexpr T& storage() noexcept { return value_; }
  constexpr void set_state(presence s) noexcept { state_ = s; }

  constexpr void reset() noexcept { state_ = presence::missing; }
  constexpr void set_null() noexcept { state_ = presence::null; }

  // Two fields are equal when their states are equal and, if set, their values are.
  friend constexpr bool operator==(const field& a, const field& b) {
    if (a.state_ != b.state_) return false;
    return a.state_ != presence::value || a.value_ == b.value_;
  }
  friend constexpr bool operator==(const field& a, null_t) noexcept { return a.is_null(); }
  friend constexpr bool operator==(const field& a, const T& v) {
    return a.has_value() && a.value_ == v;
  }

 private:
  constexpr void check() const {
    if (state_ != presence::value)
      detail::contract_violation("field::value() on a missing or null field");
  }

  // The value is kept even when the state is not `value`, so decode_into can reuse its buffers.
  T value_{};
  presence state_ = presence::missing;
};

namespace detail {
template <class T>
struct is_field : std::false_type {};
template <class T>
struct is_field<field<T>> : std::true_type {};
}  // namespace detail

}  // namespace skew

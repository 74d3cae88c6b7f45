// skew::result<T>: a value or a skew::error, in the shape of std::expected (C++23) and
// tl::expected.
#pragma once

#include <skew/base/detail/contract.hpp>
#include <skew/base/error.hpp>

#include <type_traits>
#include <utility>
#include <variant>

namespace skew {

// Wraps an error so `return skew::failure(e)` is unambiguous even when T is constructible from it.
struct failure {
  error err;
  explicit failure(error e) : err(std::move(e)) {}
  explicit failure(errc code, std::string path = {}) : err{code, std::move(path), std::nullopt} {}
};

template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference_v<T>, "result<T&> is not supported; use a pointer");

 public:
  using value_type = T;

  result(const T& v) : storage_(std::in_place_index<0>, v) {}
  result(T&& v) : storage_(std::in_place_index<0>, std::move(v)) {}
  result(failure f) : storage_(std::in_place_index<1>, std::move(f.err)) {}
  template <class... Args>
  explicit result(std::in_place_t, Args&&... args)
      : storage_(std::in_place_index<0>, std::forward<Args>(args)...) {}

  bool has_value() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return *checked_value(); }
  const T& value() const& { return *checked_value(); }
  T&& value() && { return std::move(*checked_value()); }
  T& operator*() & noexcept { return *checked_value(); }
  const T& operator*() const& noexcept { return *checked_value(); }
  T&& operator*() && noexcept { return std::move(*checked_value()); }
  T* operator->() noexcept { return checked_value(); }
  const T* operator->() const noexcept { return checked_value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? *std::get_if<0>(&storage_) : static_cast<T>(std::forward<U>(fallback));
  }

  // The error; calling it on a success is a contract violation.
  const skew::error& error() const& {
    if (has_value()) detail::contract_violation("result::error() called on a value");
    return *std::get_if<1>(&storage_);
  }
  skew::error&& error() && {
    if (has_value()) detail::contract_violation("result::error() called on a value");
    return std::move(*std::get_if<1>(&storage_));
  }

 private:
  T* checked_value() {
    if (!has_value()) detail::contract_violation("result::value() called on an error");
    return std::get_if<0>(&storage_);
  }
  const T* checked_value() const {
    if (!has_value()) detail::contract_violation("result::value() called on an error");
    return std::get_if<0>(&storage_);
  }

  std::variant<T, skew::error> storage_;
};

// Success or an error, for operations that produce nothing (decode_into, emitter::set_version).
template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;

  result() = default;
  result(failure f) : error_(std::move(f.err)), failed_(true) {}

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const {
    if (failed_) detail::contract_violation("result<void>::value() called on an error");
  }
  const skew::error& error() const& {
    if (!failed_) detail::contract_violation("result::error() called on a value");
    return error_;
  }

 private:
  skew::error error_{};
  bool failed_ = false;
};

namespace detail {
template <class T>
inline constexpr bool is_result = false;
template <class T>
inline constexpr bool is_result<result<T>> = true;
}  // namespace detail

}  // namespace skew

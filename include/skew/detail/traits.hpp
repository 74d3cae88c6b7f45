// Type traits shared by the reader, the writer, schema export and the compatibility checks.
#pragma once

#include <skew/describe.hpp>
#include <skew/field.hpp>

#include <concepts>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace skew::detail {

template <class>
inline constexpr bool dependent_false = false;

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
concept string_keyed_map = requires {
  typename T::mapped_type;
}
&&(std::is_same_v<T, std::map<std::string, typename T::mapped_type, typename T::key_compare,
                              typename T::allocator_type>> ||
   std::is_same_v<T, std::unordered_map<std::string, typename T::mapped_type, typename T::hasher,
                                        typename T::key_equal, typename T::allocator_type>>);

// std::equality_comparable<std::vector<X>> holds even when X has no ==, so look inside containers.
template <class T>
constexpr bool deeply_equality_comparable() {
  if constexpr (is_vector<T>::value || is_optional<T>::value || is_field<T>::value) {
    return deeply_equality_comparable<typename T::value_type>();
  } else if constexpr (string_keyed_map<T>) {
    return deeply_equality_comparable<typename T::mapped_type>();
  } else {
    return std::equality_comparable<T>;
  }
}

}  // namespace skew::detail

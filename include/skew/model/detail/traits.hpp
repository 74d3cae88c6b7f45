// Type traits shared by the reader, the writer, schema export and the compatibility checks.
#pragma once

#include <skew/model/describe.hpp>
#include <skew/model/field.hpp>
#include <skew/model/variant.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace skew::detail {

template <class>
inline constexpr bool dependent_false = false;

// JSON arrays: growable sequences (std::vector, std::deque), fixed ones (std::array, whose length
// must match) and sets (std::set, std::unordered_set, whose elements must differ).
enum class array_kind : unsigned char { none, sequence, fixed, set };

template <class T>
struct array_kind_of : std::integral_constant<array_kind, array_kind::none> {};
template <class T, class A>
struct array_kind_of<std::vector<T, A>> : std::integral_constant<array_kind, array_kind::sequence> {
};
template <class T, class A>
struct array_kind_of<std::deque<T, A>> : std::integral_constant<array_kind, array_kind::sequence> {
};
template <class T, std::size_t N>
struct array_kind_of<std::array<T, N>> : std::integral_constant<array_kind, array_kind::fixed> {};
template <class K, class C, class A>
struct array_kind_of<std::set<K, C, A>> : std::integral_constant<array_kind, array_kind::set> {};
template <class K, class H, class E, class A>
struct array_kind_of<std::unordered_set<K, H, E, A>>
    : std::integral_constant<array_kind, array_kind::set> {};

template <class T>
concept json_array = array_kind_of<T>::value != array_kind::none;

// What a JSON object's names can be read as: strings, integers, described enums.
template <class K>
concept object_key = std::is_same_v<K, std::string> ||
                     (std::is_integral_v<K> && !std::is_same_v<K, bool>) ||
                     described_enum<K>;

// std::map and std::unordered_map with keys a JSON object's names can be read as.
template <class T>
concept json_object_map = requires {
  typename T::key_type;
  typename T::mapped_type;
}
&&object_key<typename T::key_type> &&
    (std::is_same_v<T, std::map<typename T::key_type, typename T::mapped_type,
                                typename T::key_compare, typename T::allocator_type>> ||
     std::is_same_v<
         T, std::unordered_map<typename T::key_type, typename T::mapped_type, typename T::hasher,
                               typename T::key_equal, typename T::allocator_type>>);

// Maps keyed by std::string: the only kind a flat envelope's or a document's root may be.
template <class T>
concept string_keyed_map = json_object_map<T> && std::is_same_v<typename T::key_type, std::string>;

// std::equality_comparable<std::vector<X>> holds even when X has no ==, so look inside containers.
template <class T>
constexpr bool deeply_equality_comparable() {
  if constexpr (json_array<T> || is_optional<T>::value || is_field<T>::value) {
    return deeply_equality_comparable<typename T::value_type>();
  } else if constexpr (json_object_map<T>) {
    return deeply_equality_comparable<typename T::mapped_type>();
  } else if constexpr (is_variant<T>::value) {
    return []<class... A>(const std::variant<A...>*) {
      return (deeply_equality_comparable<A>() && ...);
    }(static_cast<const T*>(nullptr));
  } else {
    return std::equality_comparable<T>;
  }
}

}  // namespace skew::detail

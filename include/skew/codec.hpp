// skew::codec<T>: how a type skew does not know travels in JSON, as a type it does (its `wire`
// type). Specialize it for your own types, at global scope or in namespace skew:
//
//   template <>
//   struct skew::codec<app::Uuid> {
//     using wire = std::string_view;                 // any type skew reads and writes
//     static bool read(wire in, app::Uuid& out);     // false: errc::invalid_value at the member
//     static std::string write(const app::Uuid& v);  // any type skew writes
//   };
//
// A codec type is then read, written, exported to JSON Schema and compatibility-checked as its
// wire type: a member `app::Uuid id` reads a JSON string, its schema is {"type":"string"}, and a
// reader with `app::Uuid id` reads a writer's `std::string id`. A wire type may be a described
// struct (a Money carried as {"minor":1250,"currency":"EUR"}); a std::string_view wire views the
// input and is valid during read() only. Codecs compose: std::vector<app::Uuid>,
// std::optional<app::Uuid> and skew::field<app::Uuid> work as they do for built-in types.
#pragma once

#include <concepts>
#include <type_traits>

namespace skew {

// The customization point: empty for types without a codec.
template <class T>
struct codec {};

// A type with a user codec: a wire type, read() that accepts or rejects a wire value, and write().
template <class T>
concept has_codec = requires {
  typename codec<T>::wire;
}
&&requires(const typename codec<T>::wire& in, T& out, const T& value) {
  { codec<T>::read(in, out) } -> std::convertible_to<bool>;
  codec<T>::write(value);
};

namespace detail {

// The type a value travels as: its codec's wire type, else itself.
template <class T>
struct wire_of {
  using type = T;
};
template <has_codec T>
struct wire_of<T> {
  using type = std::remove_cvref_t<typename codec<T>::wire>;
};
template <class T>
using wire_t = typename wire_of<T>::type;

}  // namespace detail

}  // namespace skew

// skew::codec<T>: how a type travels in JSON, as a type skew already reads and writes (its `wire`
// type). skew's own leaf types (std::string, described enums, open_enum) are codecs
// (builtin_codecs.hpp); specialize it for your own types, at global scope or in namespace skew:
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
//
// Optional refinements, each used where present:
//   static skew::errc read(wire in, T& out);             // errc{} for success, else the error
//   static skew::result<W> write(const T& v);            // a value that cannot be written
//   static void schema_keywords(skew::schema_writer& s, bool nullable);  // JSON Schema keywords
//                                                        // after the wire's, e.g. "enum":[...]
//   template <class Writer> static constexpr bool reads_all_of();  // compatibility: whether a
//                                                        // reader of T takes every Writer value
#pragma once

#include <skew/base/errc.hpp>

#include <concepts>
#include <type_traits>

namespace skew {

// The customization point: empty for types without a codec.
template <class T>
struct codec {};

// What a codec's read() may return: accepted or not, or the error code to report.
template <class R>
concept codec_read_result = std::convertible_to<R, bool> || std::same_as<R, errc>;

// A type with a codec: a wire type, read() that accepts or rejects a wire value, and write().
template <class T>
concept has_codec = requires {
  typename codec<T>::wire;
}
&&requires(const typename codec<T>::wire& in, T& out, const T& value) {
  { codec<T>::read(in, out) } -> codec_read_result;
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

// The error a codec's read() reports for `in`: errc{} when it accepted it.
template <class T>
constexpr errc codec_read(const wire_t<T>& in, T& out) {
  if constexpr (std::same_as<decltype(codec<T>::read(in, out)), errc>) {
    return codec<T>::read(in, out);
  } else {
    return static_cast<bool>(codec<T>::read(in, out)) ? errc{} : errc::invalid_value;
  }
}

}  // namespace detail

}  // namespace skew

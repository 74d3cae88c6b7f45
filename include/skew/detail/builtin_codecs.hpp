// skew's own leaf types as codecs over JSON strings: std::string, described enums (closed: an
// unknown name is invalid_enum) and open_enum (any name is kept). The reader, the writer, schema
// export and the compatibility checks know only JSON's values and containers; every other type
// reaches them through skew::codec, these included.
#pragma once

#include <skew/codec.hpp>
#include <skew/describe.hpp>
#include <skew/enum.hpp>
#include <skew/error.hpp>
#include <skew/result.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace skew {

template <>
struct codec<std::string> {
  using wire = std::string_view;
  static bool read(std::string_view in, std::string& out) {
    out.assign(in.data(), in.size());  // assign, so decode_into keeps the capacity
    return true;
  }
  static std::string_view write(const std::string& v) noexcept { return v; }
};

template <class E>
requires described_enum<E>
struct codec<E> {
  using wire = std::string_view;
  static errc read(std::string_view in, E& out) noexcept {
    if (auto e = enum_from_name<E>(in)) {
      out = *e;
      return errc{};
    }
    return errc::invalid_enum;
  }
  // A value without a described name has no text to write.
  static result<std::string_view> write(E v) {
    const std::string_view name = enum_name(v);
    if (name.empty()) return failure(errc::invalid_enum);
    return name;
  }
  static void schema_keywords(auto& schema, bool nullable) {
    schema.raw(",\"enum\":[");
    for (std::size_t i = 0; i < enumerators_of<E>.size(); ++i) {
      if (i != 0) schema.raw(",");
      schema.string(enumerators_of<E>[i].name);
    }
    if (nullable) schema.raw(",null");
    schema.raw("]");
  }
  // A closed enum reads only its own names: a writer's string or other enum may hold others.
  template <class Writer>
  static constexpr bool reads_all_of() {
    return std::is_same_v<Writer, E>;
  }
};

template <class E>
struct codec<open_enum<E>> {
  using wire = std::string_view;
  static bool read(std::string_view in, open_enum<E>& out) {
    out.assign_text(in);
    return true;
  }
  static std::string_view write(const open_enum<E>& v) noexcept { return v.text(); }
  static void schema_keywords(auto& schema, bool) {
    std::string known;
    for (std::size_t i = 0; i < enumerators_of<E>.size(); ++i) {
      if (i != 0) known += ", ";
      known += enumerators_of<E>[i].name;
    }
    schema.raw(",\"description\":");
    schema.string("open enum: known values " + known + "; other values are kept");
  }
  // Every name is kept: its own enum's, or any string.
  template <class Writer>
  static constexpr bool reads_all_of() {
    return std::is_same_v<Writer, E> || std::is_same_v<Writer, std::string> ||
           std::is_same_v<Writer, std::string_view>;
  }
};

}  // namespace skew

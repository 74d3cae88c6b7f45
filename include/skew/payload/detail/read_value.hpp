// The tolerant reader: turns JSON into described C++ types in one pass over the structural index
// (stage 1: the position of every structural character and scalar, found with SIMD).
//
// skew walks that index itself instead of through On-Demand: a value is a position in the index,
// a key's bytes lie between its quote and the next position, and a skipped container is stepped
// over by counting brackets at the positions, never by looking at the bytes in between. Grammar
// is checked as the walk goes; stage 1 already rejected invalid UTF-8, raw control characters in
// strings and unclosed strings.
//
// Every function returns false after storing an error in the context; callers on the way out
// prepend their path segment, so the success path never builds a JSON Pointer. Reading functions
// take the index `i` of a value's first position and leave it just past the value.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/error.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/json/detail/scan.hpp>
#include <skew/json/detail/skip.hpp>
#include <skew/model/codec.hpp>
#include <skew/model/describe.hpp>
#include <skew/model/detail/builtin_codecs.hpp>
#include <skew/model/detail/traits.hpp>
#include <skew/model/enum.hpp>
#include <skew/model/field.hpp>
#include <skew/model/raw_json.hpp>
#include <skew/model/variant.hpp>
#include <skew/payload/detail/read_scalar.hpp>
#include <skew/payload/detail/struct_table.hpp>

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace skew::detail {

// Typed reads.
template <class T>
SKEW_ALWAYS_INLINE inline bool read_value(decode_context& ctx, std::uint32_t& i, T& out);
// Defined in read_variant.hpp, which the decoder includes.
template <class V>
bool read_variant(decode_context& ctx, std::uint32_t& i, V& out);

// A JSON array into a sequence (overwritten in place, so decode_into keeps capacity), a
// std::array (exactly its length, else out_of_range) or a set (a repeated element is
// duplicate_key at its index).
template <class T>
bool read_array(decode_context& ctx, std::uint32_t& i, T& out) {
  constexpr array_kind kind = array_kind_of<T>::value;
  const walk w = ctx.view();
  if (w.at(i) != '[') return fail_value(ctx, i, json_kind::array);
  const std::uint32_t at = i;
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, i);
  ++i;
  if constexpr (kind == array_kind::set) out.clear();
  std::size_t index = 0;
  bool done = w.at(i) == ']';
  if (done) ++i;
  while (!done) {
    bool ok;
    if constexpr (kind == array_kind::sequence) {
      if (index == out.size()) out.emplace_back();
      if constexpr (std::is_same_v<typename T::value_type, bool>) {
        bool b = false;
        ok = read_value(ctx, i, b);
        out[index] = b;
      } else {
        ok = read_value(ctx, i, out[index]);
      }
    } else if constexpr (kind == array_kind::fixed) {
      if (index == out.size()) return ctx.fail_at(errc::out_of_range, at);  // too many
      ok = read_value(ctx, i, out[index]);
    } else {
      const char* element_at = ctx.where(i);
      typename T::value_type element{};
      ok = read_value(ctx, i, element);
      if (ok && !out.insert(std::move(element)).second) {
        ok = ctx.fail(errc::duplicate_key, element_at);
      }
    }
    if (!ok) {
      prepend_index(ctx.err.path, index);
      return false;
    }
    ++index;
    if (!next_item(ctx, i, ']', done)) return false;
  }
  if constexpr (kind == array_kind::sequence) out.resize(index);
  if constexpr (kind == array_kind::fixed) {
    if (index != out.size()) return ctx.fail_at(errc::out_of_range, at);  // too few
  }
  --ctx.depth;
  return true;
}

// An object's name as a map key: the text, an integer written in decimal, or an enumerator's name.
template <class K>
bool read_object_key(decode_context& ctx, std::string_view name, const char* at, K& key) {
  if constexpr (std::is_same_v<K, std::string>) {
    key.assign(name.data(), name.size());
    return true;
  } else if constexpr (std::is_integral_v<K>) {
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), key);
    if (ec == std::errc::result_out_of_range) return ctx.fail(errc::out_of_range, at);
    if (ec != std::errc{} || end != name.data() + name.size() || name.empty()) {
      ctx.fail(errc::wrong_type, at);
      ctx.err.expected = json_type::integer;
      ctx.err.received = json_type::string;
      return false;
    }
    return true;
  } else {
    if (auto e = enum_from_name<K>(name)) {
      key = *e;
      return true;
    }
    return ctx.fail(errc::invalid_enum, at);
  }
}

template <class T>
bool read_map(decode_context& ctx, std::uint32_t& i, T& out) {
  const walk w = ctx.view();
  if (w.at(i) != '{') return fail_value(ctx, i, json_kind::object);
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, i);
  ++i;
  out.clear();
  bool done = w.at(i) == '}';
  if (done) ++i;
  while (!done) {
    std::string_view name;
    if (!raw_key(ctx, i, name)) return false;
    const char* raw = name.data() - 1;
    if (ctx.may_escape(name.data(), name.size()) && !unescape_key(ctx, name)) return false;
    i += 2;
    typename T::key_type key{};
    if (!read_object_key(ctx, name, raw, key)) {
      prepend_pointer_segment(ctx.err.path, name);
      return false;
    }
    auto [it, inserted] = out.try_emplace(std::move(key));
    if (!inserted) {
      ctx.fail(errc::duplicate_key, raw);
      prepend_pointer_segment(ctx.err.path, name);
      return false;
    }
    if (!read_value(ctx, i, it->second)) {
      prepend_pointer_segment(ctx.err.path, name);
      return false;
    }
    if (!next_item(ctx, i, '}', done)) return false;
    if (!done && w.at(i) != '"') return ctx.fail_at(errc::malformed_json, i);
  }
  --ctx.depth;
  return true;
}

// A value of a type with a skew::codec: its wire value, then the codec's verdict on it.
template <class T>
bool read_codec_value(decode_context& ctx, std::uint32_t& i, T& out) {
  const std::uint32_t at = i;
  wire_t<T> wire{};
  if (!read_value(ctx, i, wire)) return false;
  const errc code = codec_read(std::as_const(wire), out);
  return code == errc{} || ctx.fail_at(code, at);
}

// Whether read_value has a way to read T (the last branch of read_value is the error for one it
// has not). Optional and field values are looked through; a container's elements report their
// own error.
template <class T>
constexpr bool has_reader() {
  if constexpr (is_optional<T>::value || is_field<T>::value) {
    return has_reader<typename T::value_type>();
  } else {
    return has_codec<T> || std::is_same_v<T, bool> || std::is_integral_v<T> ||
           std::is_floating_point_v<T> || std::is_same_v<T, std::string_view> ||
           std::is_same_v<T, raw_json> || json_array<T> || json_object_map<T> || described<T> ||
           tagged_variant<T> || is_variant<T>::value;
  }
}

// A member of a struct that skew cannot read: one error naming the struct, the member and its
// type, instead of one at the bottom of the member's read.
template <class Struct, class Member, fixed_string Name>
constexpr void member_not_readable() {
  static_assert(dependent_false<Member>,
                "skew cannot read a member of this struct (Struct, Name and Member in the line "
                "above: the struct, the member's name and its type): describe the member's type "
                "with SKEW_DESCRIBE in the type's own namespace, describe an enum with SKEW_ENUM, "
                "or specialize skew::codec for it");
}

template <class T>
SKEW_ALWAYS_INLINE inline bool read_value(decode_context& ctx, std::uint32_t& i, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    return read_string(ctx, i, out);  // not through its codec: see read_string
  } else if constexpr (has_codec<T>) {
    std::uint32_t j = i;  // out of line, through a copy: the caller's position stays in a register
    const bool ok = read_codec_value(ctx, j, out);
    i = j;
    return ok;
  } else if constexpr (std::is_same_v<T, bool>) {
    const std::string_view token = ctx.token(i);
    if (token == "true" || token == "false") {
      out = token[0] == 't';
      ++i;
      return true;
    }
    return fail_value(ctx, i, json_kind::boolean);
  } else if constexpr (std::is_integral_v<T>) {
    return read_integer(ctx, i, out);
  } else if constexpr (std::is_floating_point_v<T>) {
    return read_floating(ctx, i, out);
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return read_string_view(ctx, i, out);
  } else if constexpr (std::is_same_v<T, raw_json>) {
    std::string_view json;
    if (!capture_raw(ctx, i, json)) return false;
    out = raw_json(json);
    return true;
  } else if constexpr (is_optional<T>::value) {
    if (is_null_at(ctx, i)) {
      out.reset();
      ++i;
      return true;
    }
    if (!out.has_value()) out.emplace();
    return read_value(ctx, i, *out);
  } else if constexpr (is_field<T>::value) {
    if (is_null_at(ctx, i)) {
      out.set_null();
      ++i;
      return true;
    }
    out.set_state(presence::value);
    return read_value(ctx, i, out.storage());
  } else if constexpr (json_array<T> || json_object_map<T> || described<T> || tagged_variant<T>) {
    // Containers are read out of line; through a copy of the position, so the caller's stays in
    // a register.
    std::uint32_t j = i;
    bool ok;
    if constexpr (json_array<T>) {
      ok = read_array(ctx, j, out);
    } else if constexpr (json_object_map<T>) {
      ok = read_map(ctx, j, out);
    } else if constexpr (tagged_variant<T>) {
      ok = read_variant(ctx, j, out);
    } else {
      // Declared in read_struct.hpp, found at instantiation (decode_context is in this namespace).
      ok = read_struct(ctx, j, static_cast<void*>(&out), read_table_of<T>());
    }
    i = j;
    return ok;
  } else if constexpr (is_variant<T>::value) {
    require_variant_tags<T>();
    return false;
  } else {
    static_assert(dependent_false<T>,
                  "skew cannot read this type (T in the line above): describe structs with "
                  "SKEW_DESCRIBE, enums with SKEW_ENUM, or specialize skew::codec<T>; map keys are "
                  "strings, integers or described enums");
    return false;
  }
}

// For a root that must be an object: broken bytes are malformed whatever the expected type; an
// intact scalar or array is the wrong kind of root.
inline bool check_object_root(decode_context& ctx) {
  if (ctx.count == 0) return ctx.fail(errc::malformed_json);
  if (ctx.at(0) == '{') return true;
  std::uint32_t probe = 0;
  if (ctx.at(0) != '[' && !validate_value(ctx, probe)) return false;
  return ctx.fail(errc::not_an_object, ctx.input_begin);
}

// Reads a whole document: the root value, then a check that nothing follows it. Described
// structs take read_struct_document (read_struct.hpp), which is compiled once for all of them.
template <class T>
bool read_document(decode_context& ctx, T& out) {
  if constexpr (described<T>) {
    return read_struct_document(ctx, static_cast<void*>(&out), read_table_of<T>());
  } else {
    if constexpr (json_object_map<T>) {
      if (!check_object_root(ctx)) return false;
    } else if (ctx.count == 0) {
      return ctx.fail(errc::malformed_json);
    }
    std::uint32_t i = 0;
    ctx.depth = 0;
    if (!read_value(ctx, i, out)) return false;
    if (i != ctx.count) return ctx.fail_at(errc::trailing_content, i);
    return true;
  }
}

}  // namespace skew::detail

// Reading tagged variants (skew/model/variant.hpp): the tag is found first, then the object is read
// as the alternative it names by the struct reader, with the tag key as an outer key.
#pragma once

#include <skew/model/variant.hpp>
#include <skew/payload/detail/read_struct.hpp>
#include <skew/payload/detail/read_value.hpp>

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

namespace skew::detail {

// Where the tag's value is in the object opening at `object`: the first occurrence of `key` (a
// repeated one is found by the struct pass), its value checked to be a string. Values before it
// are stepped over; the struct pass reads and checks them.
inline bool find_variant_tag(decode_context& ctx, std::uint32_t object, std::string_view key,
                             std::string_view& tag, std::uint32_t& tag_at) {
  std::uint32_t i = object + 1;
  bool done = ctx.at(i) == '}';
  while (!done) {
    std::string_view name;
    if (!raw_key(ctx, i, name)) return false;
    if (ctx.may_escape(name.data(), name.size()) && !unescape_key(ctx, name)) return false;
    i += 2;
    if (name == key) {
      tag_at = i;
      if (read_string_view(ctx, i, tag)) return true;
      prepend_pointer_segment(ctx.err.path, key);
      return false;
    }
    if (!skip_value(ctx, i) || !next_item(ctx, i, '}', done)) return false;
  }
  ctx.fail(errc::missing_field, ctx.where(object));
  append_pointer_segment(ctx.err.path, key);
  return false;
}

// The tag key, met again by the struct pass: its first occurrence was read already, another one
// is a duplicate.
struct variant_tag_key {
  static constexpr bool any = true;
  std::string_view key;
  int occurrences = 0;

  int find(std::string_view k) const noexcept { return k == key ? 0 : -1; }
  bool read(decode_context& ctx, int, std::string_view, std::uint32_t& i) {
    if (++occurrences > 1) return ctx.fail_at(errc::duplicate_key, i - 2);
    return skip_value(ctx, i);
  }
};

// Makes alternative I of V the active one (keeping it, and its capacity, when it already is) and
// returns its address.
template <class V, std::size_t I>
void* select_alternative(void* variant) {
  V& v = *static_cast<V*>(variant);
  if (v.index() != I) v.template emplace<I>();
  return &std::get<I>(v);
}

struct variant_alternative_reader {
  void* (*select)(void* variant) = nullptr;
  const read_table* table = nullptr;  // null for skew::unknown_alternative
};

template <class V>
struct variant_read_table {
  using traits = variant_traits<V>;
  template <std::size_t I>
  static constexpr variant_alternative_reader entry() {
    using A = std::variant_alternative_t<I, V>;
    if constexpr (std::is_same_v<A, unknown_alternative>) {
      return {&select_alternative<V, I>, nullptr};
    } else {
      return {&select_alternative<V, I>, &read_table_for<A>::table};
    }
  }
  static constexpr auto alternatives = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<variant_alternative_reader, traits::size>{entry<I>()...};
  }
  (std::make_index_sequence<traits::size>{});
  // Found by type: comparing the tables' addresses is not a constant expression under UBSan.
  static constexpr int unknown_index = []<std::size_t... I>(std::index_sequence<I...>) {
    int found = -1;
    ((std::is_same_v<std::variant_alternative_t<I, V>, unknown_alternative>
          ? (found = static_cast<int>(I))
          : 0),
     ...);
    return found;
  }
  (std::make_index_sequence<traits::size>{});
};

template <class V>
bool read_variant(decode_context& ctx, std::uint32_t& i, V& out) {
  using traits = variant_traits<V>;
  using table = variant_read_table<V>;
  if (ctx.at(i) != '{') return fail_value(ctx, i, json_kind::object);
  std::string_view tag;
  std::uint32_t tag_at = 0;
  // What the tag search unescapes (keys before the tag, the tag) is used only here: its room in
  // the context's string buffer is given back below, since the struct pass unescapes those keys
  // again and the buffer is sized for whole-message walks, not for an extra one per variant.
  char* const unescaped_mark = ctx.strings;
  if (!find_variant_tag(ctx, i, traits::key, tag, tag_at)) return false;
  const int alternative = traits::index_of(tag);
  if (alternative < 0) {
    if constexpr (table::unknown_index >= 0) {
      auto& kept = *static_cast<unknown_alternative*>(
          table::alternatives[table::unknown_index].select(&out));
      kept.tag.assign(tag.data(), tag.size());
      ctx.strings = unescaped_mark;
      std::string_view json;
      if (!capture_raw(ctx, i, json)) return false;
      kept.json.assign(json.data(), json.size());
      return true;
    } else {
      ctx.fail_at(errc::invalid_enum, tag_at);
      append_pointer_segment(ctx.err.path, traits::key);
      return false;
    }
  }
  ctx.strings = unescaped_mark;
  const variant_alternative_reader& reader =
      table::alternatives[static_cast<std::size_t>(alternative)];
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, i);
  ++i;
  variant_tag_key outer{traits::key};
  return read_struct_fields(ctx, i, reader.select(&out), *reader.table, true, outer);
}

}  // namespace skew::detail

// Reading described structs: one loop over an object's keys, driven by the struct's table
// (struct_table.hpp) and compiled once for every struct. Each key is matched against the table's
// names starting after the last match, so keys in declaration order match at the first compare;
// the hot scalar kinds are read inline, every other member through its type's shared reader.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/payload/detail/read_value.hpp>
#include <skew/payload/detail/struct_table.hpp>

#include <bit>
#include <cstdint>
#include <string_view>

namespace skew::detail {

// Which members a struct read has met, and under which name. Seen-or-not is one bit per member
// in whole words, which stay in registers for structs of up to 64 members. Only a member read
// under a former name, which is rare, stores a byte: the index of that name.
template <bool Wide>
class seen_members {
 public:
  static constexpr std::size_t words = Wide ? max_members / 64 : 1;

  SKEW_ALWAYS_INLINE bool has(std::size_t m) const noexcept {
    return (bits_[word(m)] >> (m % 64)) & 1u;
  }
  // 1: under the member's name; 2 + k: under its k-th former name (for a member seen).
  SKEW_ALWAYS_INLINE std::uint8_t tag(std::size_t m) const noexcept {
    return ((via_alias_[word(m)] >> (m % 64)) & 1u) != 0 ? alias_tags_[m] : 1;
  }
  // A member met for the first time, under the name `tag` says.
  SKEW_ALWAYS_INLINE void mark(std::size_t m, std::uint8_t tag) noexcept {
    const std::uint64_t bit = std::uint64_t{1} << (m % 64);
    bits_[word(m)] |= bit;
    if (tag > 1) [[unlikely]] {
      via_alias_[word(m)] |= bit;
      alias_tags_[m] = tag;
    }
  }
  // A member met under a former name, then under its name.
  void mark_current_name(std::size_t m) noexcept {
    via_alias_[word(m)] &= ~(std::uint64_t{1} << (m % 64));
  }
  // Word w of the members not seen among the first n, or seen under a former name.
  SKEW_ALWAYS_INLINE std::uint64_t unfinished(std::size_t w, std::size_t n) const noexcept {
    const std::size_t in_word = n - 64 * w;
    const std::uint64_t present =
        in_word >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << in_word) - 1;
    return (~bits_[w] & present) | via_alias_[w];
  }

 private:
  static constexpr std::size_t word(std::size_t m) noexcept { return Wide ? m / 64 : 0; }
  std::uint64_t bits_[words] = {};
  std::uint64_t via_alias_[words] = {};
  std::uint8_t alias_tags_[Wide ? max_members : 64];  // read only where via_alias_ is set
};

// The index of the table's name `key` is, or -1. The name at `hint` (the one after the last
// match) is tried first: members mostly arrive in declaration order.
SKEW_ALWAYS_INLINE inline int find_key(const read_table& t, std::string_view key,
                                       std::uint32_t hint) noexcept {
  if (hint < t.key_count && t.keys[hint].matches(key)) [[likely]]
    return static_cast<int>(hint);
  const unsigned bucket = key_length_bit(key.size());
  if (((t.lookup->lengths >> bucket) & 1u) == 0) return -1;
  for (std::uint16_t k = t.lookup->first[bucket]; k != key_lookup::none;
       k = t.keys[k].next_same_length) {
    if (t.keys[k].matches(key)) return k;
  }
  return -1;
}

template <class V>
bool read_erased(decode_context& ctx, std::uint32_t& i, void* slot) {
  return read_value(ctx, i, *static_cast<V*>(slot));
}

template <class V>
int read_compare_erased(decode_context& ctx, std::uint32_t& i, const void* slot) {
  V other{};
  if (!read_value(ctx, i, other)) return -1;
  return other == *static_cast<const V*>(slot) ? 1 : 0;
}

template <class V>
void reset_erased(void* slot) {
  V& value = *static_cast<V*>(slot);
  if constexpr (is_optional<V>::value || is_field<V>::value) {
    value.reset();
  } else {
    value = V{};
  }
}

// Gives member I of T the default its description names.
template <class T, std::size_t I>
void default_erased(void* slot) {
  constexpr auto& m = member_at<I>(members_of<T>);
  *static_cast<typename std::decay_t<decltype(m)>::value_type*>(slot) = m.default_;
}

// Reads the value at i into a member not seen before: scalar kinds inline, the rest through the
// member type's reader.
SKEW_ALWAYS_INLINE inline bool read_fresh_member(decode_context& ctx, std::uint32_t& i,
                                                 const read_member& m, void* slot) {
  switch (m.kind) {
    case member_kind::string:
      return read_string(ctx, i, *static_cast<std::string*>(slot));
    case member_kind::string_view:
      return read_string_view(ctx, i, *static_cast<std::string_view*>(slot));
    case member_kind::boolean:
      return read_value(ctx, i, *static_cast<bool*>(slot));
    case member_kind::int32:
      return read_integer(ctx, i, *static_cast<std::int32_t*>(slot));
    case member_kind::int64:
      return read_integer(ctx, i, *static_cast<std::int64_t*>(slot));
    case member_kind::uint32:
      return read_integer(ctx, i, *static_cast<std::uint32_t*>(slot));
    case member_kind::uint64:
      return read_integer(ctx, i, *static_cast<std::uint64_t*>(slot));
    default:
      return m.read(ctx, i, slot);
  }
}

// A member met a second time: the same name is a duplicate; another of its names (a rename's
// dual-write phase) is accepted when both copies agree, because a reader that picked either one
// would see the same message.
template <bool Wide>
SKEW_NOINLINE bool read_member_again(decode_context& ctx, std::uint32_t& i, const key_entry& key,
                                     const read_member& m, void* slot, seen_members<Wide>& seen) {
  const char* at = ctx.where(i);
  if (seen.tag(key.member) == key.tag) return ctx.fail(errc::duplicate_key, at);
  if (m.read_compare != nullptr) {
    const int same = m.read_compare(ctx, i, slot);
    if (same < 0) return false;
    if (same == 1) {
      // The current name was written too: the value did not depend on the old name.
      if (key.tag == 1) seen.mark_current_name(key.member);
      return true;
    }
  }
  return ctx.fail(errc::conflicting_alias, at);
}

// Keys of a root object that are not the struct's but something around it: an envelope header's,
// for a flat envelope's payload. `find` says which (-1: none), `read` reads its value. A plain
// document has none; the flat envelope's kind is in decode_payload.hpp.
struct no_outer_keys {
  static constexpr bool any = false;
  int find(std::string_view) const noexcept { return -1; }
  bool read(decode_context&, int, std::string_view, std::uint32_t&) noexcept { return true; }
};

// Keeps the value at i under `key` in a struct's unknown_fields member. A struct's table points
// here only if it has one, so a TU whose structs keep no unknown keys does not compile it.
inline bool keep_unknown_key(decode_context& ctx, std::uint32_t& i, std::string_view key,
                             unknown_fields& extras) {
  std::string_view json;
  if (!capture_raw(ctx, i, json)) return false;
  extras.add(key, json);
  return true;
}

// A key no member claims that is not stepped over or kept: an outer key, or, in strict mode, an
// unknown key, which is an error.
template <class Outer>
SKEW_NOINLINE bool read_outer_or_reject(decode_context& ctx, std::uint32_t& i, std::string_view key,
                                        const char* raw, Outer& outer) {
  if constexpr (Outer::any) {
    const int slot = outer.find(key);
    if (slot >= 0) return outer.read(ctx, slot, key, i);
  }
  ++ctx.ignored_keys;
  return ctx.fail(errc::unknown_key, raw);
}

// After the last key: members read under a former name are counted (some producer still writes
// the old name alone, so it cannot be retired yet), absent ones take their default or empty
// state, and an absent required one is missing_field. Only those members are visited, in
// declaration order.
template <bool Wide>
bool finish_members(decode_context& ctx, const read_table& t, char* base,
                    const std::uint32_t* offsets, const seen_members<Wide>& seen) {
  for (std::size_t w = 0; 64 * w < t.member_count; ++w) {
    for (std::uint64_t todo = seen.unfinished(w, t.member_count); todo != 0; todo &= todo - 1) {
      const std::size_t m = 64 * w + static_cast<std::size_t>(std::countr_zero(todo));
      const read_member& e = t.members[m];
      if (e.read == nullptr) continue;  // the unknown_fields member
      if (seen.has(m)) {
        ctx.note_alias(e.aliases[seen.tag(m) - 2]);
      } else if (e.required) {
        ctx.fail(errc::missing_field);
        append_pointer_segment(ctx.err.path, e.name);
        return false;
      } else {
        e.absent(base + offsets[m]);
      }
    }
  }
  return true;
}

inline unknown_fields* unknown_fields_of(const read_table& t, char* base,
                                         const std::uint32_t* offsets) noexcept {
  if (t.unknown_fields_member < 0) return nullptr;
  auto* extras = reinterpret_cast<unknown_fields*>(
      base + offsets[static_cast<std::size_t>(t.unknown_fields_member)]);
  extras->clear();
  return extras;
}

// Reads members from `position` (a key, or the closing brace when `allow_close`) to the end of an
// object whose depth is already counted, then finishes the members not seen. An envelope starts
// it mid-object, after its header, with the header's keys as `outer`.
template <bool Wide, class Outer>
bool read_members(decode_context& ctx, std::uint32_t& position, void* out, const read_table& t,
                  bool allow_close, Outer& outer) {
  const walk w = ctx.view();
  char* const base = static_cast<char*>(out);
  std::uint32_t i = position;  // a local, so it lives in a register
  struct write_back {
    std::uint32_t& to;
    const std::uint32_t& from;
    ~write_back() { to = from; }
  } update{position, i};
  seen_members<Wide> seen;
  const std::uint32_t* const offsets = t.offsets();
  unknown_fields* const extras = unknown_fields_of(t, base, offsets);
  std::uint32_t hint = 0;  // the name to try first: the one after the last match
  // Keys no member claims are stepped over or kept, inline; outer keys and strict mode's
  // rejections out of line.
  const bool tolerant = ctx.opts.unknown_keys != unknown_keys::reject;
  const bool plain_skip = tolerant && extras == nullptr;
  bool done = allow_close && w.at(i) == '}';
  if (done) ++i;
  while (!done) {
    std::string_view key;
    if (!raw_key(ctx, i, key)) return false;
    const char* raw = key.data() - 1;
    i += 2;
    int k = find_key(t, key, hint);
    if (k < 0 && ctx.may_escape(key.data(), key.size())) [[unlikely]] {
      // Escaped keys are matched by their unescaped name, so `"\u0074o"` is `to`.
      if (!unescape_key(ctx, key)) return false;
      k = find_key(t, key, hint);
    }
    bool ok;
    if (k >= 0) [[likely]] {
      const key_entry& name = t.keys[k];
      const read_member& m = t.members[name.member];
      hint = static_cast<std::uint32_t>(k) + 1;
      if (!seen.has(name.member)) [[likely]] {
        seen.mark(name.member, name.tag);
        ok = read_fresh_member(ctx, i, m, base + offsets[name.member]);
      } else {
        ok = read_member_again(ctx, i, name, m, base + offsets[name.member], seen);
      }
    } else if (plain_skip && outer.find(key) < 0) {
      ++ctx.ignored_keys;
      ok = skip_or_validate(ctx, i);
    } else if (tolerant && extras != nullptr && outer.find(key) < 0) {
      ++ctx.ignored_keys;
      ok = t.keep_unknown(ctx, i, key, *extras);
    } else {
      ok = read_outer_or_reject(ctx, i, key, raw, outer);
    }
    if (!ok) {
      prepend_pointer_segment(ctx.err.path, key);
      return false;
    }
    // A key must follow a comma; raw_key checks that on the next turn.
    if (!next_item(ctx, i, '}', done)) return false;
  }
  --ctx.depth;
  return finish_members(ctx, t, base, offsets, seen);
}

template <bool Wide>
bool read_plain_members(decode_context& ctx, std::uint32_t& position, void* out,
                        const read_table& t, bool allow_close) {
  no_outer_keys none;
  return read_members<Wide>(ctx, position, out, t, allow_close, none);
}

// The reader's table of described struct T: constant data, built at compile time.
template <class T>
struct read_table_for {
  using layout = struct_layout<T>;

  template <std::size_t I>
  static constexpr read_member entry() {
    constexpr auto& m = member_at<I>(layout::members);
    using M = typename layout::template member_type<I>;
    using V = typename M::value_type;
    read_member e;
    if constexpr (!M::is_unknown_fields && !has_reader<V>()) {
      member_not_readable<T, V, fixed_string<m.name.size() + 1>(m.name)>();
    } else if constexpr (!M::is_unknown_fields) {
      e.name = m.name;
      e.aliases = m.aliases.data();
      e.kind = kind_of<V>();
      e.required = member_is_required(m);
      e.read = &read_erased<V>;
      // Compared only when a member arrives under two of its names.
      if constexpr (m.alias_count > 0 && deeply_equality_comparable<V>())
        e.read_compare = &read_compare_erased<V>;
      if constexpr (M::has_default) {
        e.absent = &default_erased<T, I>;
      } else {
        e.absent = &reset_erased<V>;
      }
    }
    return e;
  }

  static constexpr std::array<read_member, layout::member_count> members =
      []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<read_member, layout::member_count>{entry<I>()...};
  }
  (std::make_index_sequence<layout::member_count>{});

  static constexpr read_table table{
      layout::keys.data(),
      &layout::lookup,
      static_cast<std::uint32_t>(layout::key_count),
      members.data(),
      static_cast<std::uint32_t>(layout::member_count),
      &layout::offsets,
      layout::unknown_fields_member,
      &read_plain_members<(layout::member_count > 64)>,
      layout::unknown_fields_member >= 0 ? &keep_unknown_key : nullptr};
};

template <class T>
const read_table& read_table_of() {
  return read_table_for<T>::table;
}

inline bool read_struct_fields(decode_context& ctx, std::uint32_t& position, void* out,
                               const read_table& t, bool allow_close) {
  return t.read_fields(ctx, position, out, t, allow_close);
}

// The same, for a root object that also holds `outer`'s keys: compiled once per kind of outer
// keys, not per struct.
template <class Outer>
bool read_struct_fields(decode_context& ctx, std::uint32_t& position, void* out,
                        const read_table& t, bool allow_close, Outer& outer) {
  if constexpr (!Outer::any) {
    return t.read_fields(ctx, position, out, t, allow_close);
  } else {
    return t.member_count > 64 ? read_members<true>(ctx, position, out, t, allow_close, outer)
                               : read_members<false>(ctx, position, out, t, allow_close, outer);
  }
}

inline bool read_struct(decode_context& ctx, std::uint32_t& i, void* out, const read_table& t) {
  if (ctx.at(i) != '{') return fail_value(ctx, i, json_kind::object);
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, i);
  ++i;
  return read_struct_fields(ctx, i, out, t, true);
}

// The members of a struct read from an absent object: defaults everywhere, missing_field for the
// required ones.
inline bool read_empty_struct(decode_context& ctx, void* out, const read_table& t) {
  char* const base = static_cast<char*>(out);
  const std::uint32_t* const offsets = t.offsets();
  unknown_fields_of(t, base, offsets);
  return t.member_count <= 64 ? finish_members(ctx, t, base, offsets, seen_members<false>{})
                              : finish_members(ctx, t, base, offsets, seen_members<true>{});
}

// A whole document whose root is a described struct, whose root object may hold `outer`'s keys.
template <class Outer = no_outer_keys>
bool read_struct_document(decode_context& ctx, void* out, const read_table& t, Outer outer = {}) {
  if (!check_object_root(ctx)) return false;
  ctx.depth = 1;
  if (ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, 0);
  std::uint32_t i = 1;
  if (!read_struct_fields(ctx, i, out, t, true, outer)) return false;
  if (i != ctx.count) return ctx.fail_at(errc::trailing_content, i);
  return true;
}

// A payload read from an envelope without data (or with `data: null`): an optional or
// skew::field payload is absent, a struct has its members' defaults (and missing_field for a
// required one), a map is empty.
template <class T>
bool read_empty_object(decode_context& ctx, T& out) {
  if constexpr (is_optional<T>::value || is_field<T>::value) {
    out.reset();
    return true;
  } else if constexpr (described<T>) {
    return read_empty_struct(ctx, &out, read_table_of<T>());
  } else if constexpr (json_object_map<T>) {
    out.clear();
    return true;
  } else {
    return ctx.fail(errc::wrong_type);
  }
}

}  // namespace skew::detail

// The table of a described struct: per JSON name (member names and former names) the packed key
// words, and per member its offset, kind and the type-erased functions that read, write and
// default it. The struct reader and writer are loops over this table, compiled once for all
// structs; the functions they call are shared by every member of the same type.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/json/detail/key_set.hpp>
#include <skew/model/describe.hpp>
#include <skew/model/detail/traits.hpp>
#include <skew/model/unknown_fields.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace skew::detail {

struct decode_context;
struct encode_context;
class output;

// What the struct loop does inline for a member instead of calling its reader: the scalar kinds
// that make up most message payloads.
enum class member_kind : std::uint8_t {
  other,
  string,
  string_view,
  boolean,
  int32,
  int64,
  uint32,
  uint64
};

template <class V>
constexpr member_kind kind_of() {
  if constexpr (std::is_same_v<V, std::string>) {
    return member_kind::string;
  } else if constexpr (std::is_same_v<V, std::string_view>) {
    return member_kind::string_view;
  } else if constexpr (std::is_same_v<V, bool>) {
    return member_kind::boolean;
  } else if constexpr (std::is_same_v<V, std::int32_t>) {
    return member_kind::int32;
  } else if constexpr (std::is_same_v<V, std::int64_t>) {
    return member_kind::int64;
  } else if constexpr (std::is_same_v<V, std::uint32_t>) {
    return member_kind::uint32;
  } else if constexpr (std::is_same_v<V, std::uint64_t>) {
    return member_kind::uint64;
  } else {
    return member_kind::other;
  }
}

// Reads the value at position i into the member at `slot`.
using read_function = bool (*)(decode_context& ctx, std::uint32_t& i, void* slot);
// Reads the value at i and compares it with the member at `slot`: 1 equal, 0 different, -1 failed.
using read_compare_function = int (*)(decode_context& ctx, std::uint32_t& i, const void* slot);
// Gives an absent, optional member its default (or its empty state).
using absent_function = void (*)(void* slot);
// Writes the member's value; its key is already written.
using write_function = bool (*)(encode_context& ctx, output& out, const void* slot);
// Whether the member is written at all (a missing skew::field, an empty std::optional are not).
using present_function = bool (*)(const void* slot);

// One name a member is read under, packed for compares by word loads: keys being matched lie in
// padded input or a padded buffer, so 16 bytes can be read from their start.
struct key_entry {
  std::uint64_t word0 = 0;
  std::uint64_t word1 = 0;
  std::uint64_t mask0 = 0;
  std::uint64_t mask1 = 0;
  const char* data = nullptr;
  std::uint32_t size = 0;
  std::uint16_t member = 0;
  std::uint16_t next_same_length = 0;  // the next name of the same length bucket, or none
  std::uint8_t tag = 0;                // 1: the member's name; 2 + k: its k-th former name

  static constexpr key_entry of(std::string_view name, std::size_t member, std::size_t tag) {
    key_entry e;
    e.data = name.data();
    e.size = static_cast<std::uint32_t>(name.size());
    e.member = static_cast<std::uint16_t>(member);
    e.tag = static_cast<std::uint8_t>(tag);
    const name_words w = name_words::of(name);
    e.word0 = w.word0;
    e.word1 = w.word1;
    e.mask0 = w.mask0;
    e.mask1 = w.mask1;
    return e;
  }

  // Whether `key` is this name. Reads 16 bytes from key.data(): padded input only.
  SKEW_ALWAYS_INLINE bool matches(std::string_view key) const noexcept {
    if (key.size() != size) return false;
    if constexpr (std::endian::native != std::endian::little) {
      return std::memcmp(key.data(), data, size) == 0;
    } else {
      std::uint64_t a;
      std::uint64_t b;
      std::memcpy(&a, key.data(), 8);
      std::memcpy(&b, key.data() + 8, 8);
      if ((((a ^ word0) & mask0) | ((b ^ word1) & mask1)) != 0) return false;
      return size <= 16 || std::memcmp(key.data() + 16, data + 16, size - 16) == 0;
    }
  }
};

// What the reader needs of a member (read_struct.hpp builds these).
struct read_member {
  std::string_view name;
  const std::string_view* aliases = nullptr;
  member_kind kind = member_kind::other;
  bool required = false;
  read_function read = nullptr;                  // null: the unknown_fields member
  read_compare_function read_compare = nullptr;  // null: no former name, or the type has no ==
  absent_function absent = nullptr;
};

// The names of a struct by length: most keys a struct does not describe have a length none of
// its names has, and most lengths belong to one name.
struct key_lookup {
  static constexpr std::uint16_t none = 0xffff;
  std::uint64_t lengths = 0;     // bit n: some name has length n (63: 63 or more)
  std::uint16_t first[64] = {};  // per length bucket (key_length_bit), the first name, or none
};

// The byte offsets of a struct's members, in declaration order.
using offsets_function = const std::uint32_t* (*)();

struct read_table;
using read_fields_function = bool (*)(decode_context& ctx, std::uint32_t& position, void* out,
                                      const read_table& t, bool allow_close);
// Keeps the value at i under `key` in a struct's unknown_fields member.
using keep_unknown_function = bool (*)(decode_context& ctx, std::uint32_t& i, std::string_view key,
                                       unknown_fields& extras);

struct read_table {
  const key_entry* keys;
  const key_lookup* lookup;
  std::uint32_t key_count;
  const read_member* members;
  std::uint32_t member_count;
  offsets_function offsets;
  std::int32_t unknown_fields_member;  // -1: the struct keeps no unknown keys
  read_fields_function read_fields;    // the key loop, sized for the member count
  keep_unknown_function keep_unknown;  // null when unknown_fields_member is -1
};

// What the writer needs of a member (write_value.hpp builds these).
struct write_member {
  std::string_view name;
  const std::string_view* aliases = nullptr;
  std::uint8_t alias_count = 0;
  bool writes_aliases = false;
  bool plain_name = false;             // the name needs no escaping in JSON: written as it is
  write_function write = nullptr;      // null: the unknown_fields member
  present_function present = nullptr;  // null: always written
};

struct write_table {
  const key_entry* keys;
  const key_lookup* lookup;
  const write_member* members;
  std::uint32_t member_count;
  offsets_function offsets;
};

// Whether `name` is one of a struct's names, current or former: its length bucket, then plain
// compares (`name` need not be readable past its end, as a key being matched must).
constexpr bool has_name(const key_entry* keys, const key_lookup& lookup,
                        std::string_view name) noexcept {
  const unsigned bucket = key_length_bit(name.size());
  if (((lookup.lengths >> bucket) & 1u) == 0) return false;
  for (std::uint16_t k = lookup.first[bucket]; k != key_lookup::none;
       k = keys[k].next_same_length) {
    if (std::string_view(keys[k].data, keys[k].size) == name) return true;
  }
  return false;
}

inline bool table_has_name(const write_table& t, std::string_view key) noexcept {
  return has_name(t.keys, *t.lookup, key);
}

// The first of `names` that is also one of a struct's names, or an empty view.
template <std::size_t N>
constexpr std::string_view first_shared_name(
    const key_entry* keys, const key_lookup& lookup,
    const std::array<std::string_view, N>& names) noexcept {
  for (const std::string_view name : names) {
    if (has_name(keys, lookup, name)) return name;
  }
  return {};
}

// Whether text needs no escaping inside a JSON string: no quote, backslash, control character
// or non-ASCII byte.
constexpr bool is_plain_json(std::string_view text) noexcept {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

// The largest number of members a struct may describe (SKEW_DESCRIBE's limit too).
inline constexpr std::size_t max_members = 256;

// The byte offset of a data member. Only its address is formed, never read: GCC and Clang fold
// it to a constant.
template <auto MemberPtr>
std::uint32_t member_offset() noexcept {
  using owner = typename member_pointer_traits<decltype(MemberPtr)>::owner;
  union storage {
    char none;
    owner object;
    storage() noexcept : none() {}
    ~storage() {}
  } s;
  return static_cast<std::uint32_t>(reinterpret_cast<const char*>(&(s.object.*MemberPtr)) -
                                    reinterpret_cast<const char*>(&s));
}

// What reader and writer share of described struct T: its members, their names packed for
// matching, and their offsets.
template <class T>
struct struct_layout {
  static constexpr auto& members = members_of<T>;
  static constexpr std::size_t member_count = std::decay_t<decltype(members)>::size;
  static_assert(member_count <= max_members, "skew describes at most 256 members per struct");

  template <std::size_t I>
  using member_type = std::decay_t<decltype(member_at<I>(members))>;

  static constexpr std::size_t key_count = apply_members(
      [](const auto&... m) {
        return (std::size_t{0} + ... + (m.is_unknown_fields ? 0 : 1 + m.alias_count));
      },
      members);

  static constexpr std::array<key_entry, key_count> keys = [] {
    std::array<key_entry, key_count> out{};
    std::size_t next = 0;
    std::size_t index = 0;
    apply_members(
        [&](const auto&... m) {
          (
              [&] {
                if (!m.is_unknown_fields) {
                  out[next++] = key_entry::of(m.name, index, 1);
                  for (std::size_t a = 0; a < m.alias_count; ++a)
                    out[next++] = key_entry::of(m.aliases[a], index, a + 2);
                }
                ++index;
              }(),
              ...);
        },
        members);
    // Chain the names of each length bucket, in declaration order.
    std::array<std::uint16_t, 64> last{};
    last.fill(key_lookup::none);
    for (std::size_t k = 0; k < key_count; ++k) {
      out[k].next_same_length = key_lookup::none;
      const unsigned b = key_length_bit(out[k].size);
      if (last[b] != key_lookup::none)
        out[last[b]].next_same_length = static_cast<std::uint16_t>(k);
      last[b] = static_cast<std::uint16_t>(k);
    }
    return out;
  }();

  static constexpr key_lookup lookup = [] {
    key_lookup l;
    for (auto& f : l.first) f = key_lookup::none;
    for (std::size_t k = key_count; k-- > 0;) {
      const unsigned b = key_length_bit(keys[k].size);
      l.lengths |= std::uint64_t{1} << b;
      l.first[b] = static_cast<std::uint16_t>(k);
    }
    return l;
  }();

  static constexpr std::int32_t unknown_fields_member = [] {
    std::int32_t index = -1;
    std::int32_t k = 0;
    apply_members(
        [&](const auto&... m) { ((m.is_unknown_fields&& index < 0 ? index = k : 0, ++k), ...); },
        members);
    return index;
  }();

  // The members' offsets, computed on first use: a member pointer's offset is not a constant
  // expression, though the compiler folds it to one.
  SKEW_NOINLINE static const std::uint32_t* offsets() {
    static const std::array<std::uint32_t, member_count> values = apply_members(
        [](const auto&... m) {
          return std::array<std::uint32_t, member_count>{
              member_offset<std::decay_t<decltype(m)>::pointer>()...};
        },
        members);
    return values.data();
  }
};

// The tables of described struct T: constant data, defined by read_struct.hpp and write_value.hpp,
// so that a producer compiles no reader code and a consumer no writer code.
template <class T>
const read_table& read_table_of();
template <class T>
const write_table& write_table_of();

}  // namespace skew::detail

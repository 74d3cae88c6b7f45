// The flat layout's header accelerators: the header as skew's encoder writes it, matched by
// literal compares, and the compact form writers emit, both at the object's start, advancing the
// one header state (header_fields) and handing over where they stop to the general step in
// flat_header.hpp; and, for the router, type and version read from the object's end.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/envelope/detail/header_fields.hpp>
#include <skew/envelope/format.hpp>
#include <skew/json/detail/key_set.hpp>
#include <skew/json/detail/scan.hpp>
#include <skew/json/detail/simd.hpp>
#include <skew/json/detail/skip.hpp>
#include <skew/json/detail/structural_index.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace skew::detail {

// Up to 32 bytes of JSON text to compare against input in two 16-byte loads.
struct json_literal {
  std::array<char, 32> bytes{};
  std::uint32_t mask = 0;  // bit k: byte k is compared
  std::uint32_t size = 0;
  bool usable = false;  // fits, and holds nothing JSON would escape

  // `key` between the punctuation around it; unusable when the key holds what JSON escapes.
  static json_literal of(std::string_view before, std::string_view key,
                         std::string_view after) noexcept {
    json_literal l;
    std::size_t n = 0;
    auto append = [&](std::string_view text) {
      for (const char c : text) {
        if (n < l.bytes.size()) l.bytes[n] = c;
        ++n;
      }
    };
    append(before);
    append(key);
    append(after);
    bool plain = !key.empty();
    for (const char c : key) {
      plain = plain && c != '\\' && c != '"' && static_cast<unsigned char>(c) >= 0x20;
    }
    l.usable = plain && n <= l.bytes.size();
    l.size = static_cast<std::uint32_t>(n);
    l.mask = n >= 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << n) - 1;
    return l;
  }

  // Whether `p` starts with these bytes. Reads 32 bytes: padded input only.
  SKEW_ALWAYS_INLINE bool starts(const char* p) const noexcept {
#if defined(SKEW_USE_SSE2)
    return (equal_bytes32(p, bytes.data()) & mask) == mask;
#else
    return std::memcmp(p, bytes.data(), size) == 0;
#endif
  }
};

// The flat layout's header keys, packed once per format in header_slot order.
struct flat_keys : packed_key_set {
  explicit flat_keys(const envelope_format& format) noexcept
      : packed_key_set(format.header_keys()),
        type_opening(json_literal::of("{\"", format.type_key, "\":\"")),
        version_between(json_literal::of("\",\"", format.version_key, "\":")),
        id_between(json_literal::of(",\"", format.id_key, "\":\"")),
        default_names(format.header_keys() == envelope_format::flat().header_keys()) {}

  // Which header key `key` is (a header_slot), or -1 for a payload key.
  SKEW_ALWAYS_INLINE inline int slot(std::string_view key) const noexcept { return find(key); }
  // The same, for key words loaded without branches where the set allows it.
  SKEW_ALWAYS_INLINE int slot_without_branches(std::string_view key) const noexcept {
    return branch_free ? find_without_branches(key) : find(key);
  }

  // The header as skew's encoder writes it, byte for byte up to the values: `{"type":"`, then
  // `","schemaVersion":` after the type, then `,"id":"` after the version.
  json_literal type_opening;
  json_literal version_between;
  json_literal id_between;
  bool canonical() const noexcept {
    return type_opening.usable && version_between.usable && id_between.usable;
  }
  // The keys are envelope_format::flat()'s, which a payload's names are checked against at
  // compile time (decode_payload.hpp).
  bool default_names;
};

// A version of 1 to 9 digits without a leading zero, so always within 1 .. 2^32-1; false for
// anything else, which the general reader then judges. It returns at the first non-digit rather
// than accumulating a flag, which the compiler kept in memory (see docs/performance.md).
SKEW_ALWAYS_INLINE inline bool read_plain_version(const char* p, std::size_t n,
                                                  std::uint32_t& out) noexcept {
  if (n == 0 || n > 9 || *p == '0') return false;
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const auto digit = static_cast<std::uint32_t>(p[k] - '0');
    if (digit > 9) return false;
    v = v * 10 + digit;
  }
  out = v;
  return true;
}

// What match_canonical_header found, in registers until take_canonical_header stores it.
struct canonical_header {
  std::string_view type;
  std::string_view id;
  std::uint32_t version = 0;
  const char* type_end = nullptr;     // the type's closing quote
  const char* version_end = nullptr;  // the comma after the version
};

// Accelerator 1, the written header: `{"type":"…","schemaVersion":N,"id":"…","` exactly, the
// order and form skew's encoder writes. Three literal compares at the commas the structural index
// gives, instead of finding and matching each key. Strings without escapes, a non-empty type, the
// version 1 to 9 digits, and a key after the id. Only loads: the router matches before it sets up
// its frame, so that these loads do not queue behind the frame's stores.
SKEW_ALWAYS_INLINE inline bool match_canonical_header(const walk& w, const flat_keys& keys,
                                                      canonical_header& c) {
  if (w.count < 15 || !keys.type_opening.starts(w.begin)) return false;
  const std::uint32_t* p = w.positions;
  // Positions 4, 8 and 12 are the commas after the type, the version and the id; 14 the next
  // key's colon, checked as the general reader would before it stops there: a quote just before
  // a colon closes a string, which can only have opened at 13.
  const char* type_end = w.begin + p[4] - 1;
  const char* version_end = w.begin + p[8];
  const char* id_end = w.begin + p[12] - 1;
  const char* next_colon = w.begin + p[14];
  if (!keys.version_between.starts(type_end) || !keys.id_between.starts(version_end) ||
      *id_end != '"' || id_end[1] != ',' || *next_colon != ':' || next_colon[-1] != '"') {
    return false;
  }
  const char* type = w.begin + keys.type_opening.size;
  const char* version = type_end + keys.version_between.size;
  const char* id = version_end + keys.id_between.size;
  const auto type_size = static_cast<std::size_t>(type_end - type);
  const auto version_size = static_cast<std::size_t>(version_end - version);
  const auto id_size = static_cast<std::size_t>(id_end - id);
  std::uint32_t v = 0;
  // An empty type is left to the general reader: it must see what follows the header before
  // reporting the type missing, since bytes that are not JSON there make the message malformed.
  if (type_size == 0 || id_end < id || !read_plain_version(version, version_size, v) ||
      (w.has_backslash &&
       (contains_backslash(type, type_size) || contains_backslash(id, id_size)))) {
    return false;
  }
  c.type = std::string_view(type, type_size);
  c.id = std::string_view(id, id_size);
  c.version = v;
  c.type_end = type_end;
  c.version_end = version_end;
  return true;
}

// A matched header into a fresh `out`, handed over at the key after the id (position 13).
SKEW_ALWAYS_INLINE inline void take_canonical_header(const canonical_header& c, const walk& w,
                                                     const flat_keys& keys, header_fields& out) {
  out.type = c.type;
  out.version = c.version;
  out.id = c.id;
  out.has_type = out.has_version = out.has_id = true;
  out.seen_slots =
      slot_bit(header_slot::type) | slot_bit(header_slot::version) | slot_bit(header_slot::id);
  out.cursor = {13, false, false, false};
  // Attribute names view the keys in the input, as the other header readers' do.
  const char* version = c.type_end + keys.version_between.size;
  out.add_flat(std::string_view(w.begin + 2, keys.type_opening.size - 5),
               std::string_view(c.type.data() - 1, c.type.size() + 2), c.type, true);
  out.add_flat(std::string_view(c.type_end + 3, keys.version_between.size - 5),
               std::string_view(version, static_cast<std::size_t>(c.version_end - version)), {},
               false);
  out.add_flat(std::string_view(c.version_end + 2, keys.id_between.size - 5),
               std::string_view(c.id.data() - 1, c.id.size() + 2), c.id, true);
}

// Accelerator 2, the compact header: type, version and id first (in any order), no whitespace
// between tokens, strings without escapes, the version 1 to 9 digits. Each key costs one bounds
// check and a few loads. Stops at anything else (a payload key, a stamp, a duplicate, another
// form) and hands over there: out.cursor.next is the first key it did not read.
SKEW_ALWAYS_INLINE inline void read_compact_header(const walk& w, const flat_keys& keys,
                                                   header_fields& out) {
  std::uint32_t i = out.cursor.next;
  constexpr unsigned compact_slots =
      slot_bit(header_slot::type) | slot_bit(header_slot::version) | slot_bit(header_slot::id);
  while (i + 3 < w.count) {
    const std::uint32_t* p = w.positions + i;
    const char* key_quote = w.begin + p[0];
    const char* colon = w.begin + p[1];
    if (*key_quote != '"' || *colon != ':' || colon[-1] != '"' || colon - 1 <= key_quote) break;
    const std::string_view key(key_quote + 1, static_cast<std::size_t>(colon - 2 - key_quote));
    const int found = keys.slot_without_branches(key);
    if (found < 0) break;
    const auto slot = static_cast<header_slot>(found);
    const unsigned bit = slot_bit(slot);
    if ((compact_slots & bit) == 0 || (out.seen_slots & bit) != 0) break;
    const char* value = w.begin + p[2];
    const char* separator = w.begin + p[3];
    if (*separator != ',') break;
    const std::string_view token(value, static_cast<std::size_t>(separator - value));
    std::string_view text;
    if (slot == header_slot::version) {
      std::uint32_t v = 0;
      if (!read_plain_version(token.data(), token.size(), v)) break;
      out.version = v;
      out.has_version = true;
    } else {
      if (token.size() < 2 || token[0] != '"' || !plain_string_token(token, w.has_backslash)) break;
      text = token.substr(1, token.size() - 2);
      (slot == header_slot::type ? out.type : out.id) = text;
      (slot == header_slot::type ? out.has_type : out.has_id) = true;
    }
    out.seen_slots |= bit;
    out.add_flat(key, token, text, slot != header_slot::version);
    i += 4;
  }
  out.cursor.next = i;
}

// Accelerator 3, the header at the end: the header keys that close the object (after its last
// payload key, at most header_slot_count of them), read from the closing brace backwards in the
// compact form, with type and version among them. They are taken as the general step takes them
// (values, seen slots, attributes in the object's order); the payload pass then reads the object
// from its start and ends where they begin (cursor.from_end, cursor.end_keys). Only the router
// uses it, because a message it routes that then fails (an unknown type or version, any error, a
// header key before these) is read again from the start by the general step there, so that every
// outcome is the general step's. A key whose value is a container ends the search: the token
// before the separator is then a bracket, not the value after a colon.
SKEW_NOINLINE inline bool match_trailing_header(const walk& w, const flat_keys& keys,
                                                header_fields& out) {
  if (w.count < 5 || w.at(w.count - 1) != '}') return false;
  struct taken_key {
    header_slot slot;
    std::string_view key;
    std::string_view token;
  };
  std::array<taken_key, header_slot_count> taken;
  std::size_t n = 0;
  unsigned seen = 0;
  std::uint32_t version = 0;
  std::uint32_t j = w.count - 1;  // the separator after the value: a comma or the closing brace
  while (n < taken.size() && j >= 4) {
    const std::uint32_t* p = w.positions + (j - 3);
    const char* key_quote = w.begin + p[0];
    const char* colon = w.begin + p[1];
    const char* value = w.begin + p[2];
    const char before = w.at(j - 4);  // a comma, or the object's opening brace
    if (*key_quote != '"' || *colon != ':' || colon[-1] != '"' || colon - 1 <= key_quote ||
        (before != ',' && (before != '{' || j != 4))) {
      break;
    }
    const std::string_view key(key_quote + 1, static_cast<std::size_t>(colon - 2 - key_quote));
    const int found = keys.slot(key);
    if (found < 0) break;  // a payload key: the header keys at the end end here
    const auto slot = static_cast<header_slot>(found);
    const std::string_view token(value, static_cast<std::size_t>(w.begin + p[3] - value));
    // The compact form, no copies, and every value as the general step takes it without further
    // work: strings without escapes (a non-empty type), the version 1 to 9 digits.
    if ((seen & slot_bit(slot)) != 0 || token.empty() || is_json_whitespace(token.back())) {
      return false;
    }
    if (slot == header_slot::version) {
      if (!read_plain_version(token.data(), token.size(), version)) return false;
    } else if (token.size() < 2 || token[0] != '"' || !plain_string_token(token, w.has_backslash) ||
               (slot == header_slot::type && token.size() == 2)) {
      return false;
    }
    seen |= slot_bit(slot);
    taken[n++] = {slot, key, token};
    j -= 4;
  }
  constexpr unsigned routing = slot_bit(header_slot::type) | slot_bit(header_slot::version);
  if ((seen & routing) != routing) return false;
  for (std::size_t k = n; k-- > 0;) {
    const taken_key& t = taken[k];
    const bool is_string = t.slot != header_slot::version;
    const std::string_view text = is_string ? t.token.substr(1, t.token.size() - 2) : "";
    if (t.slot == header_slot::type) out.type = text;
    if (t.slot == header_slot::id) out.id = text;
    if (t.slot == header_slot::produced_by) out.produced_by = text;
    if (t.slot == header_slot::config_revision) out.config_revision = text;
    out.add_flat(t.key, t.token, is_string ? text : std::string_view{}, is_string);
  }
  out.version = version;
  out.has_type = out.has_version = true;
  out.has_id = (seen & slot_bit(header_slot::id)) != 0;
  out.seen_slots = seen;
  out.cursor = {1, false, true, true, j + 1};
  return true;
}

}  // namespace skew::detail

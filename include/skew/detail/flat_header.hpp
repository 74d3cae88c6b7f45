// The flat layout's header, whose keys share the root object with the payload's: the written
// header matched by literal compares, the compact form writers emit, and the general loop.
#pragma once

#include <skew/detail/decode_context.hpp>
#include <skew/detail/header_fields.hpp>
#include <skew/detail/key_set.hpp>
#include <skew/detail/skip.hpp>
#include <skew/envelope_format.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  [[gnu::always_inline]] bool starts(const char* p) const noexcept {
#if defined(__SSE2__)
    const auto* a = reinterpret_cast<const __m128i*>(p);
    const auto* b = reinterpret_cast<const __m128i*>(bytes.data());
    const auto lo = static_cast<std::uint32_t>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(a), _mm_loadu_si128(b))));
    const auto hi = static_cast<std::uint32_t>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(a + 1), _mm_loadu_si128(b + 1))));
    return ((lo | hi << 16) & mask) == mask;
#else
    return std::memcmp(p, bytes.data(), size) == 0;
#endif
  }
};

// The flat layout's header keys, packed once per format: 0 type, 1 version, 2 id, 3 and 4 the
// producer stamps.
struct flat_keys : packed_key_set {
  explicit flat_keys(const envelope_format& format) noexcept
      : packed_key_set({format.type_key, format.version_key, format.id_key, format.produced_by_key,
                        format.config_revision_key}),
        type_opening(json_literal::of("{\"", format.type_key, "\":\"")),
        version_between(json_literal::of("\",\"", format.version_key, "\":")),
        id_between(json_literal::of(",\"", format.id_key, "\":\"")) {}

  // Which header key `key` is, or -1 for a payload key.
  SKEW_HOT_INLINE int slot(std::string_view key) const noexcept { return find(key); }

  // The header as skew's encoder writes it, byte for byte up to the values: `{"type":"`, then
  // `","schemaVersion":` after the type, then `,"id":"` after the version.
  json_literal type_opening;
  json_literal version_between;
  json_literal id_between;
  bool canonical() const noexcept {
    return type_opening.usable && version_between.usable && id_between.usable;
  }
};

// One header key of the flat layout and its value at i: type, version and id are read into `out`
// (once: the payload pass of a two-pass dispatch sees them again), every header key becomes an
// attribute, and a second copy of type, version or id is a duplicate_key.
inline bool flat_header_key(int slot, decode_context& ctx, std::string_view key, std::uint32_t& i,
                            header_scratch& scratch, header_fields& out) {
  const std::string_view token = ctx.token(i);
  if (token.empty()) return ctx.fail_at(errc::malformed_json, i);
  const auto index = static_cast<std::size_t>(slot);
  // Two copies of a header key would let two consumers route one message differently; with five
  // header keys, a sixth attribute can only be a copy.
  if ((slot < 3 && ++out.occurrences[index] > 1) ||
      out.flat_count == header_fields::flat_capacity) {
    return ctx.fail(errc::duplicate_key, token.data());
  }
  if (slot >= 2 && token == "null") {
    ++i;
    return true;  // an absent id or stamp
  }
  bool ok = true;
  std::string_view text;
  switch (slot) {
    case 0:
      ok = out.has_type ? skip_value(ctx, i) : read_header_string(ctx, i, scratch, out.type);
      out.has_type = true;
      text = out.type;
      break;
    case 1:
      ok = out.has_version ? skip_value(ctx, i) : read_header_version(ctx, i, false, out.version);
      out.has_version = true;
      break;
    case 2:
      ok = out.has_id ? skip_value(ctx, i) : read_header_string(ctx, i, scratch, out.id);
      out.has_id = true;
      text = out.id;
      break;
    default: {
      std::string_view& stamp = slot == 3 ? out.produced_by : out.config_revision;
      if (token[0] == '"') {
        ok = read_header_string(ctx, i, scratch, stamp);
        text = stamp;
      } else {
        stamp = {};
        std::string_view json;
        ok = capture_raw(ctx, i, json);
        if (ok) {
          if (!in_input(ctx, key)) key = scratch.keep(key);
          out.add_flat(key, json, {}, false);
        }
        return ok;
      }
    }
  }
  if (!ok) return false;
  if (!in_input(ctx, key)) key = scratch.keep(key);
  out.add_flat(key, token, text, slot != 1 && token[0] == '"');
  return true;
}

// Where the flat layout's header pass stopped. When type and version came before any payload key
// (as writers usually emit them), the payload is read from here on: one pass over the message.
struct flat_cursor {
  std::uint32_t next = 0;    // the next key, or the closing brace when allow_close
  bool allow_close = false;  // the object may end at `next`
  bool at_payload = false;
};

// A version of 1 to 9 digits without a leading zero, so always within 1 .. 2^32-1; false for
// anything else, which the general reader then judges. It returns at the first non-digit rather
// than accumulating a flag, which the compiler kept in memory (see docs/performance.md).
[[gnu::always_inline]] inline bool read_plain_version(const char* p, std::size_t n,
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

// What match_canonical_header found, in registers until store_canonical_header writes it.
struct canonical_header {
  std::string_view type;
  std::string_view id;
  std::uint32_t version = 0;
  const char* type_end = nullptr;     // the type's closing quote
  const char* version_end = nullptr;  // the comma after the version
};

// `{"type":"…","schemaVersion":N,"id":"…","` exactly, the order and form skew's encoder writes:
// three literal compares at the commas the structural index gives, instead of finding and
// matching each key. Strings without escapes, a non-empty type, the version 1 to 9 digits, and a
// key after the id, where the payload pass starts (position 13). Only loads: the router matches
// before it sets up its frame, so that these loads do not queue behind the frame's stores.
SKEW_HOT_INLINE bool match_canonical_header(const walk& w, const flat_keys& keys,
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
      contains_backslash(type, type_size) || contains_backslash(id, id_size)) {
    return false;
  }
  c.type = std::string_view(type, type_size);
  c.id = std::string_view(id, id_size);
  c.version = v;
  c.type_end = type_end;
  c.version_end = version_end;
  return true;
}

// What a matched header reads as, into a fresh `out`; the payload pass starts at position 13.
SKEW_HOT_INLINE void store_canonical_header(const canonical_header& c, const walk& w,
                                            const flat_keys& keys, header_fields& out) {
  out.type = c.type;
  out.version = c.version;
  out.id = c.id;
  out.has_type = out.has_version = out.has_id = true;
  out.occurrences = {1, 1, 1};
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

SKEW_HOT_INLINE bool scan_canonical_header(const walk& w, const flat_keys& keys,
                                           header_fields& out) {
  canonical_header c;
  if (!match_canonical_header(w, keys, c)) return false;
  store_canonical_header(c, w, keys, out);
  return true;
}

// The start of a flat header as writers emit it: type, version and id first (in any order), no
// whitespace between tokens, strings without escapes, the version 1 to 9 digits. Reads those keys
// with one bounds check each and no calls, and stops at anything else: a payload key (true, with
// `cursor` set, when type and version were read), another header key, a duplicate, or any other
// form, which the general loop in scan_flat_header then reads from `i`.
SKEW_HOT_INLINE bool scan_compact_header(const walk& w, const flat_keys& keys, std::uint32_t& i,
                                         header_fields& out, flat_cursor& cursor,
                                         bool try_canonical) {
  unsigned read = 0;  // bit per slot: type 1, version 2, id 4
  if (try_canonical && i == 1 && keys.canonical() && scan_canonical_header(w, keys, out)) {
    // A key follows the id's comma: payload, or a stamp the payload pass records as it would
    // after any payload key. Which one is left to that pass: looking it up here cost more than
    // the rest of this reader (a chain of dependent loads per message).
    i = 13;
    cursor.next = i;
    cursor.allow_close = false;
    cursor.at_payload = true;
    return true;
  }
  while (i + 3 < w.count) {
    const std::uint32_t* p = w.positions + i;
    const char* key_quote = w.begin + p[0];
    const char* colon = w.begin + p[1];
    if (*key_quote != '"' || *colon != ':' || colon[-1] != '"' || colon - 1 <= key_quote) break;
    const std::string_view key(key_quote + 1, static_cast<std::size_t>(colon - 2 - key_quote));
    const int slot = keys.branch_free ? keys.find_without_branches(key) : keys.slot(key);
    if (slot < 0) {
      if ((read & 3u) != 3u) break;  // payload keys before the header: the general loop decides
      cursor.next = i;
      cursor.allow_close = false;
      cursor.at_payload = true;
      return true;
    }
    const unsigned bit = 1u << static_cast<unsigned>(slot);
    if (slot > 2 || (read & bit) != 0) break;
    const char* value = w.begin + p[2];
    const char* separator = w.begin + p[3];
    if (*separator != ',') break;
    const std::string_view token(value, static_cast<std::size_t>(separator - value));
    std::string_view text;
    if (slot == 1) {
      std::uint32_t v = 0;
      if (!read_plain_version(token.data(), token.size(), v)) break;
      out.version = v;
      out.has_version = true;
    } else {
      if (token.size() < 2 || token[0] != '"' || !plain_string_token(token)) break;
      text = token.substr(1, token.size() - 2);
      (slot == 0 ? out.type : out.id) = text;
      (slot == 0 ? out.has_type : out.has_id) = true;
    }
    read |= bit;
    out.occurrences[static_cast<std::size_t>(slot)] = 1;
    out.add_flat(key, token, text, slot != 1);
    i += 4;
  }
  return false;
}

// The general reader: any order, whitespace, escapes, payload keys first. `first` is where the
// header pass started; the compact reader may have read keys up to `i`. Out of line: the compact
// reader handles what encoders write, and the hot path's code stays small.
[[gnu::noinline]] inline bool scan_flat_header_rest(decode_context& ctx, std::uint32_t first,
                                                    std::uint32_t& i, const flat_keys& keys,
                                                    header_scratch& scratch, header_fields& out,
                                                    flat_cursor& cursor) {
  const walk w = ctx.view();
  bool payload_first = false;
  // A brace closes the object only where it opened: after the fast path's last comma, it is a
  // trailing comma, which raw_key rejects.
  bool done = i == first && w.at(i) == '}';
  if (done) ++i;
  while (!done) {
    std::string_view key;
    if (!raw_key(ctx, i, key)) return false;
    int slot = keys.slot(key);
    const bool header_read = out.has_type && out.has_version;
    if (slot < 0 && !header_read && contains_backslash(key.data(), key.size())) [[unlikely]] {
      // Escaped keys are matched by their unescaped name, so `"\u0074ype"` is `type`.
      if (!unescape_key(ctx, key)) return false;
      key = scratch.keep(key);
      slot = keys.slot(key);
    }
    if (slot < 0) {
      if (header_read) {
        // The payload starts here; header keys after it (escaped ones too) are the payload
        // pass's to record.
        cursor.next = i;
        cursor.allow_close = false;
        cursor.at_payload = !payload_first;
        return true;
      }
      payload_first = true;
      i += 2;
      if (!skip_value(ctx, i)) return false;
    } else {
      i += 2;
      if (!flat_header_key(slot, ctx, key, i, scratch, out)) {
        append_pointer_segment(ctx.err.path, key);
        return false;
      }
    }
    // A key must follow a comma; raw_key checks that on the next turn.
    if (!next_item(ctx, i, '}', done)) return false;
  }
  if (out.has_type && out.has_version) {
    // Nothing but header keys: the payload is empty.
    cursor.next = i - 1;
    cursor.allow_close = true;
    cursor.at_payload = !payload_first;
  }
  return true;
}

// Flat layout: reads header keys until type and version are known and a payload key follows.
// Payload keys met before that are stepped over, and then the payload needs a second pass from
// the start.
// `compact` false skips the fast paths: the fuzz target compares the readers on every input.
// `try_canonical` false skips only the written header's match, for a caller (the router) that
// has just tried it.
SKEW_HOT_INLINE bool scan_flat_header(decode_context& ctx, std::uint32_t& i, const flat_keys& keys,
                                      header_scratch& scratch, header_fields& out,
                                      flat_cursor& cursor, bool compact = true,
                                      bool try_canonical = true) {
  const std::uint32_t first = i;
  if (compact && scan_compact_header(ctx.view(), keys, i, out, cursor, try_canonical)) return true;
  return scan_flat_header_rest(ctx, first, i, keys, scratch, out, cursor);
}

// For a message that will not be decoded (unknown type, version this build does not read): reads
// the header keys the header pass did not reach, so that its outcome still names the id and the
// producer. False when one of them is invalid (ctx.err says which): that is the envelope's fault
// whatever its type, as it would be had the key come first. Payload values are only stepped over,
// and a problem among them ends the search: they are a newer build's to judge.
inline bool read_rest_of_flat_header(decode_context& ctx, const flat_keys& keys,
                                     header_scratch& scratch, header_fields& out,
                                     const flat_cursor& cursor) {
  if (cursor.allow_close || cursor.next == 0) return true;
  std::uint32_t i = cursor.next;
  bool done = false;
  while (!done) {
    std::string_view key;
    if (!header_key(ctx, i, scratch, key)) return true;
    i += 2;
    const int slot = keys.slot(key);
    if (slot < 0) {
      if (!skip_value(ctx, i)) return true;
    } else if (!flat_header_key(slot, ctx, key, i, scratch, out)) {
      append_pointer_segment(ctx.err.path, key);
      return false;
    }
    if (!next_item(ctx, i, '}', done)) return true;
  }
  return true;
}

// flat_keys for `format`, built again only when this thread's previous call had other key names:
// building them costs about as much as reading a small header.
inline const flat_keys& cached_flat_keys(const envelope_format& format) {
  struct cache {
    std::array<std::string, 5> names;  // owned: the caller's format may not outlive the call
    envelope_format format;            // views `names` once a call set them
    flat_keys keys{format};
  };
  thread_local cache c;
  const std::array<std::string_view, 5> wanted{format.type_key, format.version_key, format.id_key,
                                               format.produced_by_key, format.config_revision_key};
  const std::array<std::string_view, 5> have{c.format.type_key, c.format.version_key,
                                             c.format.id_key, c.format.produced_by_key,
                                             c.format.config_revision_key};
  if (wanted != have) {
    for (std::size_t k = 0; k < wanted.size(); ++k) c.names[k].assign(wanted[k]);
    c.format.type_key = c.names[0];
    c.format.version_key = c.names[1];
    c.format.id_key = c.names[2];
    c.format.produced_by_key = c.names[3];
    c.format.config_revision_key = c.names[4];
    c.keys = flat_keys(c.format);
  }
  return c.keys;
}

}  // namespace skew::detail

// Envelopes: the header every message carries (type, schema version, id, attributes), read before
// the payload. Three layouts:
//
//   flat (default)  {"type":"send-email","schemaVersion":2,"id":"…","to":"…"}   header and payload
//                   keys mixed in one object, in any order
//   nested          {"type":"send-email","schemaVersion":2,"id":"…","data":{"to":"…"}}
//   cloudevents     CloudEvents 1.0 structured mode, JSON format: {"specversion":"1.0","id":"…",
//                   "source":"…","type":"com.example.sent.v2","data":{…}}; the version comes from
//                   an extension attribute (`schemaversion`) or a `.v<N>` suffix of the type
#pragma once

#include <skew/decoder.hpp>
#include <skew/detail/read_struct.hpp>
#include <skew/envelope_format.hpp>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <forward_list>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace skew {

// One header attribute: its (unescaped) name, its raw JSON text, and for a string its unescaped
// text. Null attributes are absent, as CloudEvents specifies.
struct envelope_attribute {
  std::string_view name;
  std::string_view json;
  std::string_view text;
  bool is_string = false;
};

// What a handler learns about the message besides its payload. Views into the dispatching
// thread's buffers: valid during the handler call; copy what must outlive it.
struct envelope_view {
  std::string_view type;  // without a `.v<N>` suffix the version was read from
  std::uint32_t version = 0;
  std::string_view id;           // empty when the message has none
  std::string_view produced_by;  // the producer's build stamp, empty when unset
  std::string_view config_revision;
  // Every header attribute: type, version and id too; for nested and CloudEvents envelopes every
  // root key but the payload, extensions included.
  std::span<const envelope_attribute> attributes;

  // The raw JSON text of an attribute ("\"/mycontext\"", "5"), or nullopt when absent or null.
  std::optional<std::string_view> attribute(std::string_view name) const noexcept {
    for (const auto& a : attributes) {
      if (a.name == name) return a.json;
    }
    return std::nullopt;
  }
  // The unescaped text of a string attribute, or nullopt when it is absent, null or not a string.
  std::optional<std::string_view> string_attribute(std::string_view name) const noexcept {
    for (const auto& a : attributes) {
      if (a.name == name) return a.is_string ? std::optional(a.text) : std::nullopt;
    }
    return std::nullopt;
  }

  // CloudEvents context attributes.
  std::optional<std::string_view> source() const noexcept { return string_attribute("source"); }
  std::optional<std::string_view> subject() const noexcept { return string_attribute("subject"); }
  std::optional<std::string_view> time() const noexcept { return string_attribute("time"); }
  std::optional<std::string_view> data_content_type() const noexcept {
    return string_attribute("datacontenttype");
  }
  std::optional<std::string_view> data_schema() const noexcept {
    return string_attribute("dataschema");
  }
};

namespace detail {

// Attribute storage that lives on the dispatching stack frame: nothing is allocated for envelopes
// of up to 16 attributes and no escaped text, and a handler that dispatches again on the same
// thread cannot clobber its caller's view.
class header_scratch {
 public:
  header_scratch() = default;
  header_scratch(const header_scratch&) = delete;
  header_scratch& operator=(const header_scratch&) = delete;

  // Member by member into raw storage: value-initializing the whole array would cost a memset
  // per message, and copying a just-built attribute as one block stalls on store forwarding.
  void add(std::string_view name, std::string_view json, std::string_view text, bool is_string) {
    if (size_ < inline_capacity) [[likely]] {
      ::new (static_cast<void*>(&inline_[size_ * sizeof(envelope_attribute)]))
          envelope_attribute{name, json, text, is_string};
      ++size_;
      return;
    }
    std::vector<envelope_attribute>& overflow = spill().overflow;
    if (overflow.empty()) overflow.assign(inline_begin(), inline_begin() + size_);
    overflow.push_back(envelope_attribute{name, json, text, is_string});
    ++size_;
  }
  std::span<const envelope_attribute> attributes() const noexcept {
    if (size_ > inline_capacity) return spill_->overflow;
    return {inline_begin(), size_};
  }
  // Owned copies of unescaped text: the parser's string buffer is reused by the payload pass.
  // Capacity beyond the text, so word-load compares may read 32 bytes from its start.
  std::string_view keep(std::string_view text) {
    std::forward_list<std::string>& texts = spill().texts;
    texts.emplace_front();
    texts.front().reserve(text.size() + 32);
    texts.front().assign(text);
    return texts.front();
  }

 private:
  static constexpr std::size_t inline_capacity = 16;
  static_assert(std::is_trivially_copyable_v<envelope_attribute>);

  const envelope_attribute* inline_begin() const noexcept {
    return std::launder(reinterpret_cast<const envelope_attribute*>(inline_));
  }

  // What most envelopes never need, behind one pointer: a frame is made per message, and an
  // empty vector and list cost stores to make and checks to destroy on every one.
  struct spilled {
    std::vector<envelope_attribute> overflow;
    std::forward_list<std::string> texts;
  };
  spilled& spill() {
    if (!spill_) spill_ = std::make_unique<spilled>();
    return *spill_;
  }

  alignas(envelope_attribute) unsigned char inline_[inline_capacity * sizeof(envelope_attribute)];
  std::size_t size_ = 0;
  std::unique_ptr<spilled> spill_;
};

struct header_fields {
  std::string_view type;
  std::string_view id;
  std::string_view produced_by;
  std::string_view config_revision;
  std::uint32_t version = 0;
  bool has_type = false;
  bool has_version = false;
  bool has_id = false;
  std::array<std::uint8_t, 3> occurrences{};  // of type, version and id (flat layout)
  // The flat layout's header attributes, in the order they came. Raw storage: zeroing five
  // attributes per message would cost more than filling the ones present.
  alignas(envelope_attribute) unsigned char flat_storage[5 * sizeof(envelope_attribute)];
  std::size_t flat_count = 0;
  static constexpr std::size_t flat_capacity = 5;

  // Constructed in place from its parts: building a temporary and copying it as one block
  // stalls on store forwarding.
  void add_flat(std::string_view name, std::string_view json, std::string_view text,
                bool is_string) noexcept {
    ::new (static_cast<void*>(flat_storage + flat_count * sizeof(envelope_attribute)))
        envelope_attribute{name, json, text, is_string};
    ++flat_count;
  }
  std::span<const envelope_attribute> flat_attributes() const noexcept {
    return {std::launder(reinterpret_cast<const envelope_attribute*>(flat_storage)), flat_count};
  }
  bool header_error = false;  // a header key failed during the payload pass
  // Nested and CloudEvents layouts.
  bool has_data = false;      // present and not null
  std::uint32_t data_at = 0;  // the position of its value
  bool has_data_base64 = false;
  bool has_spec_version = false;
  bool spec_version_ok = false;
  const char* spec_version_at = nullptr;
  bool has_source = false;
};

inline bool in_input(const decode_context& ctx, std::string_view s) noexcept {
  return s.data() >= ctx.input_begin && s.data() + s.size() <= ctx.input_end;
}

// A string value as a view into the input, or an owned copy when it had escapes.
SKEW_HOT_INLINE bool read_header_string(decode_context& ctx, std::uint32_t& i,
                                        header_scratch& scratch, std::string_view& out) {
  char* const unescaped = ctx.strings;
  if (!read_string_view(ctx, i, out)) return false;
  // Text that had escapes went to the string buffer, which the payload pass may reuse.
  if (ctx.strings != unescaped) out = scratch.keep(out);
  return true;
}

// Versions are integers from 1 to 2^32-1. CloudEvents extensions may also carry them as a string
// of digits, which some SDKs write for every extension.
SKEW_HOT_INLINE bool read_header_version(decode_context& ctx, std::uint32_t& i, bool allow_string,
                                         std::uint32_t& out) {
  const std::uint32_t at = i;
  std::uint64_t v = 0;
  if (allow_string && ctx.at(i) == '"') {
    std::string_view text;
    if (!read_string_view(ctx, i, text)) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
      return ctx.fail_at(errc::wrong_type, at);
    }
  } else if (!read_integer(ctx, i, v)) {
    return false;
  }
  if (v == 0 || v > std::numeric_limits<std::uint32_t>::max()) {
    return ctx.fail_at(errc::out_of_range, at);
  }
  out = static_cast<std::uint32_t>(v);
  return true;
}

// The key at position i, unescaped when needed (into `scratch`, which outlives the walk).
SKEW_HOT_INLINE bool header_key(decode_context& ctx, std::uint32_t i, header_scratch& scratch,
                                std::string_view& key) {
  if (!raw_key(ctx, i, key)) return false;
  if (contains_backslash(key.data(), key.size())) {
    if (!unescape_key(ctx, key)) return false;
    key = scratch.keep(key);
  }
  return true;
}

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

// Nested and CloudEvents layouts: one pass over every root key; the payload under data_key is
// stepped over here (its position kept) and read by the payload pass.
inline bool scan_full_header(decode_context& ctx, std::uint32_t& i, const envelope_format& format,
                             header_scratch& scratch, header_fields& out) {
  const bool cloudevents = format.layout == layout::cloudevents;
  bool seen_data = false;
  bool seen_data_base64 = false;
  bool done = ctx.at(i) == '}';
  if (done) ++i;
  while (!done) {
    std::string_view key;
    if (!header_key(ctx, i, scratch, key)) return false;
    const char* raw = ctx.where(i);
    i += 2;
    const std::string_view token = ctx.token(i);
    if (token.empty()) return ctx.fail_at(errc::malformed_json, i);
    const bool is_null = token == "null";
    auto fail_here = [&](errc code, const char* at) {
      ctx.fail(code, at);
      append_pointer_segment(ctx.err.path, key);
      return false;
    };
    bool* seen = nullptr;
    if (key == format.data_key || (cloudevents && key == "data_base64")) {
      bool& seen_payload = key == format.data_key ? seen_data : seen_data_base64;
      if (seen_payload) return fail_here(errc::duplicate_key, raw);
      seen_payload = true;
      if (key == format.data_key) {
        out.has_data = !is_null;
        out.data_at = i;
      } else {
        out.has_data_base64 = !is_null;
      }
      if (!skip_value(ctx, i)) return false;  // the payload pass reads (and validates) it
    } else {
      if (key == format.type_key) {
        seen = &out.has_type;
      } else if (key == format.version_key) {
        seen = &out.has_version;
      } else if (key == format.id_key) {
        seen = &out.has_id;
      } else if (cloudevents && key == "specversion") {
        seen = &out.has_spec_version;
      } else if (cloudevents && key == "source") {
        seen = &out.has_source;
      }
      if (seen != nullptr && *seen) return fail_here(errc::duplicate_key, raw);
      if (is_null) {
        ++i;  // a null attribute is an absent one
      } else {
        if (seen != nullptr) *seen = true;
        envelope_attribute a{key, token, {}, false};
        bool ok = true;
        if (seen == &out.has_version) {
          ok = read_header_version(ctx, i, cloudevents, out.version);
        } else if (token[0] == '"') {
          ok = read_header_string(ctx, i, scratch, a.text);
          a.is_string = true;
        } else if (seen != nullptr) {
          return fail_here(errc::wrong_type, token.data());
        } else {
          ok = capture_raw(ctx, i, a.json);
        }
        if (!ok) {
          append_pointer_segment(ctx.err.path, key);
          return false;
        }
        if (seen == &out.has_type) {
          out.type = a.text;
        } else if (seen == &out.has_id) {
          out.id = a.text;
        } else if (seen == &out.has_spec_version) {
          out.spec_version_ok = a.text == "1.0";
          out.spec_version_at = token.data();
        } else if (key == format.produced_by_key && a.is_string) {
          out.produced_by = a.text;
        } else if (key == format.config_revision_key && a.is_string) {
          out.config_revision = a.text;
        }
        if (seen == &out.has_source && a.text.empty()) out.has_source = false;
        scratch.add(a.name, a.json, a.text, a.is_string);
      }
    }
    if (!next_item(ctx, i, '}', done)) return false;
    if (!done && ctx.at(i) != '"') return ctx.fail_at(errc::malformed_json, i);
  }
  return true;
}

// Splits "com.example.sent.v2" into "com.example.sent" and 2; false when there is no suffix.
inline bool split_version_suffix(std::string_view type, std::string_view& base,
                                 std::uint32_t& version) noexcept {
  const std::size_t dot = type.rfind('.');
  if (dot == std::string_view::npos || dot + 2 >= type.size() || type[dot + 1] != 'v') return false;
  const std::string_view digits = type.substr(dot + 2);
  if (digits[0] == '0') return false;
  std::uint32_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return false;
  base = type.substr(0, dot);
  version = v;
  return true;
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

// The whole header of any layout, then the checks that make it usable: a type, a version, and
// for CloudEvents the required context attributes. Errors carry the header key's path.
SKEW_HOT_INLINE bool read_header(decode_context& ctx, const envelope_format& format,
                                 header_scratch& scratch, header_fields& out, flat_cursor& cursor,
                                 const flat_keys& keys, bool compact = true,
                                 bool try_canonical = true) {
  if (ctx.count == 0) return ctx.fail(errc::malformed_json);
  if (ctx.at(0) != '{') {
    // A root that is not even a JSON value is malformed, not merely the wrong kind of envelope.
    std::uint32_t probe = 0;
    if (ctx.at(0) != '[' && !validate_value(ctx, probe)) return false;
    return ctx.fail(errc::not_an_object, ctx.input_begin);
  }
  ctx.depth = 1;
  std::uint32_t i = 1;
  const bool flat = format.layout == layout::flat;
  if (flat ? !scan_flat_header(ctx, i, keys, scratch, out, cursor, compact, try_canonical)
           : !scan_full_header(ctx, i, format, scratch, out)) {
    return false;
  }
  auto missing = [&](std::string_view key) {
    ctx.fail(errc::missing_field);
    append_pointer_segment(ctx.err.path, key);
    return false;
  };
  if (!flat && i != ctx.count) {
    // The header pass walked the whole root object; anything after it is a second document.
    return ctx.fail_at(errc::trailing_content, i);
  }
  if (format.layout == layout::cloudevents) {
    if (!out.has_spec_version) return missing("specversion");
    if (!out.spec_version_ok) {
      ctx.fail(errc::unsupported_version, out.spec_version_at);
      append_pointer_segment(ctx.err.path, "specversion");
      return false;
    }
    if (!out.has_id || out.id.empty()) return missing(format.id_key);
    if (!out.has_source) return missing("source");
  }
  if (!out.has_type || out.type.empty()) return missing(format.type_key);
  if (format.version_in_type_suffix) {
    std::string_view base;
    std::uint32_t suffix_version = 0;
    if (split_version_suffix(out.type, base, suffix_version)) {
      if (out.has_version && out.version != suffix_version) {
        // Two versions for one message: picking either would misread it for someone.
        ctx.fail(errc::conflicting_alias);
        append_pointer_segment(ctx.err.path, format.version_key);
        return false;
      }
      out.type = base;
      out.version = suffix_version;
      out.has_version = true;
    }
  }
  if (!out.has_version) {
    if (format.implicit_version == 0) return missing(format.version_key);
    out.version = format.implicit_version;
    out.has_version = true;
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

struct decoder_access {
  static simdjson::padded_string_view pad(decoder& d, std::string_view json) { return d.pad(json); }
  static structural_index& index(decoder& d) { return d.index_; }
};

// Lets the payload pass of a flat envelope record the header keys it meets.
struct flat_header_sink {
  const flat_keys* keys;
  header_scratch* scratch;
  header_fields* fields;

  static bool on_key(void* self, decode_context& ctx, std::string_view key, std::uint32_t& i) {
    auto* sink = static_cast<flat_header_sink*>(self);
    const int slot = sink->keys->slot(key);
    if (flat_header_key(slot, ctx, key, i, *sink->scratch, *sink->fields)) return true;
    sink->fields->header_error = true;
    return false;
  }
};

// How a payload of some type is read, for the out-of-line paths below: the whole document, the
// value at a position, or an absent one (no data).
struct payload_readers {
  bool (*document)(decode_context& ctx, void* out);
  read_function value;
  bool (*absent)(decode_context& ctx, void* out);
};

template <class Payload>
bool read_document_erased(decode_context& ctx, void* out) {
  return read_document(ctx, *static_cast<Payload*>(out));
}
template <class Payload>
bool read_empty_object_erased(decode_context& ctx, void* out) {
  return read_empty_object(ctx, *static_cast<Payload*>(out));
}
template <class Payload>
inline constexpr payload_readers payload_readers_of{
    &read_document_erased<Payload>, &read_erased<Payload>, &read_empty_object_erased<Payload>};

// The payload of a flat envelope whose payload keys came before its header: the object read again
// from its start, recording the header keys a second time. Out of line, as are the other layouts'
// payloads below: the router inlines decode_payload into every (type, version) it routes, and
// only the one-pass path belongs in that hot code.
[[gnu::noinline]] inline bool decode_flat_payload_again(decode_context& ctx, header_fields& header,
                                                        void* out, const payload_readers& read) {
  header.occurrences = {};
  header.flat_count = 0;
  return read.document(ctx, out);
}

// Nested and CloudEvents layouts: the value under data_key.
[[gnu::noinline]] inline bool decode_nested_payload(decode_context& ctx,
                                                    const envelope_format& format,
                                                    const header_fields& header, void* out,
                                                    const payload_readers& read) {
  if (header.has_data_base64) {
    ctx.fail(errc::binary_data);
    append_pointer_segment(ctx.err.path, "data_base64");
    return false;
  }
  ctx.depth = 1;
  bool ok;
  if (header.has_data) {
    std::uint32_t i = header.data_at;
    ok = read.value(ctx, i, out);
  } else {
    // No data: the payload is an empty object, so required fields report missing_field.
    ok = read.absent(ctx, out);
  }
  if (!ok) prepend_pointer_segment(ctx.err.path, format.data_key);
  return ok;
}

// Decodes the payload of an envelope whose header `read_header` has read, into `out`: for the
// flat layout from where the header pass stopped (one pass) or from the start (header keys after
// payload keys); for the others the value under data_key. Errors are in ctx.err, with paths from
// the root (/data/... for nested payloads).
template <class Payload>
SKEW_HOT_INLINE bool decode_payload(decode_context& ctx, const envelope_format& format,
                                    header_scratch& scratch, header_fields& header,
                                    const flat_cursor& cursor, Payload& out,
                                    const flat_keys& keys) {
  if (format.layout != layout::flat) {
    return decode_nested_payload(ctx, format, header, &out, payload_readers_of<Payload>);
  }
  // The header keys belong to the envelope, not to the payload struct; the payload pass records
  // the ones the header pass did not need to reach (producer stamps, a late id).
  flat_header_sink sink{&keys, &scratch, &header};
  ctx.header_keys = &keys;
  ctx.on_header_key = &flat_header_sink::on_key;
  ctx.header_sink = &sink;
  bool decoded = false;
  bool one_pass = false;
  if constexpr (described<Payload>) {
    if (cursor.at_payload) [[likely]] {
      one_pass = true;
      ctx.depth = 1;
      std::uint32_t i = cursor.next;
      decoded = read_struct_fields(ctx, i, &out, read_table_of<Payload>(), cursor.allow_close);
      if (decoded && i != ctx.count) decoded = ctx.fail_at(errc::trailing_content, i);
    }
  }
  if (!one_pass)
    decoded = decode_flat_payload_again(ctx, header, &out, payload_readers_of<Payload>);
  ctx.header_keys = nullptr;
  ctx.on_header_key = nullptr;
  return decoded;
}

}  // namespace detail

// The header of an envelope: type, version and id, read without decoding the payload. Views point
// into `json` when the values hold no escapes, else into a buffer of the calling thread valid
// until its next peek_header.
struct envelope_header {
  std::string_view type;
  std::uint32_t version = 0;
  std::string_view id;
};

// Reads only the header: for routing before decoding (send new types to a queue only N+1
// consumers read). Errors: malformed_json, not_an_object, missing_field (no type or version, with
// its path), wrong_type / out_of_range (a version that is not an integer from 1 to 2^32-1),
// duplicate_key, and for CloudEvents the checks of its required attributes.
inline result<envelope_header> peek_header(std::string_view json,
                                           const envelope_format& format = {},
                                           const options& opts = {}) {
  if (json.size() > opts.max_bytes) return failure(errc::too_large);
  thread_local decoder local;
  thread_local std::string owned_type;
  thread_local std::string owned_id;
  const simdjson::padded_string_view padded = detail::decoder_access::pad(local, json);
  detail::structural_index& index = detail::decoder_access::index(local);
  if (auto e = index.build(padded.data(), padded.size())) {
    return failure(detail::map_simdjson_error(e));
  }
  detail::decode_context ctx{opts, padded.data(), padded.data() + padded.size()};
  ctx.bind(index);
  detail::header_scratch scratch;
  detail::header_fields fields;
  detail::flat_cursor cursor;
  const detail::flat_keys& keys = detail::cached_flat_keys(format);
  if (!detail::read_header(ctx, format, scratch, fields, cursor, keys)) {
    return failure(std::move(ctx.err));
  }
  if (format.layout == layout::flat && cursor.at_payload && !cursor.allow_close) {
    // The reader of the header as skew writes it stops after the id and leaves the keys up to
    // the first payload key to the payload pass, which peek_header has not. Read them as the
    // general reader does, so that a second type there is a duplicate here too.
    std::uint32_t i = cursor.next;
    if (!detail::scan_flat_header_rest(ctx, 1, i, keys, scratch, fields, cursor)) {
      return failure(std::move(ctx.err));
    }
  }
  if (format.layout == layout::flat && !fields.has_id) {
    // The header pass stops at type and version; the id may come later.
    std::uint32_t i = cursor.next;
    bool done = cursor.allow_close && ctx.at(i) == '}';
    while (!done && !fields.has_id) {
      std::string_view key;
      if (!detail::header_key(ctx, i, scratch, key)) return failure(std::move(ctx.err));
      i += 2;
      const bool ok = key == format.id_key
                          ? detail::flat_header_key(2, ctx, key, i, scratch, fields)
                          : detail::skip_value(ctx, i);
      if (!ok) {
        detail::append_pointer_segment(ctx.err.path, key);
        return failure(std::move(ctx.err));
      }
      if (!detail::next_item(ctx, i, '}', done)) return failure(std::move(ctx.err));
    }
  }
  // Views into the thread's copy of the input become views into `json`; unescaped text is copied
  // to storage that outlives this call's scratch.
  auto rebase = [&](std::string_view s, std::string& owned) {
    if (detail::in_input(ctx, s)) {
      return json.substr(static_cast<std::size_t>(s.data() - padded.data()), s.size());
    }
    owned.assign(s);
    return std::string_view(owned);
  };
  return envelope_header{rebase(fields.type, owned_type), fields.version,
                         rebase(fields.id, owned_id)};
}

}  // namespace skew

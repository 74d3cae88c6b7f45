// The flat layout's header, whose keys share the root object with the payload's: one state
// (header_fields) and one step per key. The accelerators of flat_header_fast.hpp read what
// writers usually emit; the general step reads the rest from where they stopped.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/envelope/detail/flat_header_fast.hpp>
#include <skew/envelope/detail/header_fields.hpp>
#include <skew/envelope/format.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/json/detail/skip.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace skew::detail {

// The value at i of header key `slot`: type, version and id are read into `out` once (the payload
// pass of a two-pass read meets them again), every header key becomes an attribute, and a second
// type, version or id is a duplicate_key. Shared by the header pass and the payload pass.
inline bool read_header_slot(header_slot slot, decode_context& ctx, std::string_view key,
                             std::uint32_t& i, header_scratch& scratch, header_fields& out) {
  const std::string_view token = ctx.token(i);
  if (token.empty()) return ctx.fail_at(errc::malformed_json, i);
  const unsigned bit = slot_bit(slot);
  // Two copies of a header key would let two consumers route one message differently; with five
  // header keys, a sixth attribute can only be a copy.
  const bool counted = slot <= header_slot::id;
  if ((counted && (out.seen_slots & bit) != 0) || out.flat_count == header_slot_count) {
    return ctx.fail(errc::duplicate_key, token.data());
  }
  if (counted) out.seen_slots |= bit;
  if (slot >= header_slot::id && token == "null") {
    ++i;
    return true;  // an absent id or stamp
  }
  bool ok = true;
  std::string_view text;
  switch (slot) {
    case header_slot::type:
      ok = out.has_type ? skip_value(ctx, i) : read_header_string(ctx, i, scratch, out.type);
      out.has_type = true;
      text = out.type;
      break;
    case header_slot::version:
      ok = out.has_version ? skip_value(ctx, i) : read_header_version(ctx, i, false, out.version);
      out.has_version = true;
      break;
    case header_slot::id:
      ok = out.has_id ? skip_value(ctx, i) : read_header_string(ctx, i, scratch, out.id);
      out.has_id = true;
      text = out.id;
      break;
    case header_slot::produced_by:
    case header_slot::config_revision: {
      std::string_view& stamp =
          slot == header_slot::produced_by ? out.produced_by : out.config_revision;
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
  out.add_flat(key, token, text, slot != header_slot::version && token[0] == '"');
  return true;
}

// The general step: the key at i and its value. A header key (escaped ones by their unescaped
// name) is read into `out`; a payload key's value is stepped over and validated. `payload` says
// which the key was, failures included (a key that is not one counts as payload).
inline bool read_flat_key(decode_context& ctx, const flat_keys& keys, std::uint32_t& i,
                          header_scratch& scratch, header_fields& out, bool& payload) {
  payload = true;
  std::string_view key;
  if (!raw_key(ctx, i, key)) return false;
  int slot = keys.slot(key);
  if (slot < 0 && ctx.may_escape(key.data(), key.size())) [[unlikely]] {
    if (!unescape_key(ctx, key)) return false;
    key = scratch.keep(key);
    slot = keys.slot(key);
  }
  i += 2;
  if (slot < 0) return skip_value(ctx, i);
  payload = false;
  if (read_header_slot(static_cast<header_slot>(slot), ctx, key, i, scratch, out)) return true;
  append_pointer_segment(ctx.err.path, key);
  return false;
}

// General steps from out.cursor until type and version are known or the object ends. Out of
// line: the accelerators read what encoders write, and the hot path's code stays small.
SKEW_NOINLINE inline bool read_flat_keys_until_routable(decode_context& ctx, const flat_keys& keys,
                                                        header_scratch& scratch,
                                                        header_fields& out) {
  flat_cursor& cursor = out.cursor;
  std::uint32_t i = cursor.next;
  // A brace closes the object only where it opened: after an accelerator's last comma, it is a
  // trailing comma, which raw_key rejects.
  bool done = i == 1 && ctx.at(i) == '}';
  if (done) ++i;
  while (!done && !out.routable()) {
    bool payload = false;
    if (!read_flat_key(ctx, keys, i, scratch, out, payload)) return false;
    cursor.payload_first = cursor.payload_first || payload;
    // A key must follow a comma; raw_key checks that on the next turn.
    if (!next_item(ctx, i, '}', done)) return false;
  }
  cursor.at_end = done;
  cursor.next = done ? i - 1 : i;
  return true;
}

// Which accelerators the header pass tries: the written and the compact header; the compact one,
// then the header at the end (for the router, which matched the written header before setting up
// its frame, and reads a failed message again from the start); or none (the fuzz target compares
// the readers on every input).
enum class header_fast_paths : std::uint8_t { all, compact_or_end, none };

// The flat layout's header pass: from the object's first key until type and version are known.
// Payload keys met before that are stepped over, and the payload is then read again from the
// start (cursor.payload_first).
SKEW_ALWAYS_INLINE inline bool read_flat_header(decode_context& ctx, const flat_keys& keys,
                                                header_scratch& scratch, header_fields& out,
                                                header_fast_paths fast = header_fast_paths::all) {
  out.cursor = {};
  if (fast != header_fast_paths::none) {
    const walk w = ctx.view();
    canonical_header c;
    if (fast == header_fast_paths::all && keys.canonical() && match_canonical_header(w, keys, c)) {
      // The key after the id is left to the payload pass: looking it up here would cost more
      // than the rest of this reader.
      take_canonical_header(c, w, keys, out);
      return true;
    }
    read_compact_header(w, keys, out);
    if (out.routable()) return true;
    // Only where the compact reader read nothing: the payload pass starts at the first key.
    if (fast == header_fast_paths::compact_or_end && out.cursor.next == 1 &&
        match_trailing_header(w, keys, out)) {
      return true;
    }
  }
  return read_flat_keys_until_routable(ctx, keys, scratch, out);
}

// The header keys after where the header pass stopped, for a message whose payload will not be
// read (an unknown type or version, peek_header), so that its outcome still names the id and the
// producer. False when a header key is invalid (ctx.err says which): that is the envelope's fault
// whatever its type. Payload values are stepped over, and a problem among them ends the search:
// they are a newer build's to judge.
inline bool read_rest_of_flat_header(decode_context& ctx, const flat_keys& keys,
                                     header_scratch& scratch, header_fields& out) {
  std::uint32_t i = out.cursor.next;
  bool done = out.cursor.at_end;
  while (!done) {
    bool payload = false;
    if (!read_flat_key(ctx, keys, i, scratch, out, payload)) return payload;
    // Bytes that are not JSON right after a header value are the header's.
    if (!next_item(ctx, i, '}', done)) return payload;
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
  const std::array<std::string_view, 5> wanted = format.header_keys();
  const std::array<std::string_view, 5> have = c.format.header_keys();
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

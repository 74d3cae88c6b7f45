// An envelope's payload, read after its header: from where the flat header pass stopped, the
// whole object again, or the value under the data key.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/envelope/detail/flat_header.hpp>
#include <skew/envelope/detail/header_fields.hpp>
#include <skew/envelope/format.hpp>
#include <skew/json/detail/key_set.hpp>
#include <skew/payload/detail/read_struct.hpp>
#include <skew/payload/detail/read_variant.hpp>

#include <cstdint>
#include <string_view>

namespace skew::detail {

// The flat envelope's header keys, met by the payload pass: read into the header (a late id, the
// producer stamps, copies that are duplicates), never taken for payload members. Those whose
// value lies before `read_before` were read by the header pass already and are stepped over.
// From cursor.end_keys on, the keys that close the object were read from its end: the pass steps
// to the object's closing brace.
struct envelope_header_keys {
  static constexpr bool any = true;
  const flat_keys& keys;
  header_scratch& scratch;
  header_fields& fields;
  std::uint32_t read_before = 0;

  SKEW_ALWAYS_INLINE int find(std::string_view key) const noexcept {
    return ((keys.lengths >> key_length_bit(key.size())) & 1u) != 0 ? keys.slot(key) : -1;
  }
  bool read(decode_context& ctx, int slot, std::string_view key, std::uint32_t& i) {
    if (i < read_before) return skip_value(ctx, i);
    if (fields.cursor.from_end) [[unlikely]] {
      // match_trailing_header checked those keys up to the closing brace, the last position. A
      // header key before them sends the message back to the general step (the router reads it
      // again from its start), which keeps the attributes in the message's order.
      if (i < fields.cursor.end_keys) return ctx.fail(errc::duplicate_key);
      i = ctx.count - 1;
      return true;
    }
    if (read_header_slot(static_cast<header_slot>(slot), ctx, key, i, scratch, fields)) {
      return true;
    }
    fields.header_error = true;
    return false;
  }
};

// How a payload of some type is read, for the out-of-line paths below: the whole document again
// (a flat envelope whose payload keys came first), the value at a position, or an absent one.
struct payload_readers {
  bool (*again)(decode_context& ctx, void* out, envelope_header_keys& header);
  read_function value;
  bool (*absent)(decode_context& ctx, void* out);
};

template <class Payload>
bool read_again_erased(decode_context& ctx, void* out, envelope_header_keys& header) {
  if constexpr (described<Payload>) {
    return read_struct_document(ctx, out, read_table_of<Payload>(), header);
  } else {
    return read_document(ctx, *static_cast<Payload*>(out));
  }
}
template <class Payload>
bool read_empty_object_erased(decode_context& ctx, void* out) {
  return read_empty_object(ctx, *static_cast<Payload*>(out));
}
template <class Payload>
inline constexpr payload_readers payload_readers_of{
    &read_again_erased<Payload>, &read_erased<Payload>, &read_empty_object_erased<Payload>};

// The payload of a flat envelope whose payload keys came before its header: the object read again
// from its start. The header keys the header pass read are stepped over; those after where it
// stopped are read as in the one-pass path. Out of line, as are the other layouts'
// payloads below: the router inlines decode_payload into every (type, version) it routes, and
// only the one-pass path belongs in that hot code.
SKEW_NOINLINE inline bool decode_flat_payload_again(decode_context& ctx,
                                                    envelope_header_keys& header, void* out,
                                                    const payload_readers& read) {
  header.read_before = header.fields.cursor.next;
  return read.again(ctx, out, header);
}

// Nested and CloudEvents layouts: the value under data_key, or in binary mode the document.
SKEW_NOINLINE inline bool decode_nested_payload(decode_context& ctx, const envelope_format& format,
                                                const header_fields& header, void* out,
                                                const payload_readers& read) {
  if (header.has_data_base64) {
    ctx.fail(errc::binary_data);
    if (!header.data_is_document) append_pointer_segment(ctx.err.path, "data_base64");
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
  if (!ok && !header.data_is_document) prepend_pointer_segment(ctx.err.path, format.data_key);
  return ok;
}

// Whether Payload describes a member under one of envelope_format::flat()'s header keys, as its
// name or a former one: known at compile time, so a router on the default keys pays a branch.
template <class Payload>
inline constexpr bool describes_default_header_key =
    !first_shared_name(struct_layout<Payload>::keys.data(), struct_layout<Payload>::lookup,
                       envelope_format::flat().header_keys())
         .empty();

// A flat payload's struct may not describe a member under a header key's name: the object has one
// such key, and it is the header's. Checked against the struct's names before the payload pass
// reads a key, so the outcome (errc::reserved_key at that key) does not depend on where a
// producer put the header, nor on whether the message has the key.
SKEW_NOINLINE inline bool check_no_header_member(decode_context& ctx, const read_table& t,
                                                 const envelope_format& format) {
  const std::string_view name = first_shared_name(t.keys, *t.lookup, format.header_keys());
  if (name.empty()) return true;
  ctx.fail(errc::reserved_key);
  append_pointer_segment(ctx.err.path, name);
  return false;
}

// Decodes the payload of an envelope whose header `read_header` has read, into `out`: for the
// flat layout from where the header pass stopped (one pass) or from the start (header keys after
// payload keys); for the others the value under data_key. Errors are in ctx.err, with paths from
// the root (/data/... for nested payloads).
template <class Payload>
SKEW_ALWAYS_INLINE inline bool decode_payload(decode_context& ctx, const envelope_format& format,
                                              header_scratch& scratch, header_fields& header,
                                              Payload& out, const flat_keys& keys) {
  if (format.layout != layout::flat) {
    return decode_nested_payload(ctx, format, header, &out, payload_readers_of<Payload>);
  }
  envelope_header_keys header_keys{keys, scratch, header};
  if constexpr (described<Payload>) {
    const read_table& table = read_table_of<Payload>();
    const bool may_share_a_key = keys.default_names ? describes_default_header_key<Payload>
                                                    : (table.lookup->lengths & keys.lengths) != 0;
    if (may_share_a_key && !check_no_header_member(ctx, table, format)) [[unlikely]] {
      return false;
    }
    const flat_cursor& cursor = header.cursor;
    if (!cursor.payload_first) [[likely]] {
      ctx.depth = 1;
      std::uint32_t i = cursor.next;
      if (!read_struct_fields(ctx, i, &out, table, cursor.at_end, header_keys)) {
        return false;
      }
      return i == ctx.count || ctx.fail_at(errc::trailing_content, i);
    }
  } else if (header.cursor.from_end) {
    // A payload read whole does not meet the header keys, so none before those at the end would
    // be checked: the router reads the message from the start.
    return ctx.fail(errc::malformed_json);
  }
  return decode_flat_payload_again(ctx, header_keys, &out, payload_readers_of<Payload>);
}

}  // namespace skew::detail

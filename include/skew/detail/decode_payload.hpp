// An envelope's payload, read after its header: from where the flat header pass stopped, the
// whole object again, or the value under the data key.
#pragma once

#include <skew/decoder.hpp>
#include <skew/detail/flat_header.hpp>
#include <skew/detail/header_fields.hpp>
#include <skew/detail/read_struct.hpp>
#include <skew/envelope_format.hpp>

#include <cstdint>
#include <string_view>

namespace skew::detail {

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

}  // namespace skew::detail

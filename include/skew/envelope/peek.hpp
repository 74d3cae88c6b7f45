// Layer envelope/: the header around a payload in every layout (flat, nested, CloudEvents
// structured and binary), read and written; the only runtime folder that branches on the layout.
//
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

#include <skew/base/result.hpp>
#include <skew/envelope/binary_binding.hpp>
#include <skew/envelope/detail/binary_header.hpp>
#include <skew/envelope/detail/read_envelope.hpp>
#include <skew/envelope/format.hpp>
#include <skew/envelope/view.hpp>
#include <skew/payload/decoder.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace skew {

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
  thread_local decoder local;
  thread_local std::string owned_type;
  thread_local std::string owned_id;
  detail::parsed_input& input = detail::input_of(local);
  std::optional<detail::envelope_read> read;
  if (auto err = detail::read_envelope_header(input, json, format, opts,
                                              detail::cached_flat_keys(format), read, true)) {
    return failure(std::move(*err));
  }
  const detail::decode_context& ctx = read->ctx;
  const detail::header_fields& fields = read->header;
  // Views into the thread's copy of the input become views into `json`; unescaped text is copied
  // to storage that outlives this call's scratch.
  auto rebase = [&](std::string_view s, std::string& owned) {
    if (detail::in_input(ctx, s)) {
      return json.substr(static_cast<std::size_t>(s.data() - input.begin()), s.size());
    }
    owned.assign(s);
    return std::string_view(owned);
  };
  return envelope_header{rebase(fields.type, owned_type), fields.version,
                         rebase(fields.id, owned_id)};
}

// The header of a CloudEvent in binary content mode, from a broker message's headers alone (the
// data is not read): the same checks as dispatch's, so a message this fails on is one a router
// reports invalid_envelope. Views point into buffers of the calling thread, valid until its next
// peek_header.
inline result<envelope_header> peek_header(
    std::span<const message_header> headers,
    const binary_binding& binding = binary_binding::kafka(),
    const envelope_format& format = envelope_format::cloudevents(), const options& opts = {}) {
  thread_local decoder local;
  thread_local detail::text_buffer attribute_text;
  thread_local std::string owned_type;
  thread_local std::string owned_id;
  if (format.layout != layout::cloudevents) {
    return failure(error{errc::unsupported_content_mode, {}, {}});
  }
  detail::parsed_input& input = detail::input_of(local);
  (void)input.parse(std::string_view());  // no data: an empty input, nothing to index
  detail::envelope_read r(input, opts);
  const detail::binary_source source{
      headers, binding, std::nullopt,
      detail::survey_binary(headers, std::string_view(), binding, std::nullopt), attribute_text};
  if (!detail::read_binary_header(r.ctx, source, format, r.scratch, r.header)) {
    return failure(std::move(r.ctx.err));
  }
  owned_type.assign(r.header.type);
  owned_id.assign(r.header.id);
  return envelope_header{owned_type, r.header.version, owned_id};
}

}  // namespace skew

// Encoding envelopes: a payload of a message family, with its header, in the family's layout.
//
//   skew::result<std::string> json = skew::encode<SendEmail>(SendEmailV2{...}, {.id = "m-1"});
//   fmt::memory_buffer buffer;                           // reused: no allocation in steady state
//   skew::encode_to<SendEmail>(buffer, v2, {.id = "m-1"});
//
// Header keys come first, then the payload keys in declaration order (flat) or the payload under
// the format's data key. CloudEvents attributes are checked against the spec's types as they are
// written. On failure the buffer is left as it was.
#pragma once

#include <skew/base/detail/rfc3339.hpp>
#include <skew/base/result.hpp>
#include <skew/envelope/detail/cloudevents.hpp>
#include <skew/envelope/format.hpp>
#include <skew/envelope/trace_context.hpp>
#include <skew/model/message.hpp>
#include <skew/payload/encode.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace skew {

// A CloudEvents extension attribute to write: its name (lower-case letters and digits, as the
// spec requires) and a value of a type the spec allows.
struct extension_attribute {
  std::string_view name;
  std::variant<std::string_view, bool, std::int32_t> value;
};

// Header values an envelope carries besides its type and version; empty ones are omitted.
// CloudEvents requires `id` and `source`; the other CloudEvents attributes are checked against
// the spec's types as they are written (invalid_value at the attribute's path).
struct envelope_fields {
  std::string_view id{};
  std::string_view produced_by{};
  std::string_view config_revision{};
  std::string_view source{};             // CloudEvents
  std::string_view subject{};            // CloudEvents, optional
  std::string_view time{};               // CloudEvents, optional: an RFC 3339 timestamp
  std::string_view data_content_type{};  // CloudEvents; empty: "application/json"
  std::string_view data_schema{};        // CloudEvents, optional: a URI-reference
  std::span<const extension_attribute> extensions{};  // CloudEvents only
  // W3C Trace Context of the caller: written as the CloudEvents Distributed Tracing extension
  // (CloudEvents formats; a traceparent that is not W3C is invalid_value) and by the broker
  // producers as the transport's `traceparent` / `tracestate`. tracestate needs a traceparent.
  std::string_view traceparent{};
  std::string_view tracestate{};
};

namespace detail {

// The index of Payload among Family's versions (the newest one when several share a struct).
template <class Family, class Payload>
constexpr std::optional<std::size_t> payload_index() {
  std::optional<std::size_t> index;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((std::is_same_v<typename Family::template payload_at<I>, Payload> ? (index = I, 0) : 0), ...);
  }
  (std::make_index_sequence<Family::version_count>{});
  return index;
}

inline bool write_string_attribute(encode_context& ctx, output& out, std::string_view key,
                                   std::string_view value, bool& first) {
  if (value.empty()) return true;
  return write_key(ctx, out, key, first) && write_string(ctx, out, value);
}

inline bool fail_attribute(encode_context& ctx, errc code, std::string_view key) {
  ctx.fail(code);
  append_pointer_segment(ctx.err.path, key);
  return false;
}

// The optional CloudEvents attributes and the extensions, each checked against the spec's types.
inline bool write_cloudevents_attributes(encode_context& ctx, output& out,
                                         const envelope_fields& fields,
                                         const envelope_format& format, bool& first) {
  utc_timestamp time;
  if (!fields.time.empty() && !parse_rfc3339(fields.time, time)) {
    return fail_attribute(ctx, errc::invalid_value, "time");
  }
  const std::string_view content_type = fields.data_content_type.empty()
                                            ? std::string_view("application/json")
                                            : fields.data_content_type;
  if (!is_media_type(content_type)) {
    return fail_attribute(ctx, errc::invalid_value, "datacontenttype");
  }
  if (!fields.data_schema.empty() && !is_uri_reference(fields.data_schema)) {
    return fail_attribute(ctx, errc::invalid_value, "dataschema");
  }
  if (!fields.traceparent.empty() && !parse_traceparent(fields.traceparent)) {
    return fail_attribute(ctx, errc::invalid_value, "traceparent");
  }
  const std::string_view tracestate = fields.traceparent.empty() ? "" : fields.tracestate;
  if (has_control_character(tracestate)) {
    return fail_attribute(ctx, errc::invalid_value, "tracestate");
  }
  if (!write_string_attribute(ctx, out, "datacontenttype", content_type, first) ||
      !write_string_attribute(ctx, out, "dataschema", fields.data_schema, first) ||
      !write_string_attribute(ctx, out, "subject", fields.subject, first) ||
      !write_string_attribute(ctx, out, "time", fields.time, first) ||
      !write_string_attribute(ctx, out, "traceparent", fields.traceparent, first) ||
      !write_string_attribute(ctx, out, "tracestate", tracestate, first)) {
    return false;
  }
  for (const extension_attribute& e : fields.extensions) {
    bool lower_alnum = !e.name.empty();
    for (const char c : e.name) lower_alnum &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!lower_alnum) return fail_attribute(ctx, errc::invalid_value, e.name);
    // An extension may not take the name of a context attribute or of another extension.
    constexpr std::string_view context[] = {
        "specversion", "id",      "source", "type", "datacontenttype",
        "dataschema",  "subject", "time",   "data", "data_base64"};
    bool taken = e.name == format.data_key;
    for (const std::string_view name : format.header_keys()) taken |= e.name == name;
    for (const std::string_view name : context) taken |= e.name == name;
    taken |= !fields.traceparent.empty() && (e.name == "traceparent" || e.name == "tracestate");
    for (const extension_attribute& other : fields.extensions) {
      if (&other == &e) break;
      taken |= other.name == e.name;
    }
    if (taken) return fail_attribute(ctx, errc::duplicate_key, e.name);
    if (const auto* text = std::get_if<std::string_view>(&e.value);
        text != nullptr && has_control_character(*text)) {
      return fail_attribute(ctx, errc::invalid_value, e.name);
    }
    if (!write_key(ctx, out, e.name, first)) return false;
    const bool ok = std::visit([&](const auto& v) { return write_value(ctx, out, v); }, e.value);
    if (!ok) {
      prepend_pointer_segment(ctx.err.path, e.name);
      return false;
    }
  }
  return true;
}

// A payload as the envelope writer takes it: the flat layout writes a struct's members through
// its table; the others write the whole value, of any type a family can carry (a struct, a
// string, a number, an array, raw_json), and no data at all for an empty std::optional.
struct envelope_payload {
  const void* value;
  const write_table* table;  // null for a payload that is not a described struct
  write_function write;
  present_function present;  // null: always written
};

template <class Payload>
envelope_payload envelope_payload_of(const Payload& payload) {
  const write_table* table = nullptr;
  if constexpr (described<Payload>) table = &write_table_of<Payload>();
  present_function present = nullptr;
  if constexpr (is_optional<Payload>::value) present = &present_erased<Payload>;
  return {&payload, table, &write_erased<Payload>, present};
}

// One writer for every family and version: the header, then the payload.
inline bool write_envelope(encode_context& ctx, output& out, std::string_view type_name,
                           std::uint32_t version, const envelope_payload& payload,
                           const envelope_fields& fields, const envelope_format& format) {
  bool first = true;
  out.append('{');
  if (format.layout == layout::cloudevents) {
    auto missing = [&](std::string_view key) {
      ctx.fail(errc::missing_field);
      append_pointer_segment(ctx.err.path, key);
      return false;
    };
    if (fields.id.empty()) return missing(format.id_key);
    if (fields.source.empty()) return missing("source");
    // A String holds no control characters (CloudEvents' type system).
    const std::pair<std::string_view, std::string_view> strings[] = {
        {format.id_key, fields.id}, {"source", fields.source}, {"subject", fields.subject}};
    for (const auto& [key, value] : strings) {
      if (has_control_character(value)) return fail_attribute(ctx, errc::invalid_value, key);
    }
    if (!write_key(ctx, out, "specversion", first)) return false;
    out.append(std::string_view("\"1.0\""));
    if (!write_string_attribute(ctx, out, format.id_key, fields.id, first) ||
        !write_string_attribute(ctx, out, "source", fields.source, first) ||
        !write_string_attribute(ctx, out, format.type_key, type_name, first) ||
        !write_key(ctx, out, format.version_key, first) || !write_value(ctx, out, version) ||
        !write_cloudevents_attributes(ctx, out, fields, format, first)) {
      return false;
    }
  } else {
    if (!fields.extensions.empty()) {
      // The flat and nested layouts have no extension attributes: a key there is the payload's.
      return fail_attribute(ctx, errc::not_representable, fields.extensions.front().name);
    }
    if (!write_string_attribute(ctx, out, format.type_key, type_name, first) ||
        !write_key(ctx, out, format.version_key, first) || !write_value(ctx, out, version) ||
        !write_string_attribute(ctx, out, format.id_key, fields.id, first)) {
      return false;
    }
  }
  if (!write_string_attribute(ctx, out, format.produced_by_key, fields.produced_by, first) ||
      !write_string_attribute(ctx, out, format.config_revision_key, fields.config_revision,
                              first)) {
    return false;
  }
  if (format.layout == layout::flat) {
    // The flat layout spreads a struct's members beside the header: nothing else fits there.
    if (payload.table == nullptr) return ctx.fail(errc::not_representable);
    // Payload keys share the object with the header: a member named like a header key could not
    // be read back (decode_payload.hpp), and a captured unknown key named so is not written twice.
    const std::array<std::string_view, 5> reserved = format.header_keys();
    const std::string_view shared =
        first_shared_name(payload.table->keys, *payload.table->lookup, reserved);
    if (!shared.empty()) return fail_attribute(ctx, errc::reserved_key, shared);
    ctx.reserved_keys = reserved.data();
    ctx.reserved_key_count = reserved.size();
    const bool ok = write_struct(ctx, out, payload.value, *payload.table, first);
    ctx.reserved_keys = nullptr;
    ctx.reserved_key_count = 0;
    if (!ok) return false;
  } else if (payload.present == nullptr || payload.present(payload.value)) {
    if (!write_key(ctx, out, format.data_key, first)) return false;
    if (!payload.write(ctx, out, payload.value)) {
      prepend_pointer_segment(ctx.err.path, format.data_key);
      return false;
    }
  }
  out.append('}');
  return true;
}

struct envelope_writer {
  std::string_view type_name;
  std::uint32_t version;
  envelope_payload payload;
  const envelope_fields& fields;
  const envelope_format& format;
  bool operator()(encode_context& ctx, output& out) const {
    return write_envelope(ctx, out, type_name, version, payload, fields, format);
  }
};

}  // namespace detail

// Appends the envelope of `payload`, one of Family's payloads, in `format`: header keys first,
// then a struct's keys in declaration order (flat), or the payload under data_key (none for an
// empty std::optional: an event without data). A payload that is not a struct cannot be flat
// (errc::not_representable).
template <message_family Family, class Payload, class Buffer>
result<void> encode_to(Buffer& out, const Payload& payload, const envelope_fields& fields = {},
                       const envelope_format& format = family_format<Family>) {
  constexpr auto index = detail::payload_index<Family, Payload>();
  static_assert(index.has_value(), "skew::encode: the type is not a payload of this family");
  const detail::envelope_payload p = detail::envelope_payload_of(payload);
  return detail::encode_into(
      out, detail::envelope_writer{Family::type_name, Family::versions[*index], p, fields, format});
}

template <message_family Family, class Payload>
result<std::string> encode(const Payload& payload, const envelope_fields& fields = {},
                           const envelope_format& format = family_format<Family>) {
  std::string out;
  if (auto status = encode_to<Family>(out, payload, fields, format); !status) {
    return failure(status.error());
  }
  return result<std::string>(std::move(out));
}

}  // namespace skew

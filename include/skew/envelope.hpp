// Envelopes: the header every message carries (type, schema version, id), read before the payload.
//
// The flat layout, which most queues carry, mixes header and payload keys in one object, in any
// order: {"type":"send-email","schemaVersion":2,"id":"…","to":"…"}.
#pragma once

#include <skew/decoder.hpp>
#include <skew/detail/read.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>

namespace skew {

// Names of the header keys; the defaults match the flat layout above.
struct envelope_format {
  std::string_view type_key = "type";
  std::string_view version_key = "schemaVersion";
  std::string_view id_key = "id";
};

// What a handler learns about the message besides its payload. Views into the dispatching
// thread's buffer: valid during the handler call.
struct envelope_view {
  std::string_view type;
  std::uint32_t version = 0;
  std::string_view id;  // empty when the message has none
};

namespace detail {

struct header_fields {
  std::string_view type;
  std::string_view id;
  std::uint32_t version = 0;
  bool has_type = false;
  bool has_version = false;
  bool has_id = false;
};

// One pass over the root object's keys, reading only the header. Stops as soon as type, version
// and id are known; nothing else is validated here (the payload decode validates the rest).
inline bool scan_header(decode_context& ctx, od::document& doc, const envelope_format& format,
                        header_fields& out) {
  od::object object;
  if (auto e = doc.get_object().get(object)) {
    if (e == simdjson::INCORRECT_TYPE) return ctx.fail(errc::not_an_object, ctx.input_begin);
    return ctx.fail(map_simdjson_error(e));
  }
  ctx.depth = 1;
  for (auto field_result : object) {
    if (auto e = field_result.error()) return ctx.fail(map_simdjson_error(e));
    od::field& f = field_result.value_unsafe();
    od::value& value = f.value();
    std::string_view key = raw_key(f);
    const char* raw = key.data();
    if (contains_backslash(key.data(), key.size()) && !unescape_key(ctx, f, key)) return false;
    if (key == format.type_key) {
      // Two copies of a header key would let two consumers route one message differently.
      if (out.has_type) return ctx.fail(errc::duplicate_key, raw);
      if (!read_string_view(ctx, value, out.type)) return false;
      out.has_type = true;
    } else if (key == format.version_key) {
      if (out.has_version) return ctx.fail(errc::duplicate_key, raw);
      std::uint64_t v = 0;
      if (value.get_uint64().get(v) != simdjson::SUCCESS) {
        return fail_value(ctx, value, json_kind::integer);
      }
      if (v == 0 || v > std::numeric_limits<std::uint32_t>::max()) {
        return ctx.fail_at(errc::out_of_range, value);
      }
      out.version = static_cast<std::uint32_t>(v);
      out.has_version = true;
    } else if (key == format.id_key) {
      if (out.has_id) return ctx.fail(errc::duplicate_key, raw);
      if (!read_string_view(ctx, value, out.id)) return false;
      out.has_id = true;
    } else {
      continue;
    }
    if (out.has_type && out.has_version && out.has_id) break;
  }
  return true;
}

struct decoder_access {
  static simdjson::padded_string_view pad(decoder& d, std::string_view json) { return d.pad(json); }
  static simdjson::ondemand::parser& parser(decoder& d) { return d.parser_; }
  template <class T>
  static result<void> decode_document(decoder& d, T& out, od::document& doc, decode_context& ctx) {
    return d.decode_document(out, doc, ctx);
  }
};

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
// duplicate_key.
inline result<envelope_header> peek_header(std::string_view json,
                                           const envelope_format& format = {},
                                           const options& opts = {}) {
  if (json.size() > opts.max_bytes) return failure(errc::too_large);
  thread_local decoder local;
  const simdjson::padded_string_view padded = detail::decoder_access::pad(local, json);
  simdjson::ondemand::document doc;
  if (auto e = detail::decoder_access::parser(local).iterate(padded).get(doc)) {
    return failure(detail::map_simdjson_error(e));
  }
  detail::decode_context ctx{opts, padded.data(), padded.data() + padded.size()};
  detail::header_fields fields;
  if (!detail::scan_header(ctx, doc, format, fields)) return failure(std::move(ctx.err));
  if (!fields.has_type) return failure(errc::missing_field, "/" + std::string(format.type_key));
  if (!fields.has_version) {
    return failure(errc::missing_field, "/" + std::string(format.version_key));
  }
  // Unescaped values are views into the thread's copy; give the caller views into `json` instead.
  auto rebase = [&](std::string_view s) {
    if (s.data() >= padded.data() && s.data() + s.size() <= padded.data() + padded.size()) {
      return json.substr(static_cast<std::size_t>(s.data() - padded.data()), s.size());
    }
    return s;
  };
  return envelope_header{rebase(fields.type), fields.version, rebase(fields.id)};
}

}  // namespace skew

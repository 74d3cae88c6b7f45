// CloudEvents binary content mode, read where it lies: the attributes from a broker message's
// headers under the structured reader's rules (header_flag, take_attribute, check_header), and
// the data as a document of its own, with no structured event made in between.
#pragma once

#include <skew/base/error.hpp>
#include <skew/envelope/binary_binding.hpp>
#include <skew/envelope/detail/header_fields.hpp>
#include <skew/envelope/detail/read_header.hpp>
#include <skew/envelope/format.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/json/detail/escape_scan.hpp>
#include <skew/json/detail/padded_input.hpp>
#include <skew/json/detail/skip.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace skew::detail {

// What a binary message's value is, by the content type header: nothing (an empty value), JSON
// (no content type, or a JSON media type), text (`text/*`, which the JSON event format carries as
// a string), or other bytes (what the JSON format carries as data_base64, which skew does not
// read).
enum class binary_data_kind : std::uint8_t { none, json, text, bytes };

// Whether the data is read as a JSON document (text as the JSON string the format makes of it).
constexpr bool is_read_as_json(binary_data_kind k) noexcept {
  return k == binary_data_kind::json || k == binary_data_kind::text;
}

// What one pass over a binary message's headers learns before anything is read: what its data
// is, how often the content type is given (content-type and datacontenttype headers), whether the
// record key stands as partitionkey, and how much attribute text there is to copy.
struct binary_survey {
  binary_data_kind data = binary_data_kind::none;
  std::size_t content_types = 0;
  bool key_as_partition_key = false;
  std::size_t text_bound = 0;  // names and values, two bytes more each (a JSON string's quotes)
};

inline binary_survey survey_binary(std::span<const message_header> headers,
                                   std::string_view payload, const binary_binding& b,
                                   std::optional<std::string_view> record_key) noexcept {
  binary_survey out;
  bool content_type_seen = false;
  bool partition_key = false;
  out.data = payload.empty() ? binary_data_kind::none : binary_data_kind::json;
  for (const message_header& h : headers) {
    if (h.is_null) continue;
    if (is_content_type_header(h.name, b)) {
      ++out.content_types;
      if (!content_type_seen && !payload.empty() && !is_json_media_type(h.value)) {
        out.data = starts_with_ignoring_case(h.value, "text/") ? binary_data_kind::text
                                                               : binary_data_kind::bytes;
      }
      content_type_seen = true;
    } else if (is_attribute_header(h.name, b)) {
      const std::size_t length = h.name.size() - b.attribute_prefix.size();
      if (length == 15) out.content_types += is_attribute(h, b, "datacontenttype") ? 1u : 0u;
      if (length == 12) partition_key = partition_key || is_attribute(h, b, "partitionkey");
    } else {
      continue;
    }
    out.text_bound += h.name.size() + h.value.size() + 2;
  }
  out.key_as_partition_key =
      record_key && !partition_key && !record_key->empty() && is_string_attribute_text(*record_key);
  if (out.key_as_partition_key) out.text_bound += record_key->size() + 2;
  return out;
}

// Storage for the attributes' text of one binary message at a time: grown, never shrunk, and
// written with plain copies (the router's is per dispatching thread).
struct text_buffer {
  std::unique_ptr<char[]> bytes;
  std::size_t capacity = 0;
};

// A binary message as the router reads it: its headers, their binding, the record key, what its
// data is, and where the attributes' text is copied, so that the views an outcome and an
// envelope_view hold live as long as a structured dispatch's do, whatever the client library does
// with its message.
struct binary_source {
  std::span<const message_header> headers;
  const binary_binding& binding;
  std::optional<std::string_view> record_key;
  binary_survey survey;
  text_buffer& text;
};

// Copies of attribute text into a text_buffer sized up front, so that no copy moves an earlier
// one, with input_padding zero bytes kept past the last (type names are compared with wide
// loads). Text beyond the size given (none, when it is the bound) goes to the frame's scratch.
class attribute_text {
 public:
  attribute_text(text_buffer& buffer, header_scratch& scratch, std::size_t bound)
      : scratch_(scratch) {
    const std::size_t needed = bound + input_padding;
    if (buffer.capacity < needed) {
      buffer.bytes = std::make_unique<char[]>(needed);  // value-initialized: zero padding
      buffer.capacity = needed;
    }
    at_ = buffer.bytes.get();
    end_ = at_ + bound;
  }
  ~attribute_text() { std::memset(at_, 0, input_padding); }
  attribute_text(const attribute_text&) = delete;
  attribute_text& operator=(const attribute_text&) = delete;

  // `lower`: in ASCII lower case (HTTP's case-insensitive names).
  std::string_view copy(std::string_view s, bool lower = false) {
    if (static_cast<std::size_t>(end_ - at_) < s.size()) {
      std::string owned(s);
      if (lower) {
        for (char& c : owned) c = ascii_lower(c);
      }
      return scratch_.keep(owned);
    }
    char* const start = at_;
    if (!s.empty()) std::memcpy(start, s.data(), s.size());
    if (lower) {
      for (std::size_t i = 0; i < s.size(); ++i) start[i] = ascii_lower(start[i]);
    }
    at_ += s.size();
    return {start, s.size()};
  }
  // A String attribute: its text, and its JSON form ("\"/mailer\"") for envelope_view::attribute.
  void string_value(std::string_view s, envelope_attribute& a) {
    bool plain = true;
    for (std::size_t i = find_special(s, 0); i < s.size() && plain; i = find_special(s, i + 1)) {
      plain = !needs_escape(static_cast<unsigned char>(s[i]));
    }
    if (plain && static_cast<std::size_t>(end_ - at_) >= s.size() + 2) [[likely]] {
      char* const start = at_;
      start[0] = '"';
      if (!s.empty()) std::memcpy(start + 1, s.data(), s.size());
      start[s.size() + 1] = '"';
      at_ += s.size() + 2;
      a.json = {start, s.size() + 2};
      a.text = {start + 1, s.size()};
      return;
    }
    a.text = copy(s);
    std::string json;
    append_json_string(json, s);
    a.json = scratch_.keep(json);
  }

 private:
  header_scratch& scratch_;
  char* at_;
  char* end_;
};

// Reads the binary message's header into `out`, with the data (the parsed input `ctx` reads, for
// JSON and text data) checked to be one JSON value. Errors: an attribute's path (`/subject`) and
// no offset, as it is in a header; in the data, a path and offset in the value. The content type
// given twice (as `content-type` and a `datacontenttype` attribute header, or two content type
// headers) is a duplicate_key at /datacontenttype: the HTTP binding says a ce-datacontenttype
// header MUST NOT also be present, and skew refuses it in every binding, since the two can
// disagree. A header naming `data` or `data_base64` is an invalid_value: the data is the value.
inline bool read_binary_header(decode_context& ctx, const binary_source& b,
                               const envelope_format& format, header_scratch& scratch,
                               header_fields& out) {
  const binary_binding& binding = b.binding;
  auto fail_at_attribute = [&](errc code, std::string_view name) {
    ctx.fail(code);
    append_pointer_segment(ctx.err.path, name);
    return false;
  };
  out.data_is_document = true;
  if (is_read_as_json(b.survey.data)) {
    if (ctx.count == 0) return ctx.fail(errc::malformed_json);
    ctx.depth = 1;
    std::uint32_t i = 0;
    if (!skip_value(ctx, i)) return false;  // the payload pass reads (and validates) it
    if (i != ctx.count) return ctx.fail_at(errc::trailing_content, i);
    out.has_data = true;
    out.data_at = 0;
  } else if (b.survey.data == binary_data_kind::bytes) {
    out.has_data_base64 = true;
  }

  if (b.survey.content_types > 1) return fail_at_attribute(errc::duplicate_key, "datacontenttype");
  attribute_text text(b.text, scratch, b.survey.text_bound);
  auto take = [&](std::string_view name, std::string_view value) {
    if (name == format.data_key || name == "data_base64") {
      return fail_at_attribute(errc::invalid_value, name);
    }
    bool* seen = header_flag(format, name, out);
    if (seen != nullptr && *seen) return fail_at_attribute(errc::duplicate_key, name);
    if (seen != nullptr) *seen = true;
    envelope_attribute a{name, {}, {}, true};
    text.string_value(value, a);
    if (seen == &out.has_version) {
      // Versions are integers; a header carries their digits, as an extension string does.
      if (const errc e = version_from_text(a.text, out.version); e != errc{}) {
        return fail_at_attribute(e, name);
      }
      scratch.add(a.name, a.json, {}, false);
    } else {
      take_attribute(format, out, scratch, a, seen, nullptr);
    }
    return true;
  };
  for (const message_header& h : b.headers) {
    if (h.is_null) continue;
    std::string_view name;
    if (is_content_type_header(h.name, binding)) {
      name = "datacontenttype";
    } else if (is_attribute_header(h.name, binding)) {
      name = text.copy(h.name.substr(binding.attribute_prefix.size()), binding.http_rules);
    } else {
      continue;
    }
    const bool taken =
        binding.http_rules ? take(name, percent_decoded(h.value)) : take(name, h.value);
    if (!taken) return false;
  }
  if (b.survey.key_as_partition_key && !take("partitionkey", *b.record_key)) return false;
  return check_header(ctx, format, out);
}

}  // namespace skew::detail

// The names a protocol binding gives CloudEvents attributes in binary content mode (Kafka `ce_id`,
// HTTP `ce-id`, AMQP `cloudEvents_id`, and `content-type` for `datacontenttype`), and the mapping
// of a binary message onto the structured event it stands for. The router reads that event, so
// both content modes share one header reader and its CloudEvents checks; binary_mode.hpp has the
// writer.
#pragma once

#include <skew/base/detail/hex.hpp>
#include <skew/base/error.hpp>
#include <skew/envelope/detail/cloudevents.hpp>
#include <skew/json/detail/dependencies.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace skew {

// One header of a broker message, as the client library gives it. A Kafka header can be present
// without a value (a null header): `is_null` says so, and the bindings read it as absent.
struct message_header {
  std::string_view name;
  std::string_view value;
  bool is_null = false;
};

// How a protocol binding names attributes in binary mode.
struct binary_binding {
  std::string_view attribute_prefix = "ce_";
  std::string_view content_type_header = "content-type";
  // HTTP header names are case-insensitive, and its values percent-encode what is not printable
  // ASCII; Kafka and AMQP names and values are taken as they are.
  bool http_rules = false;

  static constexpr binary_binding kafka() { return {}; }
  static constexpr binary_binding amqp() { return {"cloudEvents_", "content-type", false}; }
  static constexpr binary_binding http() { return {"ce-", "content-type", true}; }
};

namespace detail {

inline char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
inline bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}
inline bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && equal_ignoring_case(s.substr(0, prefix.size()), prefix);
}

inline bool is_content_type_header(std::string_view name, const binary_binding& b) noexcept {
  return b.http_rules ? equal_ignoring_case(name, b.content_type_header)
                      : name == b.content_type_header;
}
inline bool is_attribute_header(std::string_view name, const binary_binding& b) noexcept {
  return b.http_rules ? starts_with_ignoring_case(name, b.attribute_prefix)
                      : name.starts_with(b.attribute_prefix);
}

// JSON data by its media type: absent (JSON is the default), application/json, text/json, or a
// `+json` structured syntax suffix; parameters such as charset do not matter.
inline bool is_json_media_type(std::string_view type) noexcept {
  const std::size_t end = type.find(';');
  std::string_view essence = type.substr(0, end);
  while (!essence.empty() && (essence.back() == ' ' || essence.back() == '\t')) {
    essence.remove_suffix(1);
  }
  if (essence.empty()) return true;
  return equal_ignoring_case(essence, "application/json") ||
         equal_ignoring_case(essence, "text/json") ||
         (essence.size() > 5 && equal_ignoring_case(essence.substr(essence.size() - 5), "+json"));
}

// A header value as a JSON string. Only quotes, backslashes and control characters are escaped:
// any other byte is copied, so that invalid UTF-8 reaches the reader, which rejects it with its
// position, instead of being hidden by an escape.
inline void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out.append("\\u00");
      out.push_back(lower_hex_digits[u >> 4]);
      out.push_back(lower_hex_digits[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// RFC 7230 section 3.2.6 in reverse: the quotes of each quoted-string dropped and its
// backslash escapes undone (`"a\"b"` is `a"b`); text outside quotes is kept as it is.
inline std::string unquoted(std::string_view s) {
  std::string out;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') {
      quoted = !quoted;
    } else if (quoted && s[i] == '\\' && i + 1 < s.size()) {
      out.push_back(s[++i]);
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// HTTP's percent-encoded header values; a `%` not followed by two hex digits stays as it is.
// Quoted strings are unquoted first, as the HTTP binding says.
inline std::string percent_decoded(std::string_view raw) {
  const std::string s = raw.find('"') == std::string_view::npos ? std::string(raw) : unquoted(raw);
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}
// Where a payload stops being one JSON value: a comma, colon or closing bracket outside strings
// at its top level. Spliced under `data` as it is, such a payload could close the value early and
// add attributes of its own; anything else that is not JSON the reader reports itself.
inline std::optional<std::size_t> value_escape(std::string_view payload) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    const char c = payload[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;
      --depth;
    } else if (depth == 0 && (c == ',' || c == ':')) {
      return i;
    }
  }
  return std::nullopt;
}

// The attribute a header carries, by its name without the binding's prefix (lower case under
// HTTP's rules).
inline std::string attribute_name(const message_header& h, const binary_binding& binding) {
  std::string name(h.name.substr(binding.attribute_prefix.size()));
  if (binding.http_rules) {
    for (char& c : name) c = ascii_lower(c);
  }
  return name;
}

// Whether a Kafka record key can stand as the `partitionkey` String attribute: UTF-8 without the
// control characters CloudEvents forbids. A binary key (a serialized number, say) is not mapped.
inline bool is_string_attribute_text(std::string_view s) noexcept {
  return !has_control_character(s) && valid_utf8(s.data(), s.size());
}

// The structured CloudEvent a binary message stands for, written into `out`: one member per
// attribute header (a null header is absent), `datacontenttype` from the content type, the record
// key as `partitionkey` when the event has none (the Kafka binding's key mapper, read back), and
// the payload under `data` (none for an empty payload; text as a string; anything else as
// `data_base64`, which the reader reports as binary_data). Returns where the data starts in `out`,
// so that errors in it can be given relative to the payload. Not mapped: a JSON payload that is
// not one value (payload_error), and a content type given twice, as `content-type` and as a
// `datacontenttype` attribute header (attribute_error), which the HTTP binding forbids ("a
// ce-datacontenttype HTTP header MUST NOT also be present") and which skew refuses in every
// binding, since the two can disagree.
struct binary_mapping {
  std::size_t data_at = 0;
  std::optional<std::size_t> payload_error;  // its offset in the payload
  std::optional<error> attribute_error;
};
inline binary_mapping structured_from_binary(std::span<const message_header> headers,
                                             std::string_view payload,
                                             const binary_binding& binding, std::string& out,
                                             std::optional<std::string_view> record_key = {}) {
  out.clear();
  out.push_back('{');
  bool first = true;
  std::string_view content_type;
  bool has_content_type = false;
  bool has_content_type_attribute = false;
  bool has_partition_key = false;
  auto key = [&](std::string_view name) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, name);
    out.push_back(':');
  };
  auto member = [&](std::string_view name, std::string_view value) {
    key(name);
    if (binding.http_rules) {
      append_json_string(out, percent_decoded(value));
    } else {
      append_json_string(out, value);
    }
  };
  for (const message_header& h : headers) {
    if (h.is_null) continue;
    if (is_content_type_header(h.name, binding)) {
      member("datacontenttype", h.value);
      content_type = h.value;
      has_content_type = true;
    } else if (is_attribute_header(h.name, binding)) {
      const std::string name = attribute_name(h, binding);
      has_content_type_attribute = has_content_type_attribute || name == "datacontenttype";
      has_partition_key = has_partition_key || name == "partitionkey";
      member(name, h.value);
    }
  }
  if (has_content_type && has_content_type_attribute) {
    return {0, std::nullopt, error{errc::duplicate_key, "/datacontenttype", {}}};
  }
  if (record_key && !has_partition_key && !record_key->empty() &&
      is_string_attribute_text(*record_key)) {
    key("partitionkey");
    append_json_string(out, *record_key);
  }
  std::size_t data_at = out.size();
  if (!payload.empty()) {
    if (!has_content_type || is_json_media_type(content_type)) {
      if (const auto escape = value_escape(payload)) return {0, escape, std::nullopt};
      key("data");
      data_at = out.size();
      out.append(payload);
    } else if (starts_with_ignoring_case(content_type, "text/")) {
      key("data");  // text, as the JSON event format carries it: a string
      data_at = out.size();
      append_json_string(out, payload);
    } else {
      key("data_base64");  // the router reads JSON and text data only
      out.append("\"\"");
    }
  }
  out.push_back('}');
  return {data_at, std::nullopt, std::nullopt};
}

// The value of the attribute `name` in the binary message's headers (HTTP's decoded), if any.
inline std::optional<std::string> binary_attribute(std::span<const message_header> headers,
                                                   std::string_view name,
                                                   const binary_binding& binding) {
  for (const message_header& h : headers) {
    if (h.is_null || !is_attribute_header(h.name, binding)) continue;
    if (attribute_name(h, binding) == name) {
      return binding.http_rules ? percent_decoded(h.value) : std::string(h.value);
    }
  }
  return std::nullopt;
}

// An error of the structured event, told for the binary message. An error in the data is told in
// the record's value, which has no `data` key: its path is a JSON Pointer into the value ("" for
// the value itself) and its offset an offset in the value. An error in an attribute keeps the
// attribute's path (`/subject`) and has no offset: it is in a header.
inline void rebase_to_payload(error& e, std::size_t data_at) {
  if (e.code == errc::binary_data) e.path.clear();
  if (e.path == "/data") {
    e.path.clear();
  } else if (e.path.starts_with("/data/")) {
    e.path.erase(0, 5);
  }
  if (e.offset) {
    if (*e.offset >= data_at) {
      *e.offset -= data_at;
    } else {
      e.offset.reset();
    }
  }
}

}  // namespace detail

// Whether a broker message is a CloudEvent in binary mode: it carries attribute headers and no
// structured-mode content type (`application/cloudevents...`, matched case-insensitively, as the
// bindings say). A message that is neither is read as it is (its value is the whole envelope).
inline bool is_binary_mode(std::span<const message_header> headers,
                           const binary_binding& binding = binary_binding::kafka()) noexcept {
  bool attributes = false;
  for (const message_header& h : headers) {
    if (h.is_null) continue;
    if (detail::is_content_type_header(h.name, binding) &&
        detail::starts_with_ignoring_case(h.value, "application/cloudevents")) {
      return false;
    }
    attributes = attributes || detail::is_attribute_header(h.name, binding);
  }
  return attributes;
}

}  // namespace skew

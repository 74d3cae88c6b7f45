// The names a protocol binding gives CloudEvents attributes in binary content mode (Kafka `ce_id`,
// HTTP `ce-id`, AMQP `cloudEvents_id`, and `content-type` for `datacontenttype`), and the mapping
// of a binary message onto the structured event it stands for. The router reads that event, so
// both content modes share one header reader and its CloudEvents checks; binary_mode.hpp has the
// writer.
#pragma once

#include <skew/base/detail/hex.hpp>
#include <skew/base/error.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace skew {

// One header of a broker message, as the client library gives it.
struct message_header {
  std::string_view name;
  std::string_view value;
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

// HTTP's percent-encoded header values; a `%` not followed by two hex digits stays as it is.
inline std::string percent_decoded(std::string_view s) {
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

// The structured CloudEvent a binary message stands for, written into `out`: one member per
// attribute header, `datacontenttype` from the content type, and the payload under `data` (none
// for an empty payload; text as a string; anything else as `data_base64`, which the reader reports
// as binary_data). Returns where the data starts in `out`, so that errors in it can be given
// relative to the payload; a JSON payload that is not one value is not mapped (payload_error).
struct binary_mapping {
  std::size_t data_at = 0;
  std::optional<std::size_t> payload_error;  // its offset in the payload
};
inline binary_mapping structured_from_binary(std::span<const message_header> headers,
                                             std::string_view payload,
                                             const binary_binding& binding, std::string& out) {
  out.clear();
  out.push_back('{');
  bool first = true;
  std::string_view content_type;
  bool has_content_type = false;
  auto member = [&](std::string_view name, std::string_view value) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, name);
    out.push_back(':');
    if (binding.http_rules) {
      append_json_string(out, percent_decoded(value));
    } else {
      append_json_string(out, value);
    }
  };
  for (const message_header& h : headers) {
    if (is_content_type_header(h.name, binding)) {
      member("datacontenttype", h.value);
      content_type = h.value;
      has_content_type = true;
    } else if (is_attribute_header(h.name, binding)) {
      std::string name(h.name.substr(binding.attribute_prefix.size()));
      if (binding.http_rules) {
        for (char& c : name) c = ascii_lower(c);
      }
      member(name, h.value);
    }
  }
  std::size_t data_at = out.size();
  if (!payload.empty()) {
    if (!first) out.push_back(',');
    if (!has_content_type || is_json_media_type(content_type)) {
      if (const auto escape = value_escape(payload)) return {0, escape};
      out.append("\"data\":");
      data_at = out.size();
      out.append(payload);
    } else if (starts_with_ignoring_case(content_type, "text/")) {
      out.append("\"data\":");  // text, as the JSON event format carries it: a string
      data_at = out.size();
      append_json_string(out, payload);
    } else {
      out.append("\"data_base64\":\"\"");  // the router reads JSON and text data only
    }
  }
  out.push_back('}');
  return {data_at, std::nullopt};
}

// An error of the structured event, told for the binary message: an offset in the data becomes
// an offset in the payload; one in an attribute has none (its path names the attribute).
inline void rebase_to_payload(error& e, std::size_t data_at) {
  if (e.code == errc::binary_data) e.path = "/data";
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
    if (detail::is_content_type_header(h.name, binding) &&
        detail::starts_with_ignoring_case(h.value, "application/cloudevents")) {
      return false;
    }
    attributes = attributes || detail::is_attribute_header(h.name, binding);
  }
  return attributes;
}

}  // namespace skew

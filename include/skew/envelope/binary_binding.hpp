// The names a protocol binding gives CloudEvents attributes in binary content mode (Kafka `ce_id`,
// HTTP `ce-id`, AMQP `cloudEvents_id`, and `content-type` for `datacontenttype`), and the text
// rules of header values (HTTP's quoting and percent-encoding, JSON strings of header text).
// envelope/detail/binary_header.hpp reads a binary message's header by these names; binary_mode.hpp
// writes one.
#pragma once

#include <skew/base/detail/hex.hpp>
#include <skew/base/error.hpp>
#include <skew/envelope/detail/cloudevents.hpp>
#include <skew/json/detail/escape_scan.hpp>
#include <skew/json/detail/utf8.hpp>

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
// position, instead of being hidden by an escape. Plain runs are copied whole.
inline void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = find_special(s, 0); i < s.size(); i = find_special(s, i + 1)) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (!needs_escape(u)) continue;  // a byte of non-ASCII text
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (u == '"' || u == '\\') {
      out.push_back('\\');
      out.push_back(s[i]);
    } else {
      const char escaped[6] = {
          '\\', 'u', '0', '0', lower_hex_digits[u >> 4], lower_hex_digits[u & 15]};
      out.append(escaped, sizeof escaped);
    }
  }
  out.append(s.data() + run, s.size() - run);
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
// Whether an attribute header names the attribute `name` (given in lower case), without making
// the name.
inline bool is_attribute(const message_header& h, const binary_binding& binding,
                         std::string_view name) noexcept {
  const std::string_view given = h.name.substr(binding.attribute_prefix.size());
  return binding.http_rules ? equal_ignoring_case(given, name) : given == name;
}

// Whether a Kafka record key can stand as the `partitionkey` String attribute: UTF-8 without the
// control characters CloudEvents forbids. A binary key (a serialized number, say) is not mapped.
inline bool is_string_attribute_text(std::string_view s) noexcept {
  return !has_control_character(s) && valid_utf8(s.data(), s.size());
}

// The value of the attribute `name` in the binary message's headers (HTTP's decoded), if any.
inline std::optional<std::string> binary_attribute(std::span<const message_header> headers,
                                                   std::string_view name,
                                                   const binary_binding& binding) {
  for (const message_header& h : headers) {
    if (h.is_null || !is_attribute_header(h.name, binding)) continue;
    if (is_attribute(h, binding, name)) {
      return binding.http_rules ? percent_decoded(h.value) : std::string(h.value);
    }
  }
  return std::nullopt;
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

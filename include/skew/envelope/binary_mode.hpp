// CloudEvents binary content mode, the producer's side: a message of a family as broker headers
// (the binding's attribute names, `content-type` for `datacontenttype`) and a value (the data).
//
//   skew::result<skew::binary_event> e = skew::encode_binary<SendEmail>(v2, {.id = "m-1",
//                                                                         .source = "/mailer"});
//
// The consumer's side is router::dispatch(headers, value), with binary_binding.hpp's mapping.
#pragma once

#include <skew/base/detail/hex.hpp>
#include <skew/base/result.hpp>
#include <skew/envelope/binary_binding.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/envelope/format.hpp>
#include <skew/model/raw_json.hpp>
#include <skew/payload/decoder.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skew {

// A CloudEvent ready to send in binary mode.
struct binary_event {
  std::vector<std::pair<std::string, std::string>> headers;  // named by the binding
  std::optional<std::string> data;  // the message value; none for an event without data

  std::optional<std::string_view> header(std::string_view name) const noexcept {
    for (const auto& [n, v] : headers) {
      if (n == name) return std::string_view(v);
    }
    return std::nullopt;
  }
  // The Partitioning extension's `partitionkey`: what the bindings' opt-in key mapper uses as the
  // record key.
  std::optional<std::string_view> partition_key(
      const binary_binding& binding = binary_binding::kafka()) const {
    return header(std::string(binding.attribute_prefix) + "partitionkey");
  }
};

namespace detail {

// What HTTP header values cannot carry as they are: space, the double quote, the percent sign,
// and every byte outside printable ASCII.
inline std::string percent_encoded(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '%') {
      out.push_back('%');
      out.push_back(upper_hex_digits[u >> 4]);
      out.push_back(upper_hex_digits[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace detail

// Writes a message of Family in binary mode: the event `encode` would write in `format` (a
// CloudEvents format), with every attribute but `data` as a header, `datacontenttype` as the
// content type, and the payload as the value: JSON, or for a `text/*` content type the text
// itself. An event without data (an empty std::optional payload) has no value, which on Kafka is
// a tombstone. Errors are encode's.
template <message_family Family, class Payload>
result<binary_event> encode_binary(const Payload& payload, const envelope_fields& fields = {},
                                   const binary_binding& binding = binary_binding::kafka(),
                                   const envelope_format& format = envelope_format::cloudevents()) {
  std::string structured;
  if (auto status = encode_to<Family>(structured, payload, fields, format); !status) {
    return failure(status.error());
  }
  // The writer's own output, read back as members: one writer for both modes.
  thread_local decoder members_reader;
  thread_local decoder value_reader;
  auto members = members_reader.decode<std::map<std::string, raw_json>>(structured);
  if (!members) return failure(members.error());
  binary_event event;
  for (const auto& [name, value] : *members) {
    if (name == format.data_key) {
      // Text data travels as its text, as the structured event carries it as a string.
      const bool text = detail::starts_with_ignoring_case(fields.data_content_type, "text/");
      if (text && value.json().starts_with('"')) {
        auto s = value_reader.decode<std::string>(value.json());
        if (!s) return failure(s.error());
        event.data = std::move(*s);
      } else {
        event.data = std::string(value.json());
      }
      continue;
    }
    std::string text;
    if (value.json().starts_with('"')) {
      auto s = value_reader.decode<std::string>(value.json());
      if (!s) return failure(s.error());
      text = std::move(*s);
    } else {
      text = std::string(value.json());  // a number or a boolean extension
    }
    if (name == "datacontenttype") {
      event.headers.emplace_back(binding.content_type_header, std::move(text));
    } else {
      if (binding.http_rules) text = detail::percent_encoded(text);
      event.headers.emplace_back(std::string(binding.attribute_prefix) + name, std::move(text));
    }
  }
  return result<binary_event>(std::move(event));
}

}  // namespace skew

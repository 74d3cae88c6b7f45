// skew::envelope_view: what a handler learns about a message besides its payload (type, version,
// id, producer stamps and every header attribute).
#pragma once

#include <skew/base/detail/rfc3339.hpp>
#include <skew/envelope/trace_context.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace skew {

// One header attribute: its (unescaped) name, its raw JSON text, and for a string its unescaped
// text. Null attributes are absent, as CloudEvents specifies.
struct envelope_attribute {
  std::string_view name;
  std::string_view json;
  std::string_view text;
  bool is_string = false;
};

// A CloudEvents `time` attribute: the text as sent and the instant it names, in UTC.
struct envelope_time {
  std::string_view text;
  std::chrono::sys_time<std::chrono::nanoseconds> value;
};

// What a handler learns about the message besides its payload. Views into the dispatching
// thread's buffers: valid during the handler call; copy what must outlive it.
struct envelope_view {
  std::string_view type;  // without a `.v<N>` suffix the version was read from
  std::uint32_t version = 0;
  std::string_view id;           // empty when the message has none
  std::string_view produced_by;  // the producer's build stamp, empty when unset
  std::string_view config_revision;
  // Every header attribute: type, version and id too; for nested and CloudEvents envelopes every
  // root key but the payload, extensions included.
  std::span<const envelope_attribute> attributes;
  // The trace context of the hop the message arrived on (a broker's `traceparent` and
  // `tracestate` headers or fields), when the adapter passed a valid one.
  std::optional<trace_context> transport_context{};

  // The raw JSON text of an attribute ("\"/mycontext\"", "5"), or nullopt when absent or null.
  std::optional<std::string_view> attribute(std::string_view name) const noexcept {
    for (const auto& a : attributes) {
      if (a.name == name) return a.json;
    }
    return std::nullopt;
  }
  // The unescaped text of a string attribute, or nullopt when it is absent, null or not a string.
  std::optional<std::string_view> string_attribute(std::string_view name) const noexcept {
    for (const auto& a : attributes) {
      if (a.name == name) return a.is_string ? std::optional(a.text) : std::nullopt;
    }
    return std::nullopt;
  }

  // CloudEvents context attributes.
  std::optional<std::string_view> source() const noexcept { return string_attribute("source"); }
  std::optional<std::string_view> subject() const noexcept { return string_attribute("subject"); }
  // `time`, as sent and as a point in time (the router has checked it is RFC 3339).
  std::optional<envelope_time> time() const noexcept {
    const std::optional<std::string_view> text = string_attribute("time");
    if (!text) return std::nullopt;
    envelope_time t{*text, {}};
    if (detail::read_rfc3339(*text, t.value) != errc{}) return std::nullopt;
    return t;
  }
  std::optional<std::string_view> data_content_type() const noexcept {
    return string_attribute("datacontenttype");
  }
  std::optional<std::string_view> data_schema() const noexcept {
    return string_attribute("dataschema");
  }
  // The Distributed Tracing extension's `traceparent` and `tracestate`: the trace context the
  // event was created in. nullopt when absent or not a valid W3C traceparent.
  std::optional<trace_context> creation_context() const noexcept {
    const std::optional<std::string_view> parent = string_attribute("traceparent");
    if (!parent) return std::nullopt;
    return parse_traceparent(*parent, string_attribute("tracestate").value_or(""));
  }
};

}  // namespace skew

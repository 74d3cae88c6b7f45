// Spans without a tracing library: a skew::observer that writes one line per message processed,
// in the OTLP JSON encoding (a TracesData object: resource, scope, one consumer span with its
// trace id, span id, parent, link to the event's creation context, attributes and status), to a
// file a collector's filelog receiver or `otelcol` file exporter can read. The lines are written
// with skew's own encoder. Usage: otlp_spans <output.jsonl>
#include <skew/skew.hpp>

#include "send_email.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace otlp {

// The OTLP JSON field names (opentelemetry-proto, trace/v1 and common/v1): 64-bit integers as
// decimal strings, ids as lower-case hex, enums as numbers.
struct any_value {
  std::optional<std::string> stringValue;
  std::optional<std::string> intValue;
};
SKEW_DESCRIBE(any_value, stringValue, intValue)

struct key_value {
  std::string key;
  any_value value;
};
SKEW_DESCRIBE(key_value, key, value)

struct span_link {
  std::string traceId;
  std::string spanId;
};
SKEW_DESCRIBE(span_link, traceId, spanId)

struct span_status {
  int code = 0;  // 0 unset, 1 ok, 2 error
  std::optional<std::string> message;
};
SKEW_DESCRIBE(span_status, code, message)

struct span {
  std::string traceId;
  std::string spanId;
  std::optional<std::string> parentSpanId;
  std::string name;
  int kind = 5;  // SPAN_KIND_CONSUMER
  std::string startTimeUnixNano;
  std::string endTimeUnixNano;
  std::vector<key_value> attributes;
  std::vector<span_link> links;
  span_status status;
};
SKEW_DESCRIBE(span, traceId, spanId, parentSpanId, name, kind, startTimeUnixNano, endTimeUnixNano,
              attributes, links, status)

struct instrumentation_scope {
  std::string name;
  std::string version;
};
SKEW_DESCRIBE(instrumentation_scope, name, version)

struct scope_spans {
  instrumentation_scope scope;
  std::vector<span> spans;
};
SKEW_DESCRIBE(scope_spans, scope, spans)

struct resource {
  std::vector<key_value> attributes;
};
SKEW_DESCRIBE(resource, attributes)

struct resource_spans {
  otlp::resource resource;
  std::vector<scope_spans> scopeSpans;
};
SKEW_DESCRIBE(resource_spans, resource, scopeSpans)

struct traces_data {
  std::vector<resource_spans> resourceSpans;
};
SKEW_DESCRIBE(traces_data, resourceSpans)

// Writes each processed message as one line. Shared by the dispatching threads.
class json_lines_exporter : public skew::observer {
 public:
  json_lines_exporter(const std::string& path, std::string service)
      : out_(path), service_(std::move(service)) {}
  bool good() const { return out_.good(); }

  void on_process_end(const skew::process_end& e) override {
    span s;
    // The hop's context is the parent; the event's creation context, the same on every hop and
    // redelivery, is a link. A message with neither starts a trace.
    if (e.transport_context) {
      s.traceId = std::string(e.transport_context->trace_id);
      s.parentSpanId = std::string(e.transport_context->parent_id);
    } else if (e.creation_context) {
      s.traceId = std::string(e.creation_context->trace_id);
      s.parentSpanId = std::string(e.creation_context->parent_id);
    } else {
      s.traceId = random_hex(32);
    }
    if (e.creation_context) {
      s.links.push_back(
          {std::string(e.creation_context->trace_id), std::string(e.creation_context->parent_id)});
    }
    s.spanId = random_hex(16);
    const std::string_view destination =
        e.messaging.destination.empty() ? std::string_view("skew") : e.messaging.destination;
    s.name = fmt::format("process {}", destination);
    s.startTimeUnixNano = std::to_string(unix_nanos(e.start));
    s.endTimeUnixNano = std::to_string(unix_nanos(e.end));
    for (const skew::span_attribute& a : skew::messaging_attributes(e)) {
      key_value kv{std::string(a.key), {}};
      if (a.is_integer) {
        kv.value.intValue = std::to_string(a.integer);
      } else {
        kv.value.stringValue = std::string(a.text);
      }
      s.attributes.push_back(std::move(kv));
    }
    if (e.result.reason != skew::reason::handled) {
      s.status = {2, std::string(skew::to_string(e.result.reason))};
    }
    resource_spans batch;
    batch.resource.attributes.push_back({"service.name", {service_, std::nullopt}});
    scope_spans by_skew{{"skew", "0.2.0"}, {}};
    by_skew.spans.push_back(std::move(s));
    batch.scopeSpans.push_back(std::move(by_skew));
    traces_data line;
    line.resourceSpans.push_back(std::move(batch));
    const skew::result<std::string> json = skew::encode(line);
    std::lock_guard lock(mutex_);
    if (json) out_ << *json << '\n';
  }

 private:
  static std::int64_t unix_nanos(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }
  std::string random_hex(std::size_t digits) {
    std::lock_guard lock(mutex_);
    std::string out;
    while (out.size() < digits) out += fmt::format("{:016x}", random_());
    out.resize(digits);
    if (out.find_first_not_of('0') == std::string::npos) out.back() = '1';  // never all zero
    return out;
  }

  std::mutex mutex_;
  std::ofstream out_;
  std::string service_;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace otlp

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: otlp_spans <output.jsonl>\n");
    return 2;
  }
  otlp::json_lines_exporter spans(argv[1], "mailer");
  if (!spans.good()) {
    std::fprintf(stderr, "otlp_spans: cannot write %s\n", argv[1]);
    return 1;
  }
  skew::router<mail::SendEmail> router;
  router.set_format(skew::envelope_format::cloudevents());
  router.set_observer(&spans);
  router.on<mail::SendEmail>(
      [](const mail::SendEmailV2& m) { fmt::print("sending {} to {}\n", m.templateId, m.to); });

  // As a Kafka consumer would: the topic, partition and offset, and the hop's traceparent.
  const skew::messaging_scope scope({.system = "kafka",
                                     .destination = "mail",
                                     .consumer_group = "mailers",
                                     .partition = 0,
                                     .offset = 17});
  const auto hop =
      skew::parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  const std::string traced =
      R"({"specversion":"1.0","type":"send-email","source":"/shop","id":"m-1","schemaversion":1,)"
      R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",)"
      R"("data":{"to":"a@example.com","templateId":"welcome"}})";
  const std::string untraced =
      R"({"specversion":"1.0","type":"send-email","source":"/shop","id":"m-2","schemaversion":2,)"
      R"("data":{"to":"b@example.com","templateId":"welcome","locale":"de"}})";
  const std::string unknown =
      R"({"specversion":"1.0","type":"send-sms","source":"/shop","id":"m-3","data":{}})";
  fmt::print("{}\n", router.dispatch(traced, hop));
  fmt::print("{}\n", router.dispatch(untraced));
  fmt::print("{}\n", router.dispatch(unknown));
  return 0;
}

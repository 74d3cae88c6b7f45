// dispatch/observer.hpp and dispatch/duration_histogram.hpp: what a router tells its observer of
// each message (start, end, the adapter's facts, the hop and the event's trace contexts, upcast
// steps), the OpenTelemetry messaging attributes made of it, and the processing-duration
// histogram in the Prometheus text.
#include <skew/dispatch/duration_histogram.hpp>
#include <skew/dispatch/observer.hpp>
#include <skew/dispatch/router.hpp>
#include <skew/envelope/encode.hpp>

#include <doctest/doctest.h>

#include "fixture_families.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using Mail = fixtures::SendEmail;

namespace {

constexpr std::string_view creation = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr std::string_view hop = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

// What the observer saw, copied out of the calls (their views end with them).
struct seen_span {
  std::string system, destination, group, message_id, type, outcome, error_type, partition;
  std::optional<std::int64_t> offset, version, upcast_steps;
  std::string creation_trace, transport_trace;
  std::chrono::nanoseconds duration{-1};
  bool started = false;
};

struct recording_observer : skew::observer {
  std::vector<seen_span> spans;
  int starts = 0;
  void on_process_start(const skew::process_start& s) override {
    ++starts;
    CHECK(s.time.time_since_epoch().count() > 0);
  }
  void on_process_end(const skew::process_end& e) override {
    seen_span s;
    s.started = starts > static_cast<int>(spans.size());
    const skew::span_attributes a = skew::messaging_attributes(e);
    auto text = [&](std::string_view key) {
      const skew::span_attribute* at = a.find(key);
      if (at == nullptr) return std::string();
      CHECK_FALSE(at->is_integer);
      return std::string(at->text);
    };
    auto integer = [&](std::string_view key) -> std::optional<std::int64_t> {
      const skew::span_attribute* at = a.find(key);
      if (at == nullptr) return std::nullopt;
      CHECK(at->is_integer);
      return at->integer;
    };
    CHECK(text("messaging.operation.name") == "process");
    CHECK(text("messaging.operation.type") == "process");
    s.system = text("messaging.system");
    s.destination = text("messaging.destination.name");
    s.group = text("messaging.consumer.group.name");
    s.partition = text("messaging.destination.partition.id");
    s.offset = integer("messaging.kafka.offset");
    s.message_id = text("messaging.message.id");
    s.error_type = text("error.type");
    s.type = text("skew.message.type");
    s.version = integer("skew.message.schema_version");
    s.outcome = text("skew.outcome");
    s.upcast_steps = integer("skew.upcast_steps");
    if (e.creation_context) s.creation_trace = std::string(e.creation_context->trace_id);
    if (e.transport_context) s.transport_trace = std::string(e.transport_context->trace_id);
    s.duration = e.duration;
    CHECK(e.end >= e.start);
    spans.push_back(std::move(s));
  }
};

std::string cloudevent(std::uint32_t version, std::string_view data, bool traced) {
  std::string json = R"({"specversion":"1.0","type":"send-email","source":"/mailer","id":"m-)" +
                     std::to_string(version) + R"(","schemaversion":)" + std::to_string(version);
  if (traced) json += R"(,"traceparent":")" + std::string(creation) + '"';
  return json + R"(,"data":)" + std::string(data) + "}";
}

}  // namespace

TEST_CASE("observer: start and end of each message, the adapter's facts, contexts and upcasts") {
  skew::router<Mail> router;
  router.set_format(skew::envelope_format::cloudevents());
  recording_observer seen;
  router.set_observer(&seen);
  CHECK(router.observer_hook() == &seen);
  router.on<Mail>([](const fixtures::SendEmailV2&) {});

  {
    skew::messaging_scope scope({.system = "kafka",
                                 .destination = "mail",
                                 .consumer_group = "mailers",
                                 .partition = 3,
                                 .offset = 42});
    const auto o = router.dispatch(cloudevent(1, R"({"to":"a","templateId":"t"})", true),
                                   skew::parse_traceparent(hop));
    CHECK(o.reason == skew::reason::handled);
  }
  REQUIRE(seen.spans.size() == 1);
  const seen_span& s = seen.spans[0];
  CHECK(s.started);
  CHECK(s.system == "kafka");
  CHECK(s.destination == "mail");
  CHECK(s.group == "mailers");
  CHECK(s.partition == "3");
  CHECK(s.offset == 42);
  CHECK(s.message_id == "m-1");
  CHECK(s.type == "send-email");
  CHECK(s.version == 1);
  CHECK(s.outcome == "ack");
  CHECK(s.error_type.empty());  // a handler took it
  CHECK(s.upcast_steps == 1);   // version 1 upcast to the handler's 2
  CHECK(s.creation_trace == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(s.transport_trace == "0af7651916cd43dd8448eb211c80319c");
  CHECK(s.duration.count() >= 0);

  // Outside the scope: no facts; a version 2 message takes no upcast step and has no contexts.
  (void)router.dispatch(cloudevent(2, R"({"to":"b","templateId":"t","locale":"de"})", false));
  REQUIRE(seen.spans.size() == 2);
  CHECK(seen.spans[1].system.empty());
  CHECK_FALSE(seen.spans[1].offset);
  CHECK(seen.spans[1].upcast_steps == 0);
  CHECK(seen.spans[1].creation_trace.empty());
  CHECK(seen.spans[1].transport_trace.empty());

  // A message no handler takes: error.type names the reason, skew.outcome the action.
  const auto unknown = router.dispatch(
      R"({"specversion":"1.0","type":"send-sms","source":"/s","id":"x-1","data":{}})");
  REQUIRE(seen.spans.size() == 3);
  CHECK(seen.spans[2].error_type == "unknown_type");
  CHECK(seen.spans[2].outcome == skew::to_string(unknown.action));
  CHECK(seen.spans[2].message_id == "x-1");
  CHECK(seen.starts == 3);
}

TEST_CASE("observer: a dispatch inside a handler is its own span, without its caller's facts") {
  skew::router<Mail> router;
  router.set_format(skew::envelope_format::cloudevents());
  recording_observer seen;
  router.set_observer(&seen);
  bool inner_done = false;
  router.on<Mail>([&](const fixtures::SendEmailV2& m) {
    if (m.to == "outer") {
      (void)router.dispatch(
          cloudevent(2, R"({"to":"inner","templateId":"t","locale":"de"})", false));
      inner_done = true;
    }
  });
  skew::messaging_scope scope({.system = "redis", .destination = "jobs"});
  (void)router.dispatch(cloudevent(1, R"({"to":"outer","templateId":"t"})", true));
  CHECK(inner_done);
  REQUIRE(seen.spans.size() == 2);
  // The inner one ends first.
  CHECK(seen.spans[0].system.empty());
  CHECK(seen.spans[0].upcast_steps == 0);
  CHECK(seen.spans[0].creation_trace.empty());
  CHECK(seen.spans[1].system == "redis");
  CHECK(seen.spans[1].upcast_steps == 1);
  CHECK(seen.spans[1].creation_trace == "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_CASE("settle attributes: the action is the operation") {
  const skew::messaging_facts facts{.system = "kafka", .destination = "mail", .partition = 0};
  const skew::settle_event e{facts, skew::action::dead_letter,       skew::reason::malformed, "m-9",
                             false, std::chrono::system_clock::now()};
  const skew::span_attributes a = skew::messaging_attributes(e);
  REQUIRE(a.find("messaging.operation.type"));
  CHECK(a.find("messaging.operation.type")->text == "settle");
  CHECK(a.find("messaging.operation.name")->text == "dead_letter");
  CHECK(a.find("messaging.message.id")->text == "m-9");
  CHECK(a.find("messaging.destination.partition.id")->text == "0");
  CHECK(a.find("error.type")->text == "settle_failed");
  CHECK_FALSE(a.find("messaging.kafka.offset"));  // none given
}

TEST_CASE("duration histogram: cumulative buckets from 5 ms to 10 s, per type, version, outcome") {
  skew::process_duration_histogram h;
  skew::outcome handled;
  handled.type = "send-email";
  handled.version = 2;
  using std::chrono::milliseconds;
  h.record(handled, milliseconds(3));      // <= 0.005
  h.record(handled, milliseconds(30));     // <= 0.05
  h.record(handled, milliseconds(20000));  // above every bound
  skew::outcome retried = skew::outcome::retry();
  retried.type = "send-email";
  retried.version = 2;
  h.record(retried, milliseconds(7));
  const std::string text = h.prometheus_text();
  CHECK(text.find("# TYPE skew_process_duration_seconds histogram\n") != std::string::npos);
  const std::string ack = R"(type="send-email",version="2",outcome="ack")";
  CHECK(text.find("skew_process_duration_seconds_bucket{" + ack + R"(,le="0.005"} 1)") !=
        std::string::npos);
  CHECK(text.find("skew_process_duration_seconds_bucket{" + ack + R"(,le="0.025"} 1)") !=
        std::string::npos);
  CHECK(text.find("skew_process_duration_seconds_bucket{" + ack + R"(,le="0.05"} 2)") !=
        std::string::npos);
  CHECK(text.find("skew_process_duration_seconds_bucket{" + ack + R"(,le="10"} 2)") !=
        std::string::npos);
  CHECK(text.find("skew_process_duration_seconds_bucket{" + ack + R"(,le="+Inf"} 3)") !=
        std::string::npos);
  CHECK(text.find("skew_process_duration_seconds_count{" + ack + "} 3") != std::string::npos);
  CHECK(text.find("skew_process_duration_seconds_sum{" + ack + "} 20.033") != std::string::npos);
  const std::string retry = R"(type="send-email",version="2",outcome="retry")";
  CHECK(text.find("skew_process_duration_seconds_bucket{" + retry + R"(,le="0.01"} 1)") !=
        std::string::npos);

  // Through a router: one series per message kind, counted once per message.
  skew::router<Mail> router;
  router.set_format(skew::envelope_format::cloudevents());
  skew::process_duration_histogram durations;
  router.set_observer(&durations);
  router.on<Mail>([](const fixtures::SendEmailV2&) {});
  for (int i = 0; i < 5; ++i) {
    (void)router.dispatch(cloudevent(2, R"({"to":"a","templateId":"t","locale":"de"})", false));
  }
  const std::string live = durations.prometheus_text();
  CHECK(
      live.find(
          R"(skew_process_duration_seconds_count{type="send-email",version="2",outcome="ack"} 5)") !=
      std::string::npos);
}

TEST_CASE("duration histogram: types beyond the bound are one series") {
  skew::process_duration_histogram h;
  std::vector<std::string> types;
  for (std::size_t i = 0; i < skew::process_duration_histogram::max_series + 10; ++i) {
    types.push_back("type-" + std::to_string(i));
  }
  for (const std::string& t : types) {
    skew::outcome o;
    o.type = t;
    h.record(o, std::chrono::milliseconds(1));
  }
  const std::string text = h.prometheus_text();
  CHECK(text.find(R"(_count{type="_other",version="",outcome="ack"} 10)") != std::string::npos);
  CHECK(text.find(R"(type="type-0")") != std::string::npos);
  CHECK(text.find("type=\"type-" + std::to_string(types.size() - 1) + '"') == std::string::npos);
}

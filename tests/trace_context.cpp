// envelope/trace_context.hpp against W3C Trace Context Level 1's traceparent rules, and the
// CloudEvents Distributed Tracing extension through envelope_view::creation_context(), in both
// content modes, written by the producer and read back unchanged.
#include <skew/dispatch/router.hpp>
#include <skew/envelope/binary_mode.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/envelope/trace_context.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trace_test {
struct Mail {
  std::string to;
};
SKEW_DESCRIBE(Mail, to)
}  // namespace trace_test

using Mail = skew::message<"send-email", trace_test::Mail>;

namespace {
constexpr std::string_view valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
}  // namespace

TEST_CASE("traceparent: the W3C example reads field by field") {
  const auto t = skew::parse_traceparent(valid, "congo=t61rcWkgMzE");
  REQUIRE(t);
  CHECK(t->version == 0);
  CHECK(t->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(t->parent_id == "00f067aa0ba902b7");
  CHECK(t->flags == 1);
  CHECK(t->sampled());
  CHECK(t->traceparent == valid);
  CHECK(t->tracestate == "congo=t61rcWkgMzE");
  static_assert(skew::parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
                    .has_value());
}

TEST_CASE("traceparent: what the W3C rules refuse is ignored, never fatal") {
  // "trace-id ... All bytes as zero (00000000000000000000000000000000) is considered an invalid
  // value"; "parent-id ... All bytes as zero (0000000000000000) is considered an invalid value";
  // "Version ff is invalid"; lower-case hex only; version 00 is exactly 55 characters.
  const std::string_view bad[] = {
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
      "",
  };
  for (const std::string_view s : bad) {
    CAPTURE(s);
    CHECK_FALSE(skew::parse_traceparent(s, "congo=t61rcWkgMzE"));
  }
  // A later version may carry more fields after a dash; the known ones are read.
  const auto future =
      skew::parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the");
  REQUIRE(future);
  CHECK(future->version == 0xcc);
  CHECK(future->parent_id == "00f067aa0ba902b7");
  CHECK_FALSE(
      skew::parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what"));
}

TEST_CASE("the creation context travels as the Distributed Tracing extension, in both modes") {
  skew::router<Mail> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::optional<skew::trace_context> seen;
  std::string parent, state;
  bool handled = false;
  router.on<Mail>([&](const trace_test::Mail&, const skew::envelope_view& env) {
    handled = true;
    seen = env.creation_context();
    if (seen) {
      parent = std::string(seen->traceparent);
      state = std::string(seen->tracestate);
    }
  });
  const skew::extension_attribute ext[] = {{"traceparent", valid},
                                           {"tracestate", std::string_view("congo=t61rcWkgMzE")}};
  const skew::envelope_fields fields{.id = "t-1", .source = "/m", .extensions = ext};

  auto structured =
      skew::encode<Mail>(trace_test::Mail{"a"}, fields, skew::envelope_format::cloudevents());
  REQUIRE(structured);
  CHECK(router.dispatch(*structured).reason == skew::reason::handled);
  REQUIRE(seen);
  CHECK(parent == valid);
  CHECK(state == "congo=t61rcWkgMzE");

  seen.reset();
  auto binary = skew::encode_binary<Mail>(trace_test::Mail{"a"}, fields);
  REQUIRE(binary);
  CHECK(binary->header("ce_traceparent") == valid);
  std::vector<skew::message_header> headers;
  for (const auto& [name, value] : binary->headers) headers.push_back({name, value});
  CHECK(router.dispatch(headers, *binary->data).reason == skew::reason::handled);
  REQUIRE(seen);
  CHECK(parent == valid);

  // An invalid traceparent is no context, and the message is still handled.
  handled = false;
  seen.reset();
  const skew::extension_attribute zero[] = {
      {"traceparent", std::string_view("00-00000000000000000000000000000000-00f067aa0ba902b7-01")}};
  auto invalid =
      skew::encode<Mail>(trace_test::Mail{"a"}, {.id = "t-2", .source = "/m", .extensions = zero},
                         skew::envelope_format::cloudevents());
  REQUIRE(invalid);
  CHECK(router.dispatch(*invalid).reason == skew::reason::handled);
  CHECK(handled);
  CHECK_FALSE(seen);
  // ... and counted, per type and version, in both modes.
  auto written = skew::encode_binary<Mail>(trace_test::Mail{"a"},
                                           {.id = "t-3", .source = "/m", .extensions = zero});
  REQUIRE(written);
  std::vector<skew::message_header> zero_headers;
  for (const auto& [name, value] : written->headers) zero_headers.push_back({name, value});
  CHECK(router.dispatch(zero_headers, *written->data).reason == skew::reason::handled);
  const skew::router_stats stats = router.stats();
  REQUIRE(stats.messages.size() == 1);
  CHECK(stats.messages[0].invalid_trace_context == 2);
  CHECK(skew::to_prometheus(stats).find(
            R"(skew_invalid_trace_context_total{type="send-email",version="1"} 2)") !=
        std::string::npos);
}

TEST_CASE("envelope_fields carry the caller's context: checked, and written once") {
  const skew::envelope_fields fields{
      .id = "t-1", .source = "/m", .traceparent = valid, .tracestate = "congo=t61rcWkgMzE"};
  auto json =
      skew::encode<Mail>(trace_test::Mail{"a"}, fields, skew::envelope_format::cloudevents());
  REQUIRE(json);
  CHECK(json->find(R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")") !=
        std::string::npos);
  CHECK(json->find(R"("tracestate":"congo=t61rcWkgMzE")") != std::string::npos);

  auto bad = skew::encode<Mail>(trace_test::Mail{"a"},
                                {.id = "t-1", .source = "/m", .traceparent = "00-abc-def-01"},
                                skew::envelope_format::cloudevents());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == skew::errc::invalid_value);
  CHECK(bad.error().path == "/traceparent");

  const skew::extension_attribute twice[] = {{"traceparent", valid}};
  auto dup =
      skew::encode<Mail>(trace_test::Mail{"a"},
                         {.id = "t-1", .source = "/m", .extensions = twice, .traceparent = valid},
                         skew::envelope_format::cloudevents());
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == skew::errc::duplicate_key);

  // The flat layout has no extension attributes: the context travels in the transport only.
  auto flat = skew::encode<Mail>(trace_test::Mail{"a"}, {.traceparent = valid});
  REQUIRE(flat);
  CHECK(flat->find("traceparent") == std::string::npos);
}

TEST_CASE("dispatch with the transport hop: the handler sees it; a dispatch inside does not") {
  using Inner = skew::message<"inner", trace_test::Mail>;
  skew::router<Mail, Inner> router;
  std::vector<std::string> hops;
  auto name = [](const skew::envelope_view& env) {
    return env.transport_context ? std::string(env.transport_context->parent_id) : "-";
  };
  router.on<Inner>([&](const trace_test::Mail&, const skew::envelope_view& env) {
    hops.push_back("inner " + name(env));
  });
  router.on<Mail>([&](const trace_test::Mail&, const skew::envelope_view& env) {
    hops.push_back("outer " + name(env));
    router.dispatch(R"({"type":"inner","schemaVersion":1,"to":"b"})");
  });
  const std::string mail = R"({"type":"send-email","schemaVersion":1,"to":"a"})";
  CHECK(router.dispatch(mail, skew::parse_traceparent(valid)).reason == skew::reason::handled);
  CHECK(router.dispatch(mail).reason == skew::reason::handled);
  CHECK(hops ==
        std::vector<std::string>{"outer 00f067aa0ba902b7", "inner -", "outer -", "inner -"});
}

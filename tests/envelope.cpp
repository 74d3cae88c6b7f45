// Envelope layouts: flat header attributes and stamps, nested payloads, CloudEvents structured
// mode.
#include <skew/router.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

namespace env_test {
struct Order {
  std::string sku;
  int quantity = 0;
};
SKEW_DESCRIBE(Order, sku, quantity)
struct OrderV2 {
  std::string sku;
  int quantity = 0;
  skew::field<std::string> note;
};
SKEW_DESCRIBE(OrderV2, sku, quantity, note)
OrderV2 upcast(Order&& v) {
  return {std::move(v.sku), v.quantity, {}};
}
}  // namespace env_test

using OrderPlaced = skew::message<"order.placed", env_test::Order, env_test::OrderV2>;

namespace {
struct seen_message {
  std::string sku;
  int quantity = 0;
  std::uint32_t version = 0;
  std::string id;
  std::string produced_by;
  std::vector<std::string> attributes;
};

template <class Router>
void record_into(Router& router, std::vector<seen_message>& seen) {
  router.template on<OrderPlaced>(
      [&seen](const env_test::OrderV2& m, const skew::envelope_view& env) {
        seen_message s{
            m.sku, m.quantity, env.version, std::string(env.id), std::string(env.produced_by), {}};
        for (const auto& a : env.attributes) {
          s.attributes.push_back(fmt::format("{}={}", a.name, a.json));
        }
        seen.push_back(std::move(s));
      });
}
}  // namespace

TEST_CASE("flat: producer stamps written after the payload keys reach the handler and outcome") {
  skew::router<OrderPlaced> router;
  std::vector<seen_message> seen;
  record_into(router, seen);
  auto o = router.dispatch(
      R"({"type":"order.placed","schemaVersion":1,"id":"o-1","sku":"A","quantity":2,)"
      R"("producedBy":"orders@2026.11.3","configRevision":"r42"})");
  CHECK(o.action == skew::action::ack);
  CHECK(o.produced_by == "orders@2026.11.3");
  CHECK(o.config_revision == "r42");
  CHECK(o.id == "o-1");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].produced_by == "orders@2026.11.3");
  CHECK(seen[0].attributes ==
        std::vector<std::string>{"type=\"order.placed\"", "schemaVersion=1", "id=\"o-1\"",
                                 "producedBy=\"orders@2026.11.3\"", "configRevision=\"r42\""});
}

TEST_CASE("flat: an escaped type is routed by its text and survives the payload pass") {
  skew::router<OrderPlaced> router;
  std::vector<seen_message> seen;
  record_into(router, seen);
  // \u002e is '.', and the payload strings are unescaped after the header's.
  auto o = router.dispatch(
      R"({"type":"order\u002eplaced","schemaVersion":2,"id":"\u0069d-7","sku":"\u0041\u0042",)"
      R"("quantity":1,"note":"\u00e9t\u00e9"})");
  CHECK(o.action == skew::action::ack);
  CHECK(o.type == "order.placed");
  CHECK(o.id == "id-7");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].sku == "AB");
  CHECK(seen[0].id == "id-7");
}

TEST_CASE("flat: header keys in any form read the same as the plain form writers use") {
  // The plain form takes a fast path; every other spelling goes through the general reader, and
  // both must agree on type, version, id and the attributes.
  const char* spellings[] = {
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1","sku":"A","quantity":2})",
      R"({"\u0074ype":"order.placed","schemaVersion":2,"id":"o-1","sku":"A","quantity":2})",
      R"({"type":"order\u002eplaced","schemaVersion":2,"id":"o\u002d1","sku":"A","quantity":2})",
      R"({"type" : "order.placed" , "schemaVersion" : 2 , "id" : "o-1" , "sku":"A","quantity":2})",
      R"({"id":"o-1","schemaVersion":2,"type":"order.placed","sku":"A","quantity":2})",
      R"({"type":"order.placed","sku":"A","schemaVersion":2,"quantity":2,"id":"o-1"})",
      R"({"schemaVersion":2,"type":"order.placed","sku":"A","quantity":2,"id":"o-1"})",
      R"({"type":"order.placed","schemaVersion":2,"\u0069d":"o-1","sku":"A","quantity":2})",
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1" ,"sku":"A","quantity":2})",
      R"({"type":"order.placed","schemaVersion":2 ,"id":"o-1","sku":"A","quantity":2})",
  };
  for (const std::string json : spellings) {
    CAPTURE(json);
    skew::router<OrderPlaced> router;
    std::vector<seen_message> seen;
    record_into(router, seen);
    const skew::outcome o = router.dispatch(json);
    CHECK(o.reason == skew::reason::handled);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].sku == "A");
    CHECK(seen[0].quantity == 2);
    CHECK(seen[0].version == 2u);
    CHECK(seen[0].id == "o-1");
    CHECK(seen[0].attributes.size() == 3);
  }
  // Versions beyond nine digits and with a leading zero leave the fast path; its bounds hold.
  skew::router<OrderPlaced> router;
  CHECK(router.dispatch(R"({"type":"order.placed","schemaVersion":4294967295,"sku":"A"})").reason ==
        skew::reason::unsupported_version);
  struct bad_header {
    const char* json;
    skew::reason reason;
    skew::errc code;
  };
  for (const bad_header& bad : {
           bad_header{
               R"({"type":"order.placed","schemaVersion":4294967296,"sku":"A","quantity":2})",
               skew::reason::invalid_envelope, skew::errc::out_of_range},
           bad_header{R"({"type":"order.placed","schemaVersion":02,"sku":"A","quantity":2})",
                      skew::reason::malformed, skew::errc::malformed_json},
           bad_header{R"({"type":"order.placed","type":"order.placed","schemaVersion":2,"sku":"A",)"
                      R"("quantity":2})",
                      skew::reason::invalid_envelope, skew::errc::duplicate_key},
           bad_header{R"({"type":"order.placed","schemaVersion":2,"schemaVersion":2,"sku":"A",)"
                      R"("quantity":2})",
                      skew::reason::invalid_envelope, skew::errc::duplicate_key},
           bad_header{R"({"type":"order.placed","schemaVersion":2,"id":"o-1","id":"o-1","sku":"A",)"
                      R"("quantity":2})",
                      skew::reason::invalid_envelope, skew::errc::duplicate_key},
           bad_header{R"({"type":"order.placed","schemaVersion":2,"id":null,"id":"o-1","sku":"A",)"
                      R"("quantity":2})",
                      skew::reason::invalid_envelope, skew::errc::duplicate_key},
       }) {
    const std::string shown = bad.json;
    CAPTURE(shown);
    const skew::outcome o = router.dispatch(bad.json);
    CHECK(o.reason == bad.reason);
    REQUIRE(o.error.has_value());
    CHECK(o.error->code == bad.code);
  }
}

TEST_CASE("flat: the compact header path hands every other form to the general reader") {
  skew::router<OrderPlaced> router;
  std::vector<seen_message> seen;
  record_into(router, seen);
  // A stamp between the header keys.
  CHECK(router
            .dispatch(R"({"type":"order.placed","producedBy":"p@1","schemaVersion":2,"id":"o-1",)"
                      R"("sku":"A","quantity":2})")
            .reason == skew::reason::handled);
  // A null id is an absent one.
  CHECK(
      router
          .dispatch(R"({"type":"order.placed","schemaVersion":2,"id":null,"sku":"B","quantity":1})")
          .reason == skew::reason::handled);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].produced_by == "p@1");
  CHECK(seen[0].id == "o-1");
  CHECK(seen[0].attributes == std::vector<std::string>{"type=\"order.placed\"",
                                                       "producedBy=\"p@1\"", "schemaVersion=2",
                                                       "id=\"o-1\""});
  CHECK(seen[1].id.empty());
  CHECK(seen[1].attributes.size() == 2);
  // Nothing but the header: the payload is empty, so its required members are missing.
  const skew::outcome empty = router.dispatch(R"({"type":"order.placed","schemaVersion":2})");
  CHECK(empty.reason == skew::reason::invalid_payload);
  REQUIRE(empty.error.has_value());
  CHECK(empty.error->code == skew::errc::missing_field);
  // A version that is not an integer, and a type that is not a string.
  const skew::outcome fraction =
      router.dispatch(R"({"type":"order.placed","schemaVersion":2.0,"sku":"A","quantity":2})");
  CHECK(fraction.reason == skew::reason::invalid_envelope);
  REQUIRE(fraction.error.has_value());
  CHECK(fraction.error->path == "/schemaVersion");
  CHECK(router.dispatch(R"({"type":7,"schemaVersion":2,"sku":"A","quantity":2})").reason ==
        skew::reason::invalid_envelope);
  // A trailing comma after the header keys is malformed, wherever the fast path stopped.
  for (const char* trailing :
       {R"({"type":"order.placed",})", R"({"type":"order.placed","schemaVersion":2,})",
        R"({"type":"order.placed","schemaVersion":2,"id":"o-1",})"}) {
    const std::string shown = trailing;
    CAPTURE(shown);
    const skew::outcome o = router.dispatch(trailing);
    CHECK(o.reason == skew::reason::malformed);
    REQUIRE(o.error.has_value());
    CHECK(o.error->code == skew::errc::malformed_json);
  }
  CHECK(seen.size() == 2);
}

TEST_CASE("flat: custom header key names, several of one length") {
  skew::envelope_format format;
  format.type_key = "kind";  // the same length as the id key below
  format.version_key = "v";
  format.id_key = "uuid";
  format.produced_by_key = "by";
  format.config_revision_key = "rv";  // the same length as produced_by
  skew::router<OrderPlaced> router;
  router.set_format(format);
  std::vector<seen_message> seen;
  record_into(router, seen);
  const skew::outcome o = router.dispatch(
      R"({"kind":"order.placed","v":1,"uuid":"u-9","by":"b@1","rv":"r2","sku":"B","quantity":3})");
  CHECK(o.reason == skew::reason::handled);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].id == "u-9");
  CHECK(seen[0].produced_by == "b@1");
  CHECK(seen[0].version == 1u);
  CHECK(seen[0].attributes.size() == 5);
  CHECK(o.config_revision == "r2");
  // A payload key of a header key's length is still payload.
  CHECK(router.dispatch(R"({"kind":"order.placed","v":1,"sku":"C","quantity":1,"note":"x"})")
            .reason == skew::reason::handled);
}

TEST_CASE("nested: payload under data, header attributes kept, errors point into data") {
  skew::router<OrderPlaced> router;
  router.set_format(skew::envelope_format::nested());
  std::vector<seen_message> seen;
  record_into(router, seen);
  auto ok = router.dispatch(
      R"({"data":{"sku":"B","quantity":3,"type":"not-a-header"},"type":"order.placed",)"
      R"("schemaVersion":1,"id":"n-1","tenant":"acme","trace":{"span":1},"note":null})");
  CHECK(ok.action == skew::action::ack);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].sku == "B");
  CHECK(seen[0].quantity == 3);
  CHECK(seen[0].version == 1);
  // Null attributes are absent; containers keep their raw text.
  CHECK(seen[0].attributes == std::vector<std::string>{"type=\"order.placed\"", "schemaVersion=1",
                                                       "id=\"n-1\"", "tenant=\"acme\"",
                                                       "trace={\"span\":1}"});

  auto bad = router.dispatch(R"({"type":"order.placed","schemaVersion":2,"data":{"sku":1}})");
  CHECK(bad.reason == skew::reason::invalid_payload);
  REQUIRE(bad.error);
  CHECK(bad.error->code == skew::errc::wrong_type);
  CHECK(bad.error->path == "/data/sku");

  // No data is an empty payload: required fields are missing, reported under /data.
  auto no_data = router.dispatch(R"({"type":"order.placed","schemaVersion":2})");
  CHECK(no_data.reason == skew::reason::invalid_payload);
  REQUIRE(no_data.error);
  CHECK(no_data.error->code == skew::errc::missing_field);
  CHECK(no_data.error->path == "/data/sku");

  auto two = router.dispatch(R"({"type":"order.placed","schemaVersion":2,"data":{},"data":{}})");
  CHECK(two.reason == skew::reason::invalid_envelope);
  CHECK(two.error->code == skew::errc::duplicate_key);

  auto trailing = router.dispatch(R"({"type":"order.placed","schemaVersion":2,"data":{}} {})");
  CHECK(trailing.reason == skew::reason::malformed);
  CHECK(trailing.error->code == skew::errc::trailing_content);

  auto broken_inside = router.dispatch(
      R"({"type":"order.placed","schemaVersion":2,"data":{"sku":"a","quantity":1,"x":[1,tru]}})");
  CHECK(broken_inside.reason == skew::reason::malformed);
}

TEST_CASE("nested with a custom data key") {
  skew::router<OrderPlaced> router;
  router.set_format(skew::envelope_format::nested("payload"));
  std::vector<seen_message> seen;
  record_into(router, seen);
  CHECK(router
            .dispatch(
                R"({"type":"order.placed","schemaVersion":1,"payload":{"sku":"C","quantity":0}})")
            .action == skew::action::ack);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].sku == "C");
}

TEST_CASE("cloudevents: attributes, version from the type suffix or the extension") {
  skew::router<OrderPlaced> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::vector<std::string> log;
  router.on<OrderPlaced>([&](const env_test::OrderV2& m, const skew::envelope_view& env) {
    log.push_back(fmt::format("{} v{} {} src={} subj={} time={} ct={} ext={}", m.sku, env.version,
                              env.type, env.source().value_or("-"), env.subject().value_or("-"),
                              env.time().value_or("-"), env.data_content_type().value_or("-"),
                              env.attribute("comexampleothervalue").value_or("-")));
  });
  const char* suffix =
      R"({"specversion":"1.0","type":"order.placed.v2","source":"/shop","id":"e1",)"
      R"("subject":null,"time":"2026-11-26T08:00:00Z","comexampleothervalue":5,)"
      R"("datacontenttype":"application/json","data":{"sku":"S","quantity":1}})";
  const char* extension =
      R"({"specversion":"1.0","type":"order.placed","schemaversion":2,"source":"/shop",)"
      R"("id":"e2","data":{"sku":"E","quantity":1}})";
  const char* string_extension =
      R"({"specversion":"1.0","type":"order.placed","schemaversion":"2","source":"/s",)"
      R"("id":"e3","data":{"sku":"T","quantity":1}})";
  const char* implicit = R"({"specversion":"1.0","type":"order.placed","source":"/s","id":"e4",)"
                         R"("data":{"sku":"I","quantity":1}})";
  for (const char* json : {suffix, extension, string_extension, implicit}) {
    CAPTURE(json);
    CHECK(router.dispatch(json).action == skew::action::ack);
  }
  REQUIRE(log.size() == 4);
  CHECK(log[0] ==
        "S v2 order.placed src=/shop subj=- time=2026-11-26T08:00:00Z ct=application/json ext=5");
  CHECK(log[1] == "E v2 order.placed src=/shop subj=- time=- ct=- ext=-");
  CHECK(log[2] == "T v2 order.placed src=/s subj=- time=- ct=- ext=-");
  CHECK(log[3] == "I v1 order.placed src=/s subj=- time=- ct=- ext=-");
}

TEST_CASE("cloudevents: required attributes are validated and binary data is reported") {
  skew::router<OrderPlaced> router;
  router.set_format(skew::envelope_format::cloudevents());
  router.on<OrderPlaced>([](const env_test::OrderV2&, const skew::envelope_view&) {});
  struct bad_case {
    const char* json;
    skew::reason reason;
    skew::errc code;
    const char* path;
  };
  const bad_case cases[] = {
      {R"({"type":"order.placed","source":"/s","id":"1"})", skew::reason::invalid_envelope,
       skew::errc::missing_field, "/specversion"},
      {R"({"specversion":"0.3","type":"order.placed","source":"/s","id":"1"})",
       skew::reason::invalid_envelope, skew::errc::unsupported_version, "/specversion"},
      {R"({"specversion":1.0,"type":"order.placed","source":"/s","id":"1"})",
       skew::reason::invalid_envelope, skew::errc::wrong_type, "/specversion"},
      {R"({"specversion":"1.0","type":"order.placed","id":"1"})", skew::reason::invalid_envelope,
       skew::errc::missing_field, "/source"},
      {R"({"specversion":"1.0","type":"order.placed","source":"","id":"1"})",
       skew::reason::invalid_envelope, skew::errc::missing_field, "/source"},
      {R"({"specversion":"1.0","type":"order.placed","source":"/s","id":null})",
       skew::reason::invalid_envelope, skew::errc::missing_field, "/id"},
      {R"({"specversion":"1.0","type":null,"source":"/s","id":"1"})",
       skew::reason::invalid_envelope, skew::errc::missing_field, "/type"},
      {R"({"specversion":"1.0","type":"order.placed.v2","schemaversion":1,"source":"/s","id":"1"})",
       skew::reason::invalid_envelope, skew::errc::conflicting_alias, "/schemaversion"},
      {R"({"specversion":"1.0","type":"order.placed","schemaversion":"2x","source":"/s","id":"1"})",
       skew::reason::invalid_envelope, skew::errc::wrong_type, "/schemaversion"},
      {R"({"specversion":"1.0","type":"order.placed","source":"/s","id":"1","data_base64":"AA=="})",
       skew::reason::invalid_payload, skew::errc::binary_data, "/data_base64"},
      {R"({"specversion":"1.0","type":"order.placed","source":"/s","id":"1","data":"text"})",
       skew::reason::invalid_payload, skew::errc::wrong_type, "/data"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    auto o = router.dispatch(c.json);
    CHECK(o.reason == c.reason);
    REQUIRE(o.error);
    CHECK(o.error->code == c.code);
    CHECK(o.error->path == c.path);
  }
  // A suffix that is not a version leaves the type alone: an unknown type, not a misread one.
  auto odd = router.dispatch(
      R"({"specversion":"1.0","type":"order.placed.v0","source":"/s","id":"1","data":{}})");
  CHECK(odd.reason == skew::reason::unknown_type);
  CHECK(odd.type == "order.placed.v0");
}

TEST_CASE("peek_header reads every layout") {
  auto nested = skew::peek_header(R"({"data":{"type":"inner"},"type":"outer","schemaVersion":3})",
                                  skew::envelope_format::nested());
  REQUIRE(nested);
  CHECK(nested->type == "outer");
  CHECK(nested->version == 3u);
  auto ce = skew::peek_header(
      R"({"specversion":"1.0","type":"a.b.v4","source":"/s","id":"x\u0031","data":{}})",
      skew::envelope_format::cloudevents());
  REQUIRE(ce);
  CHECK(ce->type == "a.b");
  CHECK(ce->version == 4u);
  CHECK(ce->id == "x1");
  auto flat_escaped = skew::peek_header(R"({"type":"\u0061","schemaVersion":1})");
  REQUIRE(flat_escaped);
  CHECK(flat_escaped->type == "a");
}

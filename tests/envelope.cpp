// Envelope layouts: flat header attributes and stamps, nested payloads, CloudEvents structured
// mode.
#include <skew/dispatch/router.hpp>
#include <skew/envelope/cache.hpp>
#include <skew/envelope/encode.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <optional>
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
                              (env.time() ? env.time()->text : std::string_view("-")),
                              env.data_content_type().value_or("-"),
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

namespace {
// The flat header read through the detail API, with or without the compact readers (the
// canonical one among them), and whether the canonical reader took the input.
struct flat_read {
  bool ok = false;
  skew::errc code{};
  std::string path;
  std::string type;
  std::string id;
  std::uint32_t version = 0;
  std::vector<std::string> attributes;
  bool payload_first = false;
  friend bool operator==(const flat_read&, const flat_read&) = default;
};

flat_read read_flat(std::string_view json, bool compact, const skew::envelope_format& format = {},
                    bool* canonical = nullptr) {
  using namespace skew::detail;
  static const skew::options opts;
  skew::decoder dec;
  const flat_keys keys(format);
  flat_read r;
  parsed_input& input = input_of(dec);
  REQUIRE_FALSE(input.parse(json));
  decode_context ctx = input.context(opts);
  if (canonical != nullptr) {
    canonical_header probe;
    *canonical = keys.canonical() && match_canonical_header(ctx.view(), keys, probe);
  }
  header_scratch scratch;
  header_fields h;
  // The header pass, then the rest of the header as for a message that is not decoded: the
  // accelerators hand over at other keys than the general step, and must lead to the same result.
  r.ok = read_header(ctx, format, scratch, h, keys,
                     compact ? header_fast_paths::all : header_fast_paths::none);
  r.payload_first = h.cursor.payload_first;
  if (r.ok) r.ok = read_rest_of_flat_header(ctx, keys, scratch, h);
  r.code = ctx.err.code;
  r.path = ctx.err.path;
  r.type = h.type;
  r.id = h.id;
  r.version = h.version;
  for (const auto& a : h.flat_attributes()) {
    r.attributes.push_back(
        fmt::format("{}={}|{}{}", a.name, a.json, a.text, a.is_string ? "s" : ""));
  }
  return r;
}
}  // namespace

TEST_CASE("flat: the header as skew writes it is read by literal compares, and agrees") {
  bool canonical = false;
  const std::string json =
      R"({"type":"order.placed","schemaVersion":12,"id":"o-1","sku":"A","quantity":2})";
  const flat_read fast = read_flat(json, true, {}, &canonical);
  CHECK(canonical);
  CHECK(fast == read_flat(json, false));
  CHECK(fast.ok);
  CHECK(fast.type == "order.placed");
  CHECK(fast.version == 12u);
  CHECK(fast.id == "o-1");
  CHECK(fast.attributes == std::vector<std::string>{"type=\"order.placed\"|order.placeds",
                                                    "schemaVersion=12|", "id=\"o-1\"|o-1s"});
  CHECK_FALSE(fast.payload_first);
  // The literal reader hands over at the key after the id, the general step after the version.
  using namespace skew::detail;
  skew::decoder dec;
  const flat_keys keys{skew::envelope_format{}};
  parsed_input& input = input_of(dec);
  REQUIRE_FALSE(input.parse(json));
  decode_context ctx = input.context(skew::options{});
  header_scratch scratch;
  for (const auto& [fast_paths, next] :
       {std::pair{header_fast_paths::all, 13u}, std::pair{header_fast_paths::none, 9u}}) {
    header_fields h;
    REQUIRE(read_header(ctx, skew::envelope_format{}, scratch, h, keys, fast_paths));
    CHECK(h.cursor.next == next);
    CHECK_FALSE(h.cursor.at_end);
  }
}

TEST_CASE("flat: stamps and copies after the written header reach the payload pass intact") {
  skew::router<OrderPlaced> router;
  std::vector<seen_message> seen;
  record_into(router, seen);
  const skew::outcome o =
      router.dispatch(R"({"type":"order.placed","schemaVersion":2,"id":"o-1","producedBy":"p@1",)"
                      R"("configRevision":"r9","sku":"A","quantity":2})");
  CHECK(o.reason == skew::reason::handled);
  CHECK(o.produced_by == "p@1");
  CHECK(o.config_revision == "r9");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].attributes == std::vector<std::string>{"type=\"order.placed\"", "schemaVersion=2",
                                                       "id=\"o-1\"", "producedBy=\"p@1\"",
                                                       "configRevision=\"r9\""});
  // A second type, version or id right after the written header is still a duplicate.
  for (const char* copy :
       {R"({"type":"order.placed","schemaVersion":2,"id":"o-1","type":"x",)"
        R"("sku":"A","quantity":2})",
        R"({"type":"order.placed","schemaVersion":2,"id":"o-1","schemaVersion":2,)"
        R"("sku":"A","quantity":2})",
        R"({"type":"order.placed","schemaVersion":2,"id":"o-1","id":"o-2",)"
        R"("sku":"A","quantity":2})"}) {
    const std::string shown = copy;
    CAPTURE(shown);
    const skew::outcome dup = router.dispatch(copy);
    CHECK(dup.reason == skew::reason::invalid_envelope);
    REQUIRE(dup.error.has_value());
    CHECK(dup.error->code == skew::errc::duplicate_key);
  }
  // Only the header and a stamp: an empty payload, whose required members are missing.
  const skew::outcome empty =
      router.dispatch(R"({"type":"order.placed","schemaVersion":2,"id":"o-1","producedBy":"p@1"})");
  CHECK(empty.reason == skew::reason::invalid_payload);
  REQUIRE(empty.error.has_value());
  CHECK(empty.error->code == skew::errc::missing_field);
  CHECK(empty.produced_by == "p@1");
  // peek_header of the same forms: the keys up to the first payload key are checked there too.
  auto peeked = skew::peek_header(
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1","producedBy":"p@1","sku":"A"})");
  REQUIRE(peeked);
  CHECK(peeked->type == "order.placed");
  CHECK(peeked->id == "o-1");
  auto second_type = skew::peek_header(
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1","type":"x","sku":"A"})");
  REQUIRE_FALSE(second_type);
  CHECK(second_type.error().code == skew::errc::duplicate_key);
  CHECK(second_type.error().path == "/type");
  auto bad_stamp = skew::peek_header(
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1","producedBy":"p"x,"sku":"A"})");
  REQUIRE_FALSE(bad_stamp);
  CHECK(bad_stamp.error().code == skew::errc::malformed_json);
  CHECK(seen.size() == 1);
}

TEST_CASE("flat: every near miss of the written header leaves the literal reader, read the same") {
  // Each input differs from the written form in one way. The canonical reader must decline it
  // (else it would have to be right about it), and the readers must agree on the result.
  const char* near_misses[] = {
      R"({"type": "order.placed","schemaVersion":2,"id":"o-1","sku":"A"})",
      R"({"type":"order.placed" ,"schemaVersion":2,"id":"o-1","sku":"A"})",
      R"({"type":"order\u002eplaced","schemaVersion":2,"id":"o-1","sku":"A"})",
      R"({"type":"order.placed","schemaVersion":2,"id":"o\u002d1","sku":"A"})",
      R"({"type":"order.placed","schemaVersion":02,"id":"o-1","sku":"A"})",
      R"({"type":"order.placed","schemaVersion":1234567890,"id":"o-1","sku":"A"})",
      R"({"type":"order.placed","schemaVersion":"2","id":"o-1","sku":"A"})",
      R"({"type":"order.placed","schemaVersion":2.5,"id":"o-1","sku":"A"})",
      R"({"type":"order.placed","schemaVersion":-2,"id":"o-1","sku":"A"})",
      R"({"type":"order.placed","schemaVersion":2,"id":null,"sku":"A"})",
      R"({"type":"order.placed","schemaVersion":2,"id":7,"sku":"A"})",
      R"({"type":"order.placed","schemaVersion":2,"sku":"A","id":"o-1"})",
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1"})",
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1" ,"sku":"A"})",
      R"({"type":"order.placed","id":"o-1","schemaVersion":2,"sku":"A"})",
      R"({"schemaVersion":2,"type":"order.placed","id":"o-1","sku":"A"})",
      R"({"typ":"order.placed","schemaVersion":2,"id":"o-1","sku":"A"})",
      R"({"type":"order.placed","schemaversion":2,"id":"o-1","sku":"A"})",
      R"({"type":"order.placed","schemaVersion":2,"ID":"o-1","sku":"A"})",
      R"( {"type":"order.placed","schemaVersion":2,"id":"o-1","sku":"A"})",
      R"({"type":"","schemaVersion":2,"id":"o-1","sku":"A"})",
      // Found by fuzz_dispatch: an empty type before bytes that are not JSON is malformed, and
      // so is a key without its colon after the written header.
      R"({"type":"","schemaVersion":222,"id":",p:",x)",
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1","sku" "A"})",
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1","sku""A"})",
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1",7:"A"})",
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1",77:"A"})",
  };
  for (const std::string json : near_misses) {
    CAPTURE(json);
    bool canonical = true;
    const flat_read fast = read_flat(json, true, {}, &canonical);
    CHECK_FALSE(canonical);
    CHECK(fast == read_flat(json, false));
  }
  // A written header whose type holds escapes that stage 1 cannot see: the literal reader
  // declines, the type is unescaped.
  const flat_read escaped = read_flat(R"({"type":"a\"b","schemaVersion":1,"id":"x","k":1})", true);
  CHECK(escaped.ok);
  CHECK(escaped.type == "a\"b");
}

TEST_CASE(
    "internal: flat: the literal reader follows custom key names, and steps aside for odd ones") {
  skew::envelope_format format;
  format.type_key = "kind";
  format.version_key = "v";
  format.id_key = "messageIdentifier";
  bool canonical = false;
  const std::string json = R"({"kind":"order.placed","v":3,"messageIdentifier":"m","sku":"A"})";
  const flat_read fast = read_flat(json, true, format, &canonical);
  CHECK(canonical);
  CHECK(fast == read_flat(json, false, format));
  CHECK(fast.type == "order.placed");
  CHECK(fast.version == 3u);
  CHECK(fast.id == "m");
  CHECK(fast.attributes[2] == "messageIdentifier=\"m\"|ms");
  // The default key names are not these names.
  CHECK_FALSE(
      read_flat(R"({"type":"order.placed","schemaVersion":3,"id":"m","sku":"A"})", true, format)
          .ok);

  // A key name too long for a 32-byte literal, and one JSON would have to escape: no literal
  // reader, the same results.
  skew::envelope_format long_key;
  long_key.version_key = "schemaVersionOfThisMessagePayload";
  const std::string long_json =
      R"({"type":"t","schemaVersionOfThisMessagePayload":4,"id":"i","sku":"A"})";
  CHECK_FALSE(skew::detail::flat_keys(long_key).canonical());
  const flat_read long_read = read_flat(long_json, true, long_key);
  CHECK(long_read == read_flat(long_json, false, long_key));
  CHECK(long_read.version == 4u);
  skew::envelope_format quoted;
  quoted.id_key = "i\"d";
  CHECK_FALSE(skew::detail::flat_keys(quoted).canonical());
  CHECK(skew::detail::flat_keys(skew::envelope_format{}).canonical());
}

TEST_CASE(
    "internal: header keys are found without branching on the key, as by the general lookup") {
  using skew::detail::flat_keys;
  const flat_keys keys{skew::envelope_format{}};
  REQUIRE(keys.branch_free);
  // Every length up to 70 (past the 63 bucket), the names themselves, and near misses of them.
  std::vector<std::string> probes = {"type",
                                     "schemaVersion",
                                     "id",
                                     "producedBy",
                                     "configRevision",
                                     "typo",
                                     "Type",
                                     "schemaVersioN",
                                     "schemaversion",
                                     "ix",
                                     "di",
                                     "producedBx",
                                     "configRevisioN",
                                     "type ",
                                     "",
                                     "d"};
  for (std::size_t n = 0; n <= 70; ++n) probes.push_back(std::string(n, 'y'));
  for (const std::string& probe : probes) {
    CAPTURE(probe);
    std::string padded = probe;
    padded.reserve(probe.size() + 64);  // the lookup reads 16 bytes from the start
    const std::string_view key(padded.data(), probe.size());
    CHECK(keys.find_without_branches(key) == keys.find(key));
  }
  CHECK(keys.find_without_branches(std::string("schemaVersion").append(16, ' ').substr(0, 13)) ==
        1);
  // Names that share a length, or are longer than two words, keep the general lookup only.
  skew::envelope_format shared;
  shared.type_key = "kind";
  shared.id_key = "uuid";
  CHECK_FALSE(flat_keys(shared).branch_free);
  skew::envelope_format long_name;
  long_name.config_revision_key = "configurationRevision";
  CHECK_FALSE(flat_keys(long_name).branch_free);
}

TEST_CASE("peek_header reads with each call's key names, whatever it kept from earlier calls") {
  const std::string json = R"({"kindOfTheMessage":"k","schemaVersion":2,"type":"other"})";
  {
    // Key names on the heap, freed after this scope: the lookup must not keep views of them.
    const std::string type_key = "kindOfTheMessage";
    skew::envelope_format custom;
    custom.type_key = type_key;
    auto first = skew::peek_header(json, custom);
    REQUIRE(first);
    CHECK(first->type == "k");
  }
  skew::envelope_format custom;
  custom.type_key = "kindOfTheMessage";
  auto again = skew::peek_header(json, custom);
  REQUIRE(again);
  CHECK(again->type == "k");
  // Back to the defaults, and to the custom names again: each call reads with its own names.
  auto plain = skew::peek_header(json);
  REQUIRE(plain);
  CHECK(plain->type == "other");
  auto custom_again = skew::peek_header(json, custom);
  REQUIRE(custom_again);
  CHECK(custom_again->type == "k");
}

TEST_CASE("cloudevents: more attributes than the frame holds inline spill to the heap intact") {
  skew::router<OrderPlaced> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::vector<seen_message> seen;
  record_into(router, seen);
  // 20 attributes (16 fit inline), and an extension name with an escape (kept as owned text).
  std::string json = R"({"specversion":"1.0","type":"order.placed.v2","source":"/s","id":"1",)";
  for (int k = 0; k < 15; ++k) json += fmt::format(R"("ext{}":"v{}",)", k, k);
  json += R"("\u0065xtx":"x","data":{"sku":"A","quantity":1}})";
  const skew::outcome o = router.dispatch(json);
  CHECK(o.reason == skew::reason::handled);
  REQUIRE(seen.size() == 1);
  REQUIRE(seen[0].attributes.size() == 20);
  CHECK(seen[0].attributes[0] == "specversion=\"1.0\"");
  CHECK(seen[0].attributes[4] == "ext0=\"v0\"");
  CHECK(seen[0].attributes[18] == "ext14=\"v14\"");
  CHECK(seen[0].attributes[19] == "extx=\"x\"");
}

TEST_CASE("flat with the version in a type suffix: the written header still routes by base type") {
  skew::envelope_format format;
  format.version_in_type_suffix = true;
  skew::router<OrderPlaced> router;
  router.set_format(format);
  std::vector<seen_message> seen;
  record_into(router, seen);
  // Written as skew writes a header, with a suffix: the type to route by is "order.placed".
  CHECK(router
            .dispatch(R"({"type":"order.placed.v2","schemaVersion":2,"id":"o-1","sku":"A",)"
                      R"("quantity":1})")
            .reason == skew::reason::handled);
  CHECK(router.dispatch(R"({"type":"order.placed.v1","id":"o-2","sku":"B","quantity":2})").reason ==
        skew::reason::handled);
  const skew::outcome conflict = router.dispatch(
      R"({"type":"order.placed.v1","schemaVersion":2,"id":"o-3","sku":"C","quantity":3})");
  CHECK(conflict.reason == skew::reason::invalid_envelope);
  REQUIRE(conflict.error.has_value());
  CHECK(conflict.error->code == skew::errc::conflicting_alias);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].version == 2u);
  CHECK(seen[0].id == "o-1");
  CHECK(seen[1].version == 1u);
  CHECK(seen[1].sku == "B");
}

TEST_CASE("nested: a header written as skew writes the flat one is still read as nested") {
  skew::router<OrderPlaced> router;
  router.set_format(skew::envelope_format::nested());
  std::vector<seen_message> seen;
  record_into(router, seen);
  const skew::outcome o = router.dispatch(
      R"({"type":"order.placed","schemaVersion":2,"id":"o-1","data":{"sku":"A","quantity":4}})");
  CHECK(o.reason == skew::reason::handled);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].sku == "A");
  CHECK(seen[0].quantity == 4);
  CHECK(seen[0].id == "o-1");
}

TEST_CASE("default_version: unversioned legacy messages are read as that version") {
  for (const skew::layout l : {skew::layout::flat, skew::layout::nested}) {
    CAPTURE(static_cast<int>(l));
    const bool flat = l == skew::layout::flat;
    const std::string legacy =
        flat ? R"({"type":"order.placed","id":"o-1","sku":"A","quantity":2})"
             : R"({"type":"order.placed","id":"o-1","data":{"sku":"A","quantity":2}})";
    skew::envelope_format format =
        flat ? skew::envelope_format::flat() : skew::envelope_format::nested();
    // Unset (the default): no version is an invalid envelope.
    skew::router<OrderPlaced> strict;
    strict.set_format(format);
    const skew::outcome rejected = strict.dispatch(legacy);
    CHECK(rejected.reason == skew::reason::invalid_envelope);
    REQUIRE(rejected.error.has_value());
    CHECK(rejected.error->code == skew::errc::missing_field);
    CHECK(rejected.error->path == "/schemaVersion");
    // Set: read as version 1 and upcast like any v1 message; a versioned message is unchanged.
    format.default_version = 1;
    skew::router<OrderPlaced> router;
    router.set_format(format);
    std::vector<seen_message> seen;
    record_into(router, seen);
    const skew::outcome o = router.dispatch(legacy);
    CHECK(o.reason == skew::reason::handled);
    CHECK(o.version == 1u);
    const std::string v2 =
        flat ? R"({"type":"order.placed","schemaVersion":2,"sku":"B","quantity":3})"
             : R"({"type":"order.placed","schemaVersion":2,"data":{"sku":"B","quantity":3}})";
    CHECK(router.dispatch(v2).version == 2u);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].sku == "A");
    CHECK(seen[0].version == 1u);
    CHECK(seen[1].version == 2u);
    auto peeked = skew::peek_header(legacy, format);
    REQUIRE(peeked);
    CHECK(peeked->version == 1u);
  }
}

namespace env_test {
// Payloads whose structs describe a header key of the default flat format: as a name, as an
// optional member's name, as a former name.
struct Labelled {
  std::string type;
  int count = 0;
};
SKEW_DESCRIBE(Labelled, type, count)
struct WithOwnId {
  std::optional<std::string> id;
  int count = 0;
};
SKEW_DESCRIBE(WithOwnId, id, count)
struct Stamped {
  std::string label;
  int count = 0;
};
}  // namespace env_test

template <>
struct skew::describe<env_test::Stamped> {
  static constexpr auto fields =
      skew::fields(skew::member<&env_test::Stamped::label>("label").alias("producedBy"),
                   skew::member<&env_test::Stamped::count>("count"));
};

using LabelledMsg = skew::message<"labelled", env_test::Labelled>;
using OwnIdMsg = skew::message<"own-id", env_test::WithOwnId>;
using StampedMsg = skew::message<"stamped", env_test::Stamped>;

TEST_CASE("flat: a payload member under a header key's name is reserved_key in any key order") {
  skew::router<LabelledMsg, OwnIdMsg, StampedMsg> router;
  int handled = 0;
  router.on<LabelledMsg>([&](const env_test::Labelled&) { ++handled; });
  router.on<OwnIdMsg>([&](const env_test::WithOwnId&) { ++handled; });
  router.on<StampedMsg>([&](const env_test::Stamped&) { ++handled; });
  struct rejected_case {
    const char* json;
    const char* path;
  };
  const rejected_case cases[] = {
      // The header first, the header after the payload keys, the type alone at the end.
      {R"({"type":"labelled","schemaVersion":1,"count":1})", "/type"},
      {R"({"count":1,"type":"labelled","schemaVersion":1})", "/type"},
      {R"({"schemaVersion":1,"count":1,"type":"labelled"})", "/type"},
      // An optional member: whether or not the message has an id, and wherever it is.
      {R"({"type":"own-id","schemaVersion":1,"count":1})", "/id"},
      {R"({"type":"own-id","schemaVersion":1,"id":"m-1","count":1})", "/id"},
      {R"({"count":1,"id":"m-1","type":"own-id","schemaVersion":1})", "/id"},
      // A former name.
      {R"({"type":"stamped","schemaVersion":1,"label":"a","count":1})", "/producedBy"},
      {R"({"label":"a","count":1,"producedBy":"svc@1","type":"stamped","schemaVersion":1})",
       "/producedBy"},
  };
  for (const rejected_case& c : cases) {
    CAPTURE(c.json);
    const skew::outcome o = router.dispatch(std::string(c.json));
    CHECK(o.reason == skew::reason::invalid_payload);
    REQUIRE(o.error.has_value());
    CHECK(o.error->code == skew::errc::reserved_key);
    CHECK(o.error->path == c.path);
  }
  CHECK(handled == 0);

  // The writer refuses the same structs, so it never writes a key twice.
  const auto written = skew::encode<LabelledMsg>(env_test::Labelled{"x", 1}, {.id = "m-2"});
  REQUIRE(!written);
  CHECK(written.error().code == skew::errc::reserved_key);
  CHECK(written.error().path == "/type");
  const auto stamped = skew::encode<StampedMsg>(env_test::Stamped{"a", 1});
  REQUIRE(!stamped);
  CHECK(stamped.error().path == "/producedBy");

  // A cached entry of such a struct is refused the same way.
  skew::decoder dec;
  const auto cached = dec.decode_cached<LabelledMsg>(
      std::string(R"({"type":"labelled","schemaVersion":1,"count":1})"));
  REQUIRE(!cached);
  CHECK(cached.error().code == skew::errc::reserved_key);
}

TEST_CASE("flat: a payload keeps a header key's name once the format names that key otherwise") {
  // Nested: the payload has its own object.
  const auto nested = skew::encode<LabelledMsg>(env_test::Labelled{"inner", 2}, {},
                                                skew::envelope_format::nested());
  REQUIRE(nested);
  skew::router<LabelledMsg, OwnIdMsg> nested_router;
  nested_router.set_format(skew::envelope_format::nested());
  std::string type_seen;
  nested_router.on<LabelledMsg>([&](const env_test::Labelled& m) { type_seen = m.type; });
  CHECK(nested_router.dispatch(*nested).reason == skew::reason::handled);
  CHECK(type_seen == "inner");

  // Flat, with the message id under another key: the payload's id and the envelope's are apart.
  skew::envelope_format format = skew::envelope_format::flat();
  format.id_key = "messageId";
  const auto flat =
      skew::encode<OwnIdMsg>(env_test::WithOwnId{"order-7", 3}, {.id = "m-9"}, format);
  REQUIRE(flat);
  CHECK(*flat ==
        R"({"type":"own-id","schemaVersion":1,"messageId":"m-9","id":"order-7","count":3})");
  skew::router<LabelledMsg, OwnIdMsg> router;
  router.set_format(format);
  std::string payload_id;
  std::string envelope_id;
  router.on<OwnIdMsg>([&](const env_test::WithOwnId& m, const skew::envelope_view& env) {
    payload_id = m.id.value_or("");
    envelope_id = std::string(env.id);
  });
  CHECK(router.dispatch(*flat).reason == skew::reason::handled);
  CHECK(payload_id == "order-7");
  CHECK(envelope_id == "m-9");

  // A format of other key names is checked against them the same way (at run time).
  format.type_key = "count";
  skew::router<OwnIdMsg> clashing;
  clashing.set_format(format);
  clashing.on<OwnIdMsg>([](const env_test::WithOwnId&) {});
  const skew::outcome c =
      clashing.dispatch(std::string(R"({"count":"own-id","schemaVersion":1,"messageId":"m"})"));
  CHECK(c.reason == skew::reason::invalid_payload);
  REQUIRE(c.error.has_value());
  CHECK(c.error->code == skew::errc::reserved_key);
  CHECK(c.error->path == "/count");
}

// Every file of ../shared/corpora/cloudevents through a CloudEvents router: the spec's examples
// are handled or reported with the right reason, and foreign envelopes are never misread.
#include <skew/dispatch/router.hpp>
#include <skew/envelope/encode.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "corpus.hpp"

namespace ce_test {
struct AppInfo {
  std::string appinfoA;
  long appinfoB = 0;
  bool appinfoC = false;
};
SKEW_DESCRIBE(AppInfo, appinfoA, appinfoB, appinfoC)
}  // namespace ce_test

using SomeEvent = skew::message<"com.example.someevent", ce_test::AppInfo>;
// The spec's pull-request examples carry XML text as data: a family whose payload is a string.
using PullRequestOpened = skew::message<"com.github.pull_request.opened", std::string>;

struct expectation {
  skew::reason reason;
  skew::errc code;  // ignored when handled
  const char* path;
};

TEST_CASE("every CloudEvents corpus file gets the outcome the spec implies") {
  const auto dir = skew_test::corpus_or_skip("cloudevents");
  const std::map<std::string, expectation> expected = {
      {"01_data_base64_thrift_binary.json",
       {skew::reason::invalid_payload, skew::errc::binary_data, "/data_base64"}},
      {"02_data_xml_string_unsetextension_null.json",
       {skew::reason::invalid_payload, skew::errc::wrong_type, "/data"}},
      {"03_data_json_object.json", {skew::reason::handled, {}, ""}},
      {"04_data_json_number.json",
       {skew::reason::invalid_payload, skew::errc::wrong_type, "/data"}},
      {"05_data_json_string_no_datacontenttype.json",
       {skew::reason::invalid_payload, skew::errc::wrong_type, "/data"}},
      {"06_data_base64_no_datacontenttype.json",
       {skew::reason::invalid_payload, skew::errc::binary_data, "/data_base64"}},
      // Batches (application/cloudevents-batch+json) are arrays, not one event.
      {"07_batch_two_events.json", {skew::reason::invalid_envelope, skew::errc::not_an_object, ""}},
      {"08_batch_empty.json", {skew::reason::invalid_envelope, skew::errc::not_an_object, ""}},
      {"09_spec_md_example_xml_data.json", {skew::reason::handled, {}, ""}},
      {"10_dataref_extension.json", {skew::reason::handled, {}, ""}},
      {"cloudevents.schema.json",
       {skew::reason::invalid_envelope, skew::errc::missing_field, "/specversion"}},
      // Other event systems' envelopes: reported, never taken for CloudEvents.
      {"adobe_io_events.json",
       {skew::reason::invalid_envelope, skew::errc::missing_field, "/specversion"}},
      {"aws_cloudwatch_events.json",
       {skew::reason::invalid_envelope, skew::errc::missing_field, "/specversion"}},
      {"openstack_audit_cadf.json",
       {skew::reason::invalid_envelope, skew::errc::missing_field, "/specversion"}},
      {"google_cloud_functions.json",
       {skew::reason::invalid_envelope, skew::errc::missing_field, "/specversion"}},
      {"ibm_openwhisk_web_action.json",
       {skew::reason::invalid_envelope, skew::errc::missing_field, "/specversion"}},
      {"microsoft_event_grid.json",
       {skew::reason::invalid_envelope, skew::errc::missing_field, "/specversion"}},
  };

  skew::router<SomeEvent, PullRequestOpened> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::map<std::string, std::string> handled;
  router.on<SomeEvent>([&](const ce_test::AppInfo& m, const skew::envelope_view& env) {
    handled[std::string(env.id)] =
        m.appinfoA + "/" + std::to_string(m.appinfoB) + "/" + (m.appinfoC ? "true" : "false") +
        " ext1=" + std::string(env.string_attribute("comexampleextension1").value_or("-")) +
        " subject=" + std::string(env.subject().value_or("absent"));
  });
  router.on<PullRequestOpened>([&](const std::string& xml, const skew::envelope_view& env) {
    handled[std::string(env.id) + "@" + std::string(env.source().value_or(""))] =
        xml + " ct=" + std::string(env.data_content_type().value_or("-")) +
        " dataref=" + std::string(env.string_attribute("dataref").value_or("-"));
  });

  std::size_t files = 0;
  for (const auto& path : skew_test::files_in(dir)) {
    const std::string name = path.filename().string();
    CAPTURE(name);
    auto it = expected.find(name);
    REQUIRE_MESSAGE(it != expected.end(), "a corpus file without an expectation");
    ++files;
    const auto o = router.dispatch(skew_test::read_file(path));
    CHECK(o.reason == it->second.reason);
    if (it->second.reason == skew::reason::handled) {
      CHECK(o.action == skew::action::ack);
      CHECK_FALSE(o.error);
    } else {
      REQUIRE(o.error);
      CHECK(o.error->code == it->second.code);
      CHECK(o.error->path == it->second.path);
      CHECK(o.action == skew::action::dead_letter);
    }
  }
  CHECK(files == expected.size());
  CHECK(handled["C234-1234-1234"] == "abc/123/true ext1=value subject=absent");
  CHECK(handled["A234-1234-1234@https://github.com/cloudevents/spec/pull"] ==
        R"(<much wow="xml"/> ct=text/xml dataref=-)");
  CHECK(handled["A234-1234-1234@https://github.com/cloudevents/spec/pull/123"] ==
        "<much wow=\"xml\"/> ct=text/xml "
        "dataref=https://github.com/cloudevents/spec/pull/123/events/A234-1234-1234.xml");
}

namespace {
// One event of SomeEvent with `attribute` (a `"name":value` pair) among its context attributes.
std::string event_with(const std::string& attribute) {
  return R"({"specversion":"1.0","id":"e-1","source":"/shop","type":"com.example.someevent",)" +
         attribute + R"(,"data":{"appinfoA":"a","appinfoB":1,"appinfoC":true}})";
}
}  // namespace

TEST_CASE("CloudEvents attribute types: each rule accepts the spec's values and rejects others") {
  skew::router<SomeEvent> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::optional<skew::envelope_time> seen_time;
  router.on<SomeEvent>(
      [&](const ce_test::AppInfo&, const skew::envelope_view& env) { seen_time = env.time(); });
  for (const char* good :
       {R"("time":"2026-12-02T10:42:38Z")", R"("time":"2026-12-02t11:42:38.5+01:00")",
        R"("datacontenttype":"application/json")",
        R"("datacontenttype":"application/cloudevents+json; charset=utf-8")",
        R"("dataschema":"https://example.com/schemas/order.json#v1")",
        R"("dataschema":"/schemas/order?v=1&x=%2F")", R"("subject":"order/42")",
        R"("comexampleext":"text")", R"("comexampleext":true)", R"("comexampleext":false)",
        R"("comexampleext":2147483647)", R"("comexampleext":-2147483648)",
        R"("comexampleext":0)"}) {
    const std::string attribute = good;
    CAPTURE(attribute);
    const skew::outcome o = router.dispatch(event_with(attribute));
    CHECK(o.reason == skew::reason::handled);
    CHECK_FALSE(o.error);
  }
  struct bad_case {
    const char* attribute;
    skew::errc code;
    const char* path;
  };
  for (const bad_case& b : {
           bad_case{R"("time":"2026-12-02 10:42:38Z")", skew::errc::invalid_value, "/time"},
           bad_case{R"("time":"2026-02-30T00:00:00Z")", skew::errc::invalid_value, "/time"},
           bad_case{R"("time":"yesterday")", skew::errc::invalid_value, "/time"},
           bad_case{R"("time":1764672158)", skew::errc::wrong_type, "/time"},
           bad_case{R"("time":"2300-01-01T00:00:00Z")", skew::errc::out_of_range, "/time"},
           bad_case{R"("datacontenttype":"json")", skew::errc::invalid_value, "/datacontenttype"},
           bad_case{R"("datacontenttype":"application/")", skew::errc::invalid_value,
                    "/datacontenttype"},
           bad_case{R"("datacontenttype":"text plain/x")", skew::errc::invalid_value,
                    "/datacontenttype"},
           bad_case{R"("datacontenttype":7)", skew::errc::wrong_type, "/datacontenttype"},
           bad_case{R"("dataschema":"")", skew::errc::invalid_value, "/dataschema"},
           bad_case{R"("dataschema":"has space")", skew::errc::invalid_value, "/dataschema"},
           bad_case{R"("dataschema":"bad%zzescape")", skew::errc::invalid_value, "/dataschema"},
           bad_case{R"("subject":5)", skew::errc::wrong_type, "/subject"},
           bad_case{R"("comexampleext":1.5)", skew::errc::wrong_type, "/comexampleext"},
           bad_case{R"("comexampleext":1e3)", skew::errc::wrong_type, "/comexampleext"},
           bad_case{R"("comexampleext":2147483648)", skew::errc::out_of_range, "/comexampleext"},
           bad_case{R"("comexampleext":-2147483649)", skew::errc::out_of_range, "/comexampleext"},
           bad_case{R"("comexampleext":{"a":1})", skew::errc::wrong_type, "/comexampleext"},
           bad_case{R"("comexampleext":[1])", skew::errc::wrong_type, "/comexampleext"},
       }) {
    const std::string attribute = b.attribute;
    CAPTURE(attribute);
    const skew::outcome o = router.dispatch(event_with(attribute));
    CHECK(o.reason == skew::reason::invalid_envelope);
    REQUIRE(o.error);
    CHECK(o.error->code == b.code);
    CHECK(o.error->path == b.path);
  }
  // A null attribute is absent, whatever its type rule.
  CHECK(router.dispatch(event_with(R"("time":null)")).reason == skew::reason::handled);
  // envelope_view::time(): the text and the instant, in UTC.
  seen_time.reset();
  REQUIRE(router.dispatch(event_with(R"("time":"2026-12-02T11:42:38.25+01:00")")).reason ==
          skew::reason::handled);
  REQUIRE(seen_time);
  CHECK(seen_time->text == "2026-12-02T11:42:38.25+01:00");
  using namespace std::chrono;
  CHECK(seen_time->value == sys_days{2026y / 12 / 2} + 10h + 42min + 38s + 250ms);
}

// Families whose payload may be absent: an event without data (or with data: null) is valid.
using MaybeInfo = skew::message<"com.example.maybe", std::optional<ce_test::AppInfo>>;
using FieldInfo = skew::message<"com.example.field", skew::field<ce_test::AppInfo>>;
using MaybeRaw = skew::message<"com.example.raw", std::optional<skew::raw_json>>;

TEST_CASE("CloudEvents: an event without data is valid; an optional payload is absent") {
  skew::router<MaybeInfo, FieldInfo, MaybeRaw, SomeEvent> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::vector<std::string> seen;
  router.on<MaybeInfo>([&](const std::optional<ce_test::AppInfo>& p) {
    seen.push_back(p ? "maybe:" + p->appinfoA : "maybe:absent");
  });
  router.on<FieldInfo>([&](const skew::field<ce_test::AppInfo>& p) {
    seen.push_back(p.has_value() ? "field:" + p->appinfoA
                                 : (p.is_null() ? "field:null" : "field:missing"));
  });
  router.on<MaybeRaw>([&](const std::optional<skew::raw_json>& p) {
    seen.push_back(p ? "raw:" + std::string(p->json()) : "raw:absent");
  });
  router.on<SomeEvent>([&](const ce_test::AppInfo&) { seen.push_back("some"); });
  auto event = [](const char* type, const char* data) {
    return std::string(R"({"specversion":"1.0","id":"e","source":"/s","type":")") + type + "\"" +
           data + "}";
  };
  const std::string data = R"(,"data":{"appinfoA":"a","appinfoB":1,"appinfoC":true})";
  for (const char* type : {"com.example.maybe", "com.example.field", "com.example.raw"}) {
    CAPTURE(type);
    CHECK(router.dispatch(event(type, "")).reason == skew::reason::handled);
    CHECK(router.dispatch(event(type, R"(,"data":null)")).reason == skew::reason::handled);
    CHECK(router.dispatch(event(type, data.c_str())).reason == skew::reason::handled);
  }
  CHECK(seen == std::vector<std::string>{"maybe:absent", "maybe:absent", "maybe:a", "field:missing",
                                         "field:missing", "field:a", "raw:absent", "raw:absent",
                                         R"(raw:{"appinfoA":"a","appinfoB":1,"appinfoC":true})"});
  // A required struct payload keeps missing_field, at /data/...
  for (const char* none : {"", R"(,"data":null)"}) {
    const skew::outcome o = router.dispatch(event("com.example.someevent", none));
    CHECK(o.reason == skew::reason::invalid_payload);
    REQUIRE(o.error);
    CHECK(o.error->code == skew::errc::missing_field);
    CHECK(o.error->path == "/data/appinfoA");
  }
}

TEST_CASE("CloudEvents writing: subject, time, datacontenttype, dataschema and extensions") {
  const ce_test::AppInfo info{"a", 1, true};
  const skew::extension_attribute extensions[] = {
      {"traceparent", std::string_view("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")},
      {"priority", std::int32_t{3}},
      {"sampled", true}};
  skew::envelope_fields fields;
  fields.id = "e-9";
  fields.source = "/shop";
  fields.subject = "order/42";
  fields.time = "2026-12-02T10:42:38.5Z";
  fields.data_content_type = "application/json; charset=utf-8";
  fields.data_schema = "https://example.com/schemas/appinfo.json";
  fields.extensions = extensions;
  const auto format = skew::envelope_format::cloudevents();
  auto json = skew::encode<SomeEvent>(info, fields, format);
  REQUIRE(json);
  CHECK(*json ==
        R"({"specversion":"1.0","id":"e-9","source":"/shop","type":"com.example.someevent",)"
        R"("schemaversion":1,"datacontenttype":"application/json; charset=utf-8",)"
        R"("dataschema":"https://example.com/schemas/appinfo.json","subject":"order/42",)"
        R"("time":"2026-12-02T10:42:38.5Z",)"
        R"("traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",)"
        R"("priority":3,"sampled":true,"data":{"appinfoA":"a","appinfoB":1,"appinfoC":true}})");
  // A consumer reads every attribute back.
  skew::router<SomeEvent> router;
  router.set_format(format);
  std::vector<std::string> seen;
  router.on<SomeEvent>([&](const ce_test::AppInfo&, const skew::envelope_view& env) {
    seen = {std::string(env.subject().value_or("")),
            std::string(env.time()->text),
            std::string(env.data_content_type().value_or("")),
            std::string(env.data_schema().value_or("")),
            std::string(env.attribute("priority").value_or("")),
            std::string(env.attribute("sampled").value_or(""))};
  });
  REQUIRE(router.dispatch(*json).reason == skew::reason::handled);
  CHECK(seen == std::vector<std::string>{"order/42", "2026-12-02T10:42:38.5Z",
                                         "application/json; charset=utf-8",
                                         "https://example.com/schemas/appinfo.json", "3", "true"});

  // Values the spec does not allow are refused, at the attribute's path; nothing is written.
  struct refusal {
    skew::envelope_fields fields;
    skew::errc code;
    const char* path;
  };
  const skew::extension_attribute upper[] = {{"Priority", std::int32_t{1}}};
  const skew::extension_attribute clash[] = {{"subject", std::string_view("x")}};
  const skew::extension_attribute twice[] = {{"a1", true}, {"a1", false}};
  skew::envelope_fields base;
  base.id = "e";
  base.source = "/s";
  auto with = [&](auto change) {
    skew::envelope_fields f = base;
    change(f);
    return f;
  };
  for (const refusal& r : {
           refusal{with([](auto& f) { f.time = "2026-12-02 10:42:38"; }), skew::errc::invalid_value,
                   "/time"},
           refusal{with([](auto& f) { f.data_content_type = "json"; }), skew::errc::invalid_value,
                   "/datacontenttype"},
           refusal{with([](auto& f) { f.data_schema = "not a uri"; }), skew::errc::invalid_value,
                   "/dataschema"},
           refusal{with([&](auto& f) { f.extensions = upper; }), skew::errc::invalid_value,
                   "/Priority"},
           refusal{with([&](auto& f) { f.extensions = clash; }), skew::errc::duplicate_key,
                   "/subject"},
           refusal{with([&](auto& f) { f.extensions = twice; }), skew::errc::duplicate_key, "/a1"},
       }) {
    CAPTURE(r.path);
    std::string out = "kept";
    auto status = skew::encode_to<SomeEvent>(out, info, r.fields, format);
    REQUIRE_FALSE(status);
    CHECK(status.error().code == r.code);
    CHECK(status.error().path == r.path);
    CHECK(out == "kept");
  }
  // The flat layout has no extension attributes.
  auto flat = skew::encode<SomeEvent>(info, with([&](auto& f) { f.extensions = extensions; }),
                                      skew::envelope_format::flat());
  REQUIRE_FALSE(flat);
  CHECK(flat.error().code == skew::errc::not_representable);
}

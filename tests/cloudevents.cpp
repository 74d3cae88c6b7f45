// Every file of ../shared/corpora/cloudevents through a CloudEvents router: the spec's examples
// are handled or reported with the right reason, and foreign envelopes are never misread.
#include <skew/router.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>

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

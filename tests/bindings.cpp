// The CloudEvents protocol bindings and type system to the letter, each test beside the sentence
// it follows: HTTP's quoted strings, control characters in Strings, Kafka's null headers and
// `subject`, the content type given twice, the record key as `partitionkey`, and what a binary
// message's outcome says when it cannot be read (binary_binding.hpp, router::dispatch(headers,
// payload, binding, key), encode.hpp).
#include <skew/dispatch/router.hpp>
#include <skew/envelope/binary_mode.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/model/raw_json.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bindings_test {
struct Mail {
  std::string to;
};
SKEW_DESCRIBE(Mail, to)
}  // namespace bindings_test

using Mail = skew::message<"send-email", bindings_test::Mail>;
using Note = skew::message<"note", std::string>;
using Count = skew::message<"count", std::int64_t>;
using Batch = skew::message<"batch", std::vector<int>>;
using Raw = skew::message<"raw", skew::raw_json>;
using Ping = skew::message<"ping", std::optional<bindings_test::Mail>>;

namespace {

struct seen_event {
  std::optional<std::string> to;
  std::optional<std::string> id;
  std::optional<std::string> subject;
  std::optional<std::string> content_type;
  std::optional<std::string> partition_key;
};

struct ce_router {
  skew::router<Mail> router;
  seen_event got;
  ce_router() {
    router.set_format(skew::envelope_format::cloudevents());
    router.on<Mail>([this](const bindings_test::Mail& m, const skew::envelope_view& env) {
      got = {};
      got.to = m.to;
      got.id = std::string(env.id);
      if (auto s = env.subject()) got.subject = std::string(*s);
      if (auto t = env.string_attribute("datacontenttype")) got.content_type = std::string(*t);
      if (auto k = env.string_attribute("partitionkey")) got.partition_key = std::string(*k);
    });
  }
};

std::vector<skew::message_header> kafka_headers() {
  return {{"ce_specversion", "1.0"},
          {"ce_type", "send-email"},
          {"ce_id", "m-1"},
          {"ce_source", "/mailer"}};
}

std::string structured(std::string_view extra) {
  return R"({"specversion":"1.0","type":"send-email","id":"m-1","source":"/mailer",)" +
         std::string(extra) + R"("data":{"to":"a"}})";
}

}  // namespace

TEST_CASE("http: quoted strings are unquoted, then percent-decoded") {
  // HTTP binding 3.1.3.2: "When decoding an HTTP message into a CloudEvent, any HTTP header value
  // MUST have quoted string escaping as described in RFC7230, section 3.2.6 applied in reverse,
  // and then a single round of percent-decoding MUST be performed".
  ce_router r;
  const std::vector<skew::message_header> headers = {{"ce-specversion", "1.0"},
                                                     {"ce-type", "send-email"},
                                                     {"ce-id", R"("id \"7\" %25")"},
                                                     {"ce-source", "/mailer"},
                                                     {"ce-subject", R"("Caf%C3%A9 \\ x")"}};
  const skew::outcome o = r.router.dispatch(headers, R"({"to":"a"})", skew::binary_binding::http());
  CHECK(o.reason == skew::reason::handled);
  CHECK(r.got.id == R"(id "7" %)");
  CHECK(r.got.subject == R"(Café \ x)");
  // Percent-decoding happens once, after unquoting: "%2541" is "%41", not "A".
  CHECK(skew::detail::percent_decoded(R"("%2541")") == "%41");
  CHECK(skew::detail::percent_decoded("a\\b") == "a\\b");  // a backslash outside quotes stays
}

TEST_CASE("a String holds no control characters, read or written") {
  // Core spec, Type System, String: "The following characters are disallowed: the 'control
  // characters' in the ranges U+0000-U+001F and U+007F-U+009F (both ranges inclusive)".
  skew::router<Mail> router;
  router.set_format(skew::envelope_format::cloudevents());
  router.on<Mail>([](const bindings_test::Mail&) {});
  struct bad_case {
    std::string extra;
    std::string path;
  };
  const bad_case bad[] = {{R"("subject":"a\u0001b",)", "/subject"},
                          {R"("subject":"tab\there",)", "/subject"},
                          {R"("ext":"del\u007f",)", "/ext"},
                          {"\"ext\":\"nel\xc2\x85\",", "/ext"},
                          {"\"ext\":\"c1\xc2\x9f\",", "/ext"}};
  for (const bad_case& c : bad) {
    CAPTURE(c.extra);
    const skew::outcome o = router.dispatch(structured(c.extra));
    CHECK(o.reason == skew::reason::invalid_envelope);
    REQUIRE(o.error);
    CHECK(o.error->code == skew::errc::invalid_value);
    CHECK(o.error->path == c.path);
  }
  // The neighbours of the ranges are allowed: U+0020, U+007E, U+00A0 (C2 A0), U+00E9.
  const skew::outcome fine = router.dispatch(structured("\"ext\":\" ~\xc2\xa0\xc3\xa9\","));
  CHECK(fine.reason == skew::reason::handled);
  // The context attributes are Strings too.
  const skew::outcome id = router.dispatch(
      R"({"specversion":"1.0","type":"send-email","id":"m\u001f","source":"/m","data":{"to":"a"}})");
  REQUIRE(id.error);
  CHECK(id.error->code == skew::errc::invalid_value);
  CHECK(id.error->path == "/id");

  // The writer refuses them.
  auto subject = skew::encode<Mail>(bindings_test::Mail{"a"},
                                    {.id = "1", .source = "/m", .subject = "line\nbreak"},
                                    skew::envelope_format::cloudevents());
  REQUIRE_FALSE(subject);
  CHECK(subject.error().code == skew::errc::invalid_value);
  CHECK(subject.error().path == "/subject");
  const skew::extension_attribute ext[] = {{"note", std::string_view("c1\xc2\x80")}};
  auto extension =
      skew::encode<Mail>(bindings_test::Mail{"a"}, {.id = "1", .source = "/m", .extensions = ext},
                         skew::envelope_format::cloudevents());
  REQUIRE_FALSE(extension);
  CHECK(extension.error().path == "/note");
  auto id_written = skew::encode<Mail>(bindings_test::Mail{"a"}, {.id = "1\x7f", .source = "/m"},
                                       skew::envelope_format::cloudevents());
  REQUIRE_FALSE(id_written);
  CHECK(id_written.error().path == "/id");
}

TEST_CASE("kafka: a header without a value is absent; a subject, when present, is not empty") {
  // Core spec, subject: "Constraints: OPTIONAL; If present, MUST be a non-empty string".
  ce_router r;
  auto headers = kafka_headers();
  headers.push_back({"ce_subject", {}, true});  // Kafka's null header value
  skew::outcome o = r.router.dispatch(headers, R"({"to":"a"})");
  CHECK(o.reason == skew::reason::handled);
  CHECK_FALSE(r.got.subject);

  headers.back() = {"ce_subject", ""};  // present, and empty
  o = r.router.dispatch(headers, R"({"to":"a"})");
  CHECK(o.reason == skew::reason::invalid_envelope);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::invalid_value);
  CHECK(o.error->path == "/subject");

  const skew::outcome empty = ce_router{}.router.dispatch(structured(R"("subject":"",)"));
  REQUIRE(empty.error);
  CHECK(empty.error->path == "/subject");

  // A null id is a missing id, not an empty one.
  headers = kafka_headers();
  headers[2] = {"ce_id", {}, true};
  o = r.router.dispatch(headers, R"({"to":"a"})");
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::missing_field);
  CHECK(o.error->path == "/id");
  // A null content type is no content type: the value is JSON, the default.
  headers = kafka_headers();
  headers.push_back({"content-type", {}, true});
  CHECK(skew::is_binary_mode(headers));
  CHECK(r.router.dispatch(headers, R"({"to":"b"})").reason == skew::reason::handled);
  CHECK(r.got.to == "b");
}

TEST_CASE("the content type is given once: content-type, never also a datacontenttype header") {
  // HTTP binding 3.1.1: "the HTTP Content-Type header value corresponds to (MUST be populated
  // from or written to) the CloudEvents datacontenttype attribute. Note that a
  // ce-datacontenttype HTTP header MUST NOT also be present in the message." Kafka binding 3.2.1:
  // "the header content-type property MUST be mapped directly to the CloudEvents datacontenttype
  // attribute." Two sources can disagree, so both present is an invalid envelope, equal or not.
  ce_router r;
  for (const std::string_view second : {"application/json", "text/plain"}) {
    auto headers = kafka_headers();
    headers.push_back({"content-type", "application/json"});
    headers.push_back({"ce_datacontenttype", second});
    const skew::outcome o = r.router.dispatch(headers, R"({"to":"a"})");
    CHECK(o.reason == skew::reason::invalid_envelope);
    REQUIRE(o.error);
    CHECK(o.error->code == skew::errc::duplicate_key);
    CHECK(o.error->path == "/datacontenttype");
    CHECK(o.id == "m-1");
  }
  const std::vector<skew::message_header> http = {{"ce-specversion", "1.0"},
                                                  {"ce-type", "send-email"},
                                                  {"ce-id", "h-1"},
                                                  {"ce-source", "/m"},
                                                  {"Content-Type", "text/json"},
                                                  {"CE-DataContentType", "text/json"}};
  const skew::outcome o = r.router.dispatch(http, R"({"to":"a"})", skew::binary_binding::http());
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::duplicate_key);

  // Alone, a datacontenttype header is read as the attribute it names.
  auto alone = kafka_headers();
  alone.push_back({"ce_datacontenttype", "application/json"});
  CHECK(r.router.dispatch(alone, R"({"to":"c"})").reason == skew::reason::handled);
  CHECK(r.got.content_type == "application/json");

  // The writer puts it in content-type only.
  auto e = skew::encode_binary<Mail>(bindings_test::Mail{"a"}, {.id = "1", .source = "/m"});
  REQUIRE(e);
  CHECK(e->header("content-type") == "application/json");
  CHECK_FALSE(e->header("ce_datacontenttype"));
}

TEST_CASE("kafka: the record key is read as partitionkey when the event has none") {
  // Kafka binding 3.1: "Every implementation SHOULD provide an opt-in 'Key Mapper'
  // implementation that maps the Partitioning partitionkey attribute value to the 'key' of the
  // Kafka message as-is, if present." Read back, the key is the event's partitionkey.
  ce_router r;
  auto headers = kafka_headers();
  CHECK(
      r.router.dispatch(headers, R"({"to":"a"})", skew::binary_binding::kafka(), "user-7").reason ==
      skew::reason::handled);
  CHECK(r.got.partition_key == "user-7");

  // An event that has one keeps it ("A mapping function MUST NOT modify the CloudEvent").
  headers.push_back({"ce_partitionkey", "from-event"});
  r.router.dispatch(headers, R"({"to":"a"})", skew::binary_binding::kafka(), "user-7");
  CHECK(r.got.partition_key == "from-event");

  // A key that is no String (a serialized number, invalid UTF-8) is not an attribute; the event
  // is still read.
  for (const std::string_view key : {std::string_view("\x00\x00\x00\x07", 4),
                                     std::string_view("\xff\xfe"), std::string_view("")}) {
    const skew::outcome o =
        r.router.dispatch(kafka_headers(), R"({"to":"a"})", skew::binary_binding::kafka(), key);
    CHECK(o.reason == skew::reason::handled);
    CHECK_FALSE(r.got.partition_key);
  }

  // Round trip: the writer offers partitionkey as the record key; read back, it is the same.
  const skew::extension_attribute ext[] = {{"partitionkey", std::string_view("user-9")}};
  auto e = skew::encode_binary<Mail>(bindings_test::Mail{"z"},
                                     {.id = "2", .source = "/m", .extensions = ext});
  REQUIRE(e);
  std::vector<skew::message_header> written;
  for (const auto& [name, value] : e->headers) {
    if (name != "ce_partitionkey") written.push_back({name, value});  // only the key carries it
  }
  r.router.dispatch(written, *e->data, skew::binary_binding::kafka(), e->partition_key());
  CHECK(r.got.partition_key == "user-9");
}

TEST_CASE("an unreadable binary message reports the id and the place of the fault in the value") {
  ce_router r;
  auto headers = kafka_headers();
  // Malformed JSON in the value: the id is the header's.
  skew::outcome o = r.router.dispatch(headers, R"({"to":tru})");
  CHECK(o.reason == skew::reason::malformed);
  CHECK(o.id == "m-1");
  // A value that is not one JSON value.
  o = r.router.dispatch(headers, R"({"to":"a"},"x":1)");
  CHECK(o.reason == skew::reason::malformed);
  CHECK(o.id == "m-1");
  REQUIRE(o.error);
  CHECK(o.error->path == "");
  CHECK(o.error->offset == 10);
  // The fault's path is a JSON Pointer into the value, its offset an offset in the value.
  o = r.router.dispatch(headers, R"({"to":5})");
  CHECK(o.reason == skew::reason::invalid_payload);
  CHECK(o.id == "m-1");
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::wrong_type);
  CHECK(o.error->path == "/to");
  CHECK(o.error->offset == 6);
  // A fault in an attribute keeps the attribute's path and has no offset: it is in a header.
  headers.push_back({"ce_time", "yesterday"});
  o = r.router.dispatch(headers, R"({"to":"a"})");
  REQUIRE(o.error);
  CHECK(o.error->path == "/time");
  CHECK_FALSE(o.error->offset);
  CHECK(o.id == "m-1");
}

TEST_CASE("binary writing: any payload a family can have, text as text, no data as no value") {
  // Kafka binding 3.2.2: "The data byte-sequence MUST be used as the value of the Kafka
  // message. In binary mode, the Kafka representation of a CloudEvent with no data is a Kafka
  // message with no value."
  const skew::envelope_fields text_fields{
      .id = "n-1", .source = "/n", .data_content_type = "text/plain"};
  auto note = skew::encode_binary<Note>(std::string("hi \"there\"\n"), text_fields);
  REQUIRE(note);
  CHECK(note->data == "hi \"there\"\n");  // the text, not a JSON string
  CHECK(note->header("content-type") == "text/plain");
  auto json_note = skew::encode_binary<Note>(std::string("hi"), {.id = "n-2", .source = "/n"});
  REQUIRE(json_note);
  CHECK(json_note->data == R"("hi")");  // application/json: the JSON text

  auto count = skew::encode_binary<Count>(std::int64_t{42}, {.id = "c", .source = "/n"});
  REQUIRE(count);
  CHECK(count->data == "42");
  auto batch = skew::encode_binary<Batch>(std::vector<int>{1, 2}, {.id = "b", .source = "/n"});
  REQUIRE(batch);
  CHECK(batch->data == "[1,2]");
  auto raw =
      skew::encode_binary<Raw>(skew::raw_json(R"({"any":[true]})"), {.id = "r", .source = "/n"});
  REQUIRE(raw);
  CHECK(raw->data == R"({"any":[true]})");

  auto none =
      skew::encode_binary<Ping>(std::optional<bindings_test::Mail>{}, {.id = "p", .source = "/n"});
  REQUIRE(none);
  CHECK_FALSE(none->data);  // a tombstone on Kafka
  auto some = skew::encode_binary<Ping>(
      std::optional<bindings_test::Mail>(bindings_test::Mail{"a"}), {.id = "p", .source = "/n"});
  REQUIRE(some);
  CHECK(some->data == R"({"to":"a"})");

  // Each reads back as it was written.
  skew::router<Note, Ping> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::optional<std::string> text;
  int pings = 0;
  bool ping_had_data = true;
  router.on<Note>([&](const std::string& t) { text = t; });
  router.on<Ping>([&](const std::optional<bindings_test::Mail>& m) {
    ++pings;
    ping_had_data = m.has_value();
  });
  std::vector<skew::message_header> headers;
  for (const auto& [name, value] : note->headers) headers.push_back({name, value});
  CHECK(router.dispatch(headers, *note->data).reason == skew::reason::handled);
  CHECK(text == "hi \"there\"\n");
  headers.clear();
  for (const auto& [name, value] : none->headers) headers.push_back({name, value});
  CHECK(router.dispatch(headers, "").reason == skew::reason::handled);
  CHECK(pings == 1);
  CHECK_FALSE(ping_had_data);

  // Structured mode writes the same values under data, and no data for the empty optional.
  auto structured_none =
      skew::encode<Ping>(std::optional<bindings_test::Mail>{}, {.id = "p", .source = "/n"},
                         skew::envelope_format::cloudevents());
  REQUIRE(structured_none);
  CHECK(structured_none->find("\"data\"") == std::string::npos);
  // The flat layout spreads a struct's members: a string has none.
  auto flat = skew::encode<Note>(std::string("x"), {}, skew::envelope_format::flat());
  REQUIRE_FALSE(flat);
  CHECK(flat.error().code == skew::errc::not_representable);
}

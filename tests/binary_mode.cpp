// CloudEvents binary content mode (binary_binding.hpp, binary_mode.hpp, router::dispatch(headers,
// payload), peek_header(headers)) against the protocol bindings' rules: Kafka's `ce_` headers and
// `content-type` for datacontenttype, the data as the value, and the same rules under the HTTP and
// AMQP names; the message read where it lies, with views that outlive the caller's headers.
#include <skew/dispatch/router.hpp>
#include <skew/envelope/binary_mode.hpp>
#include <skew/envelope/peek.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace binary_test {
struct MailV1 {
  std::string to;
};
SKEW_DESCRIBE(MailV1, to)
struct MailV2 {
  std::string to;
  std::string locale;
};
SKEW_DESCRIBE(MailV2, to, locale)
inline MailV2 upcast(MailV1&& v1) {
  return {std::move(v1.to), "en"};
}
}  // namespace binary_test

using Mail = skew::message<"send-email", binary_test::MailV1, binary_test::MailV2>;
using Note = skew::message<"note", std::string>;

namespace {

std::vector<skew::message_header> views(const skew::binary_event& e) {
  std::vector<skew::message_header> out;
  for (const auto& [name, value] : e.headers) out.push_back({name, value});
  return out;
}

struct received {
  std::optional<binary_test::MailV2> mail;
  std::optional<std::string> note;
  std::uint32_t version = 0;
  std::string id;
  std::optional<std::string> content_type;
  std::optional<std::string> subject;
};

struct ce_router {
  skew::router<Mail, Note> router;
  received got;
  ce_router() {
    router.set_format(skew::envelope_format::cloudevents());
    router.on<Mail>([this](const binary_test::MailV2& m, const skew::envelope_view& env) {
      got.mail = m;
      got.version = env.version;
      got.id = std::string(env.id);
      if (auto t = env.string_attribute("datacontenttype")) got.content_type = std::string(*t);
      if (auto s = env.subject()) got.subject = std::string(*s);
    });
    router.on<Note>(
        [this](const std::string& text, const skew::envelope_view&) { got.note = text; });
  }
};

}  // namespace

TEST_CASE("kafka: every attribute but data becomes a ce_ header, datacontenttype content-type") {
  auto e = skew::encode_binary<Mail>(binary_test::MailV2{"a@example.com", "de"},
                                     {.id = "m-1", .source = "/mailer", .subject = "welcome"});
  REQUIRE(e);
  CHECK(e->header("ce_specversion") == "1.0");
  CHECK(e->header("ce_id") == "m-1");
  CHECK(e->header("ce_source") == "/mailer");
  CHECK(e->header("ce_subject") == "welcome");
  CHECK(e->header("ce_type").value_or("").starts_with("send-email"));
  CHECK(e->header("content-type") == "application/json");
  CHECK_FALSE(e->header("ce_datacontenttype"));
  CHECK_FALSE(e->header("ce_data"));
  REQUIRE(e->data);
  CHECK(*e->data == R"({"to":"a@example.com","locale":"de"})");
  for (const auto& [name, value] : e->headers) {
    CHECK((name.starts_with("ce_") || name == "content-type"));
  }
}

TEST_CASE("kafka: a binary event reads back as the structured one, upcasts included") {
  ce_router r;
  auto v2 = skew::encode_binary<Mail>(binary_test::MailV2{"b@example.com", "fr"},
                                      {.id = "m-2", .source = "/mailer", .subject = "s"});
  REQUIRE(v2);
  const auto headers = views(*v2);
  skew::outcome o = r.router.dispatch(headers, *v2->data);
  CHECK(o.action == skew::action::ack);
  CHECK(o.reason == skew::reason::handled);
  REQUIRE(r.got.mail);
  CHECK(r.got.mail->locale == "fr");
  CHECK(r.got.version == 2);
  CHECK(r.got.id == "m-2");
  CHECK(r.got.content_type == "application/json");
  CHECK(r.got.subject == "s");

  auto v1 = skew::encode_binary<Mail>(binary_test::MailV1{"c@example.com"},
                                      {.id = "m-3", .source = "/mailer"});
  REQUIRE(v1);
  o = r.router.dispatch(views(*v1), *v1->data);
  CHECK(o.reason == skew::reason::handled);
  CHECK(r.got.mail->to == "c@example.com");
  CHECK(r.got.mail->locale == "en");
  CHECK(r.got.version == 1);
}

TEST_CASE("kafka: a header written by hand, in any order, reads like the encoder's") {
  ce_router r;
  const skew::message_header headers[] = {
      {"content-type", "application/json; charset=utf-8"},
      {"ce_type", "send-email"},
      {"ce_schemaversion", "2"},
      {"ce_source", "/x"},
      {"ce_id", "h-1"},
      {"ce_specversion", "1.0"},
      {"x-trace", "not an attribute"},
  };
  const skew::outcome o = r.router.dispatch(headers, R"({"to":"d","locale":"it"})");
  CHECK(o.reason == skew::reason::handled);
  CHECK(o.id == "h-1");
  REQUIRE(r.got.mail);
  CHECK(r.got.mail->locale == "it");
  CHECK(r.got.content_type == "application/json; charset=utf-8");
}

TEST_CASE("kafka: missing and broken attributes are invalid envelopes with the attribute's path") {
  ce_router r;
  const skew::message_header no_spec[] = {
      {"ce_type", "send-email"}, {"ce_id", "1"}, {"ce_source", "/x"}};
  skew::outcome o = r.router.dispatch(no_spec, R"({"to":"a","locale":"x"})");
  CHECK(o.reason == skew::reason::invalid_envelope);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::missing_field);
  CHECK(o.error->path == "/specversion");
  CHECK_FALSE(o.error->offset);

  const skew::message_header twice[] = {{"ce_specversion", "1.0"},
                                        {"ce_type", "send-email"},
                                        {"ce_id", "1"},
                                        {"ce_id", "2"},
                                        {"ce_source", "/x"}};
  o = r.router.dispatch(twice, R"({"to":"a","locale":"x"})");
  CHECK(o.reason == skew::reason::invalid_envelope);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::duplicate_key);

  const skew::message_header bad_time[] = {{"ce_specversion", "1.0"},
                                           {"ce_type", "send-email"},
                                           {"ce_id", "1"},
                                           {"ce_source", "/x"},
                                           {"ce_time", "yesterday"}};
  o = r.router.dispatch(bad_time, R"({"to":"a","locale":"x"})");
  CHECK(o.reason == skew::reason::invalid_envelope);
  REQUIRE(o.error);
  CHECK(o.error->path == "/time");
}

TEST_CASE("kafka: errors in the value point into the value") {
  ce_router r;
  const skew::message_header headers[] = {{"ce_specversion", "1.0"},
                                          {"ce_type", "send-email"},
                                          {"ce_schemaversion", "2"},
                                          {"ce_id", "1"},
                                          {"ce_source", "/x"}};
  skew::outcome o = r.router.dispatch(headers, R"({"to":"a","locale":tru})");
  CHECK(o.reason == skew::reason::malformed);
  REQUIRE(o.error);
  REQUIRE(o.error->offset);
  CHECK(*o.error->offset <= 21);  // the value is 23 bytes; simdjson names the token or before it

  o = r.router.dispatch(headers, R"({"locale":"x"})");
  CHECK(o.reason == skew::reason::invalid_payload);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::missing_field);
  CHECK(o.error->path == "/to");

  // A value that closes itself early cannot add attributes to the event.
  o = r.router.dispatch(headers, R"({"to":"a","locale":"x"},"subject":"injected")");
  CHECK(o.reason == skew::reason::malformed);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::trailing_content);
  CHECK(o.error->offset == 23);
  CHECK_FALSE(r.got.mail);
  // Brackets, commas and colons inside strings are data.
  o = r.router.dispatch(headers, R"({"to":"a},\"b:[","locale":"x"})");
  CHECK(o.reason == skew::reason::handled);
  REQUIRE(r.got.mail);
  CHECK(r.got.mail->to == R"(a},"b:[)");

  // No value: an event without data, read as an empty payload.
  o = r.router.dispatch(headers, "");
  CHECK(o.reason == skew::reason::invalid_payload);
  REQUIRE(o.error);
  CHECK(o.error->path == "/to");
}

TEST_CASE("kafka: the content type decides how the value is read") {
  ce_router r;
  std::vector<skew::message_header> headers = {{"ce_specversion", "1.0"},
                                               {"ce_type", "note"},
                                               {"ce_id", "1"},
                                               {"ce_source", "/x"},
                                               {"content-type", "text/plain"}};
  skew::outcome o = r.router.dispatch(headers, "plain \"text\"\n, with: {brackets}");
  CHECK(o.reason == skew::reason::handled);
  CHECK(r.got.note == "plain \"text\"\n, with: {brackets}");

  headers.back().value = "application/avro";
  o = r.router.dispatch(headers, "\x01\x02binary");
  CHECK(o.reason == skew::reason::invalid_payload);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::binary_data);
  CHECK(o.error->path == "");  // the value itself

  headers.back().value = "application/vnd.example+json";
  o = r.router.dispatch(headers, R"("json text")");
  CHECK(o.reason == skew::reason::handled);
  CHECK(r.got.note == "json text");
}

TEST_CASE("structured or binary: the content type's CloudEvents media type decides") {
  const skew::message_header structured[] = {
      {"content-type", "Application/CloudEvents+json; charset=UTF-8"}, {"ce_id", "1"}};
  CHECK_FALSE(skew::is_binary_mode(structured));
  const skew::message_header binary[] = {{"content-type", "application/json"},
                                         {"ce_specversion", "1.0"}};
  CHECK(skew::is_binary_mode(binary));
  const skew::message_header plain[] = {{"content-type", "application/json"}};
  CHECK_FALSE(skew::is_binary_mode(plain));
  CHECK_FALSE(skew::is_binary_mode({}));
}

TEST_CASE("key mapping: partitionkey is offered as the record key, and stays an attribute") {
  const skew::extension_attribute ext[] = {{"partitionkey", std::string_view("user-7")},
                                           {"priority", std::int32_t{5}}};
  auto e = skew::encode_binary<Mail>(binary_test::MailV1{"a"},
                                     {.id = "1", .source = "/x", .extensions = ext});
  REQUIRE(e);
  CHECK(e->partition_key() == "user-7");
  CHECK(e->header("ce_partitionkey") == "user-7");
  CHECK(e->header("ce_priority") == "5");  // header values are strings
  auto none = skew::encode_binary<Mail>(binary_test::MailV1{"a"}, {.id = "1", .source = "/x"});
  REQUIRE(none);
  CHECK_FALSE(none->partition_key());
}

TEST_CASE("http and amqp: the same mapping under their names") {
  auto e = skew::encode_binary<Mail>(binary_test::MailV2{"a", "de"},
                                     {.id = "id with space", .source = "/x"},
                                     skew::binary_binding::http());
  REQUIRE(e);
  CHECK(e->header("ce-id") == "id%20with%20space");
  CHECK(e->header("content-type") == "application/json");
  ce_router r;
  std::vector<skew::message_header> headers;
  for (const auto& [name, value] : e->headers) headers.push_back({name, value});
  headers.push_back({"CE-Subject", "Caf%C3%A9"});  // names are case-insensitive
  skew::outcome o = r.router.dispatch(headers, *e->data, skew::binary_binding::http());
  CHECK(o.reason == skew::reason::handled);
  CHECK(o.id == "id with space");
  CHECK(r.got.subject == "Café");

  auto amqp = skew::encode_binary<Mail>(binary_test::MailV2{"a", "de"}, {.id = "q", .source = "/x"},
                                        skew::binary_binding::amqp());
  REQUIRE(amqp);
  CHECK(amqp->header("cloudEvents_id") == "q");
  o = r.router.dispatch(views(*amqp), *amqp->data, skew::binary_binding::amqp());
  CHECK(o.reason == skew::reason::handled);
  // Kafka names are not AMQP's: without attributes there is no event.
  o = r.router.dispatch(views(*amqp), *amqp->data, skew::binary_binding::kafka());
  CHECK(o.reason == skew::reason::invalid_envelope);
}

TEST_CASE("kafka: read where it lies, the message's views outlive the caller's headers") {
  // The headers and the value are read in place (no structured event is made); the attribute
  // text the outcome and the handler see is the router's copy, as a structured dispatch's is.
  ce_router r;
  std::vector<std::string> text = {"ce_specversion", "1.0",    "ce_type",          "send-email",
                                   "ce_id",          "m-7",    "ce_source",        "/mailer",
                                   "ce_subject",     "user-3", "ce_schemaversion", "2"};
  std::vector<skew::message_header> headers;
  for (std::size_t i = 0; i < text.size(); i += 2) headers.push_back({text[i], text[i + 1]});
  std::string value = R"({"to":"a@example.com","locale":"de"})";
  const skew::outcome o = r.router.dispatch(headers, value);
  for (std::string& s : text) s.assign(s.size(), 'x');
  value.assign(value.size(), 'x');
  CHECK(o.action == skew::action::ack);
  CHECK(o.type == "send-email");
  CHECK(o.id == "m-7");
  CHECK(o.version == 2u);
  REQUIRE(r.got.mail);
  CHECK(r.got.mail->to == "a@example.com");
  CHECK(r.got.subject == "user-3");
}

TEST_CASE("kafka: a handler that dispatches a binary message keeps its own envelope_view") {
  skew::router<Mail, Note> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::string inner_id;
  router.on<Note>(
      [&](const std::string&, const skew::envelope_view& env) { inner_id = std::string(env.id); });
  std::string outer_id_after;
  std::optional<std::string> outer_subject_after;
  router.on<Mail>([&](const binary_test::MailV2&, const skew::envelope_view& env) {
    const skew::message_header note[] = {{"ce_specversion", "1.0"},
                                         {"ce_type", "note"},
                                         {"ce_id", "inner-id-that-is-longer"},
                                         {"ce_source", "/notes/somewhere/else"},
                                         {"content-type", "text/plain"}};
    CHECK(router.dispatch(note, "hello").action == skew::action::ack);
    outer_id_after = std::string(env.id);
    if (auto s = env.subject()) outer_subject_after = std::string(*s);
  });
  const skew::message_header mail[] = {{"ce_specversion", "1.0"},
                                       {"ce_type", "send-email"},
                                       {"ce_id", "outer"},
                                       {"ce_source", "/mailer"},
                                       {"ce_subject", "user-1"}};
  CHECK(router.dispatch(mail, R"({"to":"a","locale":"x"})").action == skew::action::ack);
  CHECK(inner_id == "inner-id-that-is-longer");
  CHECK(outer_id_after == "outer");
  CHECK(outer_subject_after == "user-1");
}

TEST_CASE("kafka: the content type given twice, a header naming the data, versions as digits") {
  ce_router r;
  auto with = [](std::vector<skew::message_header> extra) {
    std::vector<skew::message_header> h = {
        {"ce_specversion", "1.0"}, {"ce_type", "send-email"}, {"ce_id", "1"}, {"ce_source", "/x"}};
    h.insert(h.end(), extra.begin(), extra.end());
    return h;
  };
  const std::string_view value = R"({"to":"a","locale":"x"})";
  // Two content-type headers name one attribute twice.
  skew::outcome o = r.router.dispatch(
      with({{"content-type", "application/json"}, {"content-type", "text/plain"}}), value);
  CHECK(o.reason == skew::reason::invalid_envelope);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::duplicate_key);
  CHECK(o.error->path == "/datacontenttype");
  // The data is the value; a header cannot be it.
  o = r.router.dispatch(with({{"ce_data", "{}"}}), value);
  CHECK(o.reason == skew::reason::invalid_envelope);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::invalid_value);
  CHECK(o.error->path == "/data");
  // The version extension carries digits; anything else is no version.
  o = r.router.dispatch(with({{"ce_schemaversion", "1"}}), R"({"to":"b"})");
  CHECK(o.version == 1u);
  CHECK(r.got.mail->locale == "en");  // upcast from version 1
  o = r.router.dispatch(with({{"ce_schemaversion", "0"}}), value);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::out_of_range);
  CHECK(o.error->path == "/schemaversion");
  o = r.router.dispatch(with({{"ce_schemaversion", "2x"}}), value);
  REQUIRE(o.error);
  CHECK(o.error->code == skew::errc::wrong_type);
  // Text the JSON format would escape reads as it was sent, and its JSON form is escaped.
  o = r.router.dispatch(with({{"ce_subject", "a \"quoted\" \\ word"}}), value);
  CHECK(o.action == skew::action::ack);
  CHECK(r.got.subject == "a \"quoted\" \\ word");
}

TEST_CASE("peek_header: a binary message's type, version and id from its headers alone") {
  std::vector<std::string> text = {
      "ce_specversion", "1.0",     "ce_type",          "send-email", "ce_id", "p-1",
      "ce_source",      "/mailer", "ce_schemaversion", "2"};
  std::vector<skew::message_header> headers;
  for (std::size_t i = 0; i < text.size(); i += 2) headers.push_back({text[i], text[i + 1]});
  auto h = skew::peek_header(headers);
  for (std::string& s : text) s.assign(s.size(), 'x');
  REQUIRE(h);
  CHECK(h->type == "send-email");
  CHECK(h->version == 2u);
  CHECK(h->id == "p-1");
  // The same checks as dispatch: no source is no CloudEvent.
  const skew::message_header no_source[] = {
      {"ce_specversion", "1.0"}, {"ce_type", "send-email"}, {"ce_id", "p-1"}};
  auto bad = skew::peek_header(no_source);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == skew::errc::missing_field);
  CHECK(bad.error().path == "/source");
  // A router's flat format cannot read a binary message.
  auto flat = skew::peek_header(headers, skew::binary_binding::kafka(), skew::envelope_format{});
  REQUIRE_FALSE(flat);
  CHECK(flat.error().code == skew::errc::unsupported_content_mode);
}

// Dispatch through skew::router: upcasting, exact-version handlers, and every outcome.
#include <skew/dispatch/router.hpp>
#include <skew/envelope/encode.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace mail {
struct SendEmailV1 {
  std::string to;
};
SKEW_DESCRIBE(SendEmailV1, to)
struct SendEmailV2 {
  std::string to;
  std::string locale;
};
SKEW_DESCRIBE(SendEmailV2, to, locale)
SendEmailV2 upcast(SendEmailV1&& v) {
  return {std::move(v.to), "en"};
}

struct PaymentV1 {
  long amountCents = 0;
};
SKEW_DESCRIBE(PaymentV1, amountCents)

// Versions 3 and 7 were never released for this family.
struct RefundV2 {
  long cents = 0;
};
SKEW_DESCRIBE(RefundV2, cents)
struct RefundV4 {
  long cents = 0;
  std::string reason;
};
SKEW_DESCRIBE(RefundV4, cents, reason)
struct RefundV8 {
  long cents = 0;
  std::string reason;
  bool partial = false;
};
SKEW_DESCRIBE(RefundV8, cents, reason, partial)
RefundV4 upcast(RefundV2&& v) {
  return {v.cents, "unknown"};
}
RefundV8 upcast(RefundV4&& v) {
  return {v.cents, std::move(v.reason), false};
}
}  // namespace mail

using SendEmail = skew::message<"send-email", mail::SendEmailV1, mail::SendEmailV2>;
using Payment = skew::message<"payment", skew::version<2, mail::PaymentV1>>;
using Refund = skew::message<"refund", skew::version<2, mail::RefundV2>,
                             skew::version<4, mail::RefundV4>, skew::version<8, mail::RefundV8>>;

TEST_CASE("a v1 message reaches a latest-version handler upcast; header keys in any order") {
  skew::router<SendEmail, Payment> router;
  std::vector<std::string> seen;
  router.on<SendEmail>([&](const mail::SendEmailV2& m, const skew::envelope_view& env) {
    seen.push_back(fmt::format("{} {} v{} {}", m.to, m.locale, env.version, env.id));
  });
  auto v1 = router.dispatch(R"({"type":"send-email","schemaVersion":1,"id":"a","to":"x@y"})");
  auto v2_last = router.dispatch(
      R"({"to":"z@y","locale":"de","id":"b","schemaVersion":2,"type":"send-email"})");
  CHECK(v1.action == skew::action::ack);
  CHECK(v1.reason == skew::reason::handled);
  CHECK(v2_last.action == skew::action::ack);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == "x@y en v1 a");
  CHECK(seen[1] == "z@y de v2 b");
}

TEST_CASE("every (family, version) pair reaches its handler, version numbers with gaps too") {
  // Families in one router are found by a table: each pair must land on its own entry.
  skew::router<SendEmail, Refund, Payment> router;
  std::vector<std::string> seen;
  router.on<SendEmail>([&](const mail::SendEmailV2& m, const skew::envelope_view& env) {
    seen.push_back(fmt::format("email v{} {} {}", env.version, m.to, m.locale));
  });
  router.on<Refund>([&](const mail::RefundV8& m, const skew::envelope_view& env) {
    seen.push_back(fmt::format("refund v{} {} {} {}", env.version, m.cents, m.reason, m.partial));
  });
  router.on<Refund, 4>([&](const mail::RefundV4& m, const skew::envelope_view&) {
    seen.push_back(fmt::format("refund exactly v4 {} {}", m.cents, m.reason));
  });
  router.on<Payment>([&](const mail::PaymentV1& m, const skew::envelope_view& env) {
    seen.push_back(fmt::format("payment v{} {}", env.version, m.amountCents));
  });
  const char* handled[] = {
      R"({"type":"refund","schemaVersion":2,"cents":5})",
      R"({"type":"send-email","schemaVersion":1,"to":"a"})",
      R"({"type":"payment","schemaVersion":2,"amountCents":7})",
      R"({"type":"refund","schemaVersion":4,"cents":6,"reason":"late"})",
      R"({"type":"send-email","schemaVersion":2,"to":"b","locale":"fr"})",
      R"({"type":"refund","schemaVersion":8,"cents":9,"reason":"dup","partial":true})",
  };
  for (const char* json : handled) {
    const std::string shown = json;
    CAPTURE(shown);
    CHECK(router.dispatch(json).reason == skew::reason::handled);
  }
  CHECK(seen == std::vector<std::string>{"refund v2 5 unknown false", "email v1 a en",
                                         "payment v2 7", "refund exactly v4 6 late",
                                         "email v2 b fr", "refund v8 9 dup true"});
  struct rejected {
    const char* json;
    skew::reason reason;
  };
  for (const rejected& r : {
           rejected{R"({"type":"refund","schemaVersion":1,"cents":1})",
                    skew::reason::retired_version},
           rejected{R"({"type":"refund","schemaVersion":3,"cents":1})",
                    skew::reason::unsupported_version},
           rejected{R"({"type":"refund","schemaVersion":7,"cents":1})",
                    skew::reason::unsupported_version},
           rejected{R"({"type":"refund","schemaVersion":9,"cents":1})",
                    skew::reason::unsupported_version},
           rejected{R"({"type":"payment","schemaVersion":1,"amountCents":1})",
                    skew::reason::retired_version},
           rejected{R"({"type":"payment","schemaVersion":3,"amountCents":1})",
                    skew::reason::unsupported_version},
           rejected{R"({"type":"send-email","schemaVersion":3,"to":"c"})",
                    skew::reason::unsupported_version},
           rejected{R"({"type":"send-emai","schemaVersion":1,"to":"c"})",
                    skew::reason::unknown_type},
           rejected{R"({"type":"send-emaill","schemaVersion":1,"to":"c"})",
                    skew::reason::unknown_type},
       }) {
    const std::string shown = r.json;
    CAPTURE(shown);
    const skew::outcome o = router.dispatch(r.json);
    CHECK(o.reason == r.reason);
    // Too old is dead-lettered; too new or unknown waits for a newer build.
    CHECK(o.action == (r.reason == skew::reason::retired_version ? skew::action::dead_letter
                                                                 : skew::action::retry));
  }
  CHECK(seen.size() == 6);
}

// Type names that share a length, have one to themselves (compared 32 bytes at once), are exactly
// 32 bytes, longer, and in the 64-and-more length bucket.
using Alpha = skew::message<"alpha", mail::PaymentV1>;
using Omega = skew::message<"omega", mail::PaymentV1>;
using Short = skew::message<"send-money", mail::PaymentV1>;
using Long32 = skew::message<"com.example.billing.invoice-paid", mail::PaymentV1>;
using Long34 = skew::message<"com.example.billing.invoice-issued", mail::PaymentV1>;
using Long70 =
    skew::message<"com.example.billing.accounts-receivable.invoice-reminder-scheduled.v1x",
                  mail::PaymentV1>;

TEST_CASE("message types are told apart by length and bytes, however long or alike") {
  skew::router<Alpha, Omega, Short, Long32, Long34, Long70> router;
  std::vector<std::string> seen;
  auto record = [&seen](const mail::PaymentV1& m, const skew::envelope_view& env) {
    seen.push_back(fmt::format("{} {}", env.type, m.amountCents));
  };
  router.on<Alpha>(record);
  router.on<Omega>(record);
  router.on<Short>(record);
  router.on<Long32>(record);
  router.on<Long34>(record);
  router.on<Long70>(record);
  const std::vector<std::string> types = {
      "alpha",
      "omega",
      "send-money",
      "com.example.billing.invoice-paid",
      "com.example.billing.invoice-issued",
      "com.example.billing.accounts-receivable.invoice-reminder-scheduled.v1x"};
  std::vector<std::string> expected;
  long cents = 0;
  for (const std::string& type : types) {
    // The written header form and the general reader's form (escaped first letter).
    for (const bool escaped : {false, true}) {
      const std::string written =
          escaped ? fmt::format("\\u{:04x}{}", static_cast<int>(type[0]), type.substr(1)) : type;
      const std::string json =
          fmt::format(R"({{"type":"{}","schemaVersion":1,"amountCents":{}}})", written, ++cents);
      CAPTURE(json);
      CHECK(router.dispatch(json).reason == skew::reason::handled);
      expected.push_back(fmt::format("{} {}", type, cents));
    }
  }
  CHECK(seen == expected);
  // Near misses: one byte off at the start, in the second 16 bytes and at the end; a prefix;
  // one byte more.
  for (const std::string type :
       {"alphb", "omeg", "omegaa", "xend-money", "send-monez", "send-mone", "send-money!",
        "Com.example.billing.invoice-paid", "com.example.billinG.invoice-paid",
        "com.example.billing.invoice-paiD", "com.example.billing.invoice-issueD",
        "com.example.billing.invoice-issue",
        "com.example.billing.accounts-receivable.invoice-reminder-scheduled.v1y",
        "com.example.billing.accounts-receivable.invoice-reminder-scheduled.v1xx"}) {
    const std::string json =
        fmt::format(R"({{"type":"{}","schemaVersion":1,"amountCents":1}})", type);
    CAPTURE(json);
    const skew::outcome o = router.dispatch(json);
    CHECK(o.reason == skew::reason::unknown_type);
    CHECK(o.type == type);
  }
  CHECK(seen.size() == 12);
}

TEST_CASE(
    "internal: the type lookup table: one compare by length, every name checked where they share "
    "it") {
  constexpr skew::detail::name_index<4> names{std::array<std::string_view, 4>{
      "abc", "xyz", "abcd", std::string_view("0123456789abcdef0123456789abcdef0123")}};
  auto find = [&](std::string_view s) {
    std::string padded(s);
    padded.reserve(s.size() + 64);  // the lookup reads 32 bytes from the start
    return names.find(std::string_view(padded.data(), s.size()));
  };
  CHECK(find("abc") == 0);
  CHECK(find("xyz") == 1);
  CHECK(find("abcd") == 2);
  CHECK(find("0123456789abcdef0123456789abcdef0123") == 3);
  CHECK(find("0123456789abcdef0123456789abcdef0124") == names.none);
  CHECK(find("abx") == names.none);
  CHECK(find("ab") == names.none);
  CHECK(find("") == names.none);
  CHECK(find("abcde") == names.none);
  CHECK(find(std::string(200, 'a')) == names.none);
  CHECK(names.by_length[3] == names.several);
  CHECK(names.by_length[4] == 2);
}

TEST_CASE("exact-version handlers get their own struct and take precedence") {
  skew::router<SendEmail> router;
  int v1_calls = 0;
  int latest_calls = 0;
  router.on<SendEmail, 1>([&](const mail::SendEmailV1& m, const skew::envelope_view&) {
    CHECK(m.to == "x");
    ++v1_calls;
  });
  router.on<SendEmail>(
      [&](const mail::SendEmailV2&, const skew::envelope_view&) { ++latest_calls; });
  CHECK(router.dispatch(R"({"type":"send-email","schemaVersion":1,"to":"x"})").action ==
        skew::action::ack);
  CHECK(
      router.dispatch(R"({"type":"send-email","schemaVersion":2,"to":"x","locale":"fr"})").action ==
      skew::action::ack);
  CHECK(v1_calls == 1);
  CHECK(latest_calls == 1);
}

TEST_CASE("a handler that dispatches its own (type, version) again keeps the value it reads") {
  skew::router<SendEmail> router;
  std::vector<std::string> seen;  // what each handler call read, in the order the calls ended
  std::vector<std::string> outer_after;
  auto message = [](std::string_view to, int version) {
    return fmt::format(R"({{"type":"send-email","schemaVersion":{},"to":"{}","locale":"de"}})",
                       version, to);
  };
  router.on<SendEmail>([&](const mail::SendEmailV2& m, const skew::envelope_view&) {
    const std::string before = m.to;
    if (m.to == "outer") {
      // Two nested dispatches one after the other, the first of them nesting once more, and one
      // of an older version (decoded into its own slot, then upcast).
      CHECK(router.dispatch(message("inner-a", 2)).reason == skew::reason::handled);
      CHECK(router.dispatch(message("inner-b-a-longer-address-than-the-others", 2)).reason ==
            skew::reason::handled);
      CHECK(router.dispatch(message("inner-v1", 1)).reason == skew::reason::handled);
      outer_after.push_back(m.to);
    } else if (m.to == "inner-a") {
      CHECK(router.dispatch(message("innermost", 2)).reason == skew::reason::handled);
      outer_after.push_back(m.to);
    }
    CHECK(m.to == before);
    seen.push_back(m.to + "/" + m.locale);
  });
  CHECK(router.dispatch(message("outer", 2)).reason == skew::reason::handled);
  CHECK(seen == std::vector<std::string>{"innermost/de", "inner-a/de",
                                         "inner-b-a-longer-address-than-the-others/de",
                                         "inner-v1/en", "outer/de"});
  CHECK(outer_after == std::vector<std::string>{"inner-a", "outer"});
  // The slot is the thread's own again: the next message is decoded into it and read right.
  seen.clear();
  CHECK(router.dispatch(message("next", 2)).reason == skew::reason::handled);
  CHECK(router.dispatch(message("next-v1", 1)).reason == skew::reason::handled);
  CHECK(seen == std::vector<std::string>{"next/de", "next-v1/en"});
}

TEST_CASE("build N (v1 only) retries v2 instead of dropping it") {
  skew::router<SendEmail> build_n;
  build_n.on<SendEmail, 1>([](const mail::SendEmailV1&, const skew::envelope_view&) {});
  CHECK(build_n.can_handle("send-email", 1));
  CHECK_FALSE(build_n.can_handle("send-email", 2));
  CHECK_FALSE(build_n.can_handle("other", 1));
  auto o = build_n.dispatch(R"({"type":"send-email","schemaVersion":2,"to":"x","locale":"fr"})");
  CHECK(o.action == skew::action::retry);
  CHECK(o.reason == skew::reason::unsupported_version);
  CHECK(o.type == "send-email");
  CHECK(o.version == 2u);
  CHECK(o.retry_delay.count() > 0);
}

TEST_CASE("outcomes for messages that cannot be handled, with default policies") {
  skew::router<SendEmail, Payment> router;
  router.on<SendEmail>([](const mail::SendEmailV2&, const skew::envelope_view&) {});
  router.on<Payment>([](const mail::PaymentV1&, const skew::envelope_view&) {});

  auto unknown = router.dispatch(R"({"type":"refund","schemaVersion":1})");
  CHECK(unknown.reason == skew::reason::unknown_type);
  CHECK(unknown.action == skew::action::retry);
  CHECK(unknown.type == "refund");

  auto newer = router.dispatch(R"({"type":"send-email","schemaVersion":3,"to":"x"})");
  CHECK(newer.reason == skew::reason::unsupported_version);
  CHECK(newer.action == skew::action::retry);

  auto retired = router.dispatch(R"({"type":"payment","schemaVersion":1,"amountCents":5})");
  CHECK(retired.reason == skew::reason::retired_version);
  CHECK(retired.action == skew::action::dead_letter);

  auto malformed = router.dispatch(R"({"type":"send-email","schemaVersion":1,"to":)");
  CHECK(malformed.reason == skew::reason::malformed);
  CHECK(malformed.action == skew::action::dead_letter);
  REQUIRE(malformed.error.has_value());
  CHECK(malformed.error->code == skew::errc::malformed_json);

  auto not_utf8 = router.dispatch("{\"type\":\"send-email\",\"schemaVersion\":1,\"to\":\"b\xfe\"}");
  CHECK(not_utf8.reason == skew::reason::malformed);
  REQUIRE(not_utf8.error.has_value());
  CHECK(not_utf8.error->code == skew::errc::invalid_utf8);
  CHECK(not_utf8.error->path == "/to");
  CHECK(not_utf8.error->offset == 46);

  auto bad_payload = router.dispatch(R"({"type":"send-email","schemaVersion":2,"to":5})");
  CHECK(bad_payload.reason == skew::reason::invalid_payload);
  CHECK(bad_payload.action == skew::action::dead_letter);
  REQUIRE(bad_payload.error.has_value());
  CHECK(bad_payload.error->code == skew::errc::wrong_type);
  CHECK(bad_payload.error->path == "/to");

  for (const char* envelope :
       {R"({"schemaVersion":1,"to":"x"})", R"({"type":"send-email","to":"x"})",
        R"({"type":7,"schemaVersion":1})", R"({"type":"send-email","schemaVersion":"1"})",
        R"({"type":"send-email","schemaVersion":1.5})",
        R"({"type":"send-email","schemaVersion":0})", R"({"type":"send-email","schemaVersion":-1})",
        R"({"type":"send-email","schemaVersion":9223372036854775808})",
        R"({"type":"send-email","type":"payment","schemaVersion":2})", "[1]", "7"}) {
    CAPTURE(envelope);
    auto o = router.dispatch(envelope);
    CHECK(o.reason == skew::reason::invalid_envelope);
    CHECK(o.action == skew::action::dead_letter);
    CHECK(o.error.has_value());
  }
}

TEST_CASE("outcomes of messages that are not decoded still carry the id and producer") {
  skew::router<SendEmail> router;
  router.on<SendEmail, 1>([](const mail::SendEmailV1&, const skew::envelope_view&) {});
  // The id before, among and after the payload keys; type and version first or last.
  for (const char* message : {
           R"({"type":"refund","schemaVersion":1,"id":"r-1","amount":5,"producedBy":"b@7"})",
           R"({"type":"refund","schemaVersion":1,"amount":5,"id":"r-1","producedBy":"b@7"})",
           R"({"amount":5,"producedBy":"b@7","id":"r-1","type":"refund","schemaVersion":1})",
           R"({"type":"send-email","schemaVersion":2,"to":"x","producedBy":"b@7","id":"r-1"})",
           R"({"type":"send-email","to":"x","schemaVersion":2,"id":"r-1","producedBy":"b@7"})",
       }) {
    CAPTURE(message);
    const skew::outcome o = router.dispatch(message);
    CHECK(o.action == skew::action::retry);
    CHECK(
        (o.reason == skew::reason::unknown_type || o.reason == skew::reason::unsupported_version));
    CHECK(o.id == "r-1");
    CHECK(o.produced_by == "b@7");
  }
  // A bad header key is the envelope's fault wherever it sits, for any type.
  for (const char* message : {R"({"type":"refund","schemaVersion":1,"id":5,"amount":5})",
                              R"({"type":"refund","schemaVersion":1,"amount":5,"id":5})",
                              R"({"type":"send-email","schemaVersion":2,"to":"x","id":[1]})"}) {
    const std::string shown = message;
    CAPTURE(shown);
    const skew::outcome bad = router.dispatch(message);
    CHECK(bad.reason == skew::reason::invalid_envelope);
    CHECK(bad.action == skew::action::dead_letter);
    REQUIRE(bad.error.has_value());
    CHECK(bad.error->path == "/id");
  }
  // The search for the id ends at a problem among payload values; the outcome stays a retry.
  const skew::outcome o =
      router.dispatch(R"({"type":"refund","schemaVersion":1,"a":1 "id":"r-2"})");
  CHECK(o.reason == skew::reason::unknown_type);
  CHECK(o.action == skew::action::retry);
  CHECK(o.id.empty());
}

// Everything an outcome reports, with error offsets at or past `shifted_from` moved back by one
// (the space the message read from the start has there).
std::string outcome_text(const skew::outcome& o, std::size_t shifted_from = SIZE_MAX) {
  std::string text =
      fmt::format("{} {} {} v{} id={} by={}", static_cast<int>(o.reason),
                  static_cast<int>(o.action), o.type, o.version.value_or(0), o.id, o.produced_by);
  if (o.error) {
    std::size_t offset = o.error->offset.value_or(SIZE_MAX);
    if (offset != SIZE_MAX && offset >= shifted_from) --offset;
    text += fmt::format(" error {} at {} offset {}", static_cast<int>(o.error->code), o.error->path,
                        offset);
  }
  return text;
}

TEST_CASE("a header at the end routes from there; every outcome is the general step's") {
  skew::router<SendEmail, Payment> router;
  std::vector<std::string> seen;
  router.on<SendEmail>([&](const mail::SendEmailV2& m, const skew::envelope_view& env) {
    std::string attributes;
    for (const auto& a : env.attributes) attributes += fmt::format("{}={} ", a.name, a.json);
    seen.push_back(
        fmt::format("{} {} v{} {}| {}", m.to, m.locale, env.version, env.id, attributes));
  });
  const skew::detail::flat_keys keys{skew::envelope_format{}};
  // Header keys last, as a producer that spreads the payload first writes them; then messages
  // that fail in every way after being routed by that header.
  // Each with whether the header at its end routes it.
  const std::vector<std::pair<std::string, bool>> messages = {
      {R"({"to":"z@y","locale":"de","id":"b","schemaVersion":2,"type":"send-email"})", true},
      {R"({"to":"z@y","id":"b","locale":"de","producedBy":"n@1","schemaVersion":1,)"
       R"("type":"send-email"})",
       true},
      {R"({"to":"z@y","schemaVersion":2,"type":"send-email","id":"b","locale":"fr"})", false},
      {R"({"to":"z@y","schemaVersion":2,"type":"send-email","id":"b"})", true},
      {R"({"to":"z@y","x":[1,tru],"schemaVersion":2,"type":"send-email"})", true},
      {R"({"to":"z@y","x":[1,}],"schemaVersion":2,"type":"refund"})", true},
      {R"({"to":"z@y","x":[1,}],"schemaVersion":9,"type":"send-email"})", true},
      {R"({"to":"z@y","type":"payment","schemaVersion":2,"type":"send-email"})", false},
      {R"({"to":"z@y","locale":"de","id":"a","id":"b","schemaVersion":2,"type":"send-email"})",
       false},
      {R"({"to":"z@y","locale":"de","id":null,"schemaVersion":2,"type":"send-email"})", false},
      {R"({"to":"z@y","locale":"de","producedBy":7,"schemaVersion":2,"type":"send-email"})", false},
      {R"({"to":"z@y","locale":"de","configRevision":"r9","schemaVersion":2,"type":"send-email",)"
       R"("producedBy":"p@1","id":"d"})",
       true},
      {R"({"to":"z@y","id":[1],"schemaVersion":2,"type":"send-email"})", true},
      {R"({"to":5,"id":"c","schemaVersion":2,"type":"send-email"})", true},
      {R"({"id":"c","schemaVersion":2,"type":"refund"})", true},  // the compact reader's first
      {R"({"a":1,"id":"c","schemaVersion":2,"type":"refund"})", true},
      {R"({"a":1,"schemaVersion":3,"type":"send-email"})", true},
      {R"({"amountCents":1,"schemaVersion":1,"type":"payment"})", true},
      {R"({"to":"z@y","schemaVersion":2,"type":"send-email"} {"a":1})", false},
      {R"({"a":{"schemaVersion":2,"type":"send-email"}})", false},
  };
  for (const auto& [message, from_end] : messages) {
    CAPTURE(message);
    // The same message with a space before its last brace: the header at the end is then not in
    // the compact form, and the general step reads it from the start.
    std::string spaced = message;
    spaced.insert(spaced.size() - 1, " ");
    const std::size_t space_at = spaced.size() - 2;
    {
      skew::decoder dec;
      skew::detail::parsed_input& input = skew::detail::input_of(dec);
      skew::detail::header_fields h;
      REQUIRE_FALSE(input.parse(message));
      CHECK(skew::detail::match_trailing_header(input.view(), keys, h) == from_end);
      REQUIRE_FALSE(input.parse(spaced));
      CHECK_FALSE(skew::detail::match_trailing_header(input.view(), keys, h));
    }
    const std::size_t before = seen.size();
    const std::string read = outcome_text(router.dispatch(message));
    const std::string general = outcome_text(router.dispatch(spaced), space_at);
    CHECK(read == general);
    REQUIRE(seen.size() == before + (read.starts_with("0 ") ? 2 : 0));
    if (seen.size() == before + 2) CHECK(seen[before] == seen[before + 1]);
  }
  // A payload that is not a described struct is read whole, and meets no header key: such a
  // message is routed from its start.
  skew::router<skew::message<"raw", skew::raw_json>> raw_router;
  std::vector<std::string> raw_seen;
  raw_router.on<skew::message<"raw", skew::raw_json>>(
      [&](const skew::raw_json& r, const skew::envelope_view& env) {
        std::string attributes;
        for (const auto& a : env.attributes) attributes += fmt::format("{}={} ", a.name, a.json);
        raw_seen.push_back(fmt::format("{} {}| {}", r.json().size(), env.id, attributes));
      });
  CHECK(raw_router.dispatch(R"({"a":1,"id":"r","schemaVersion":1,"type":"raw"})").reason ==
        skew::reason::handled);
  CHECK(raw_router.dispatch(R"({"a":1,"id":"r","schemaVersion":1,"type":"raw" })").reason ==
        skew::reason::handled);
  REQUIRE(raw_seen.size() == 2);
  CHECK(raw_seen[0] == "47 r| id=\"r\" schemaVersion=1 type=\"raw\" ");
  CHECK(raw_seen[1] == "48 r| id=\"r\" schemaVersion=1 type=\"raw\" ");
  // Each handled message twice (as sent, and spaced), its attributes in the order it has them.
  REQUIRE(seen.size() == 12);
  CHECK(seen[0] == "z@y de v2 b| id=\"b\" schemaVersion=2 type=\"send-email\" ");
  CHECK(seen[2] == "z@y en v1 b| id=\"b\" producedBy=\"n@1\" schemaVersion=1 type=\"send-email\" ");
  CHECK(seen[4] == "z@y fr v2 b| schemaVersion=2 type=\"send-email\" id=\"b\" ");
  CHECK(seen[10] ==
        "z@y de v2 d| configRevision=\"r9\" schemaVersion=2 type=\"send-email\" "
        "producedBy=\"p@1\" id=\"d\" ");
}

TEST_CASE("policies are configurable per reason") {
  skew::router<SendEmail> router;
  router.set_policy(skew::reason::unknown_type, {skew::action::drop, {}});
  CHECK(router.dispatch(R"({"type":"x","schemaVersion":1})").action == skew::action::drop);
}

TEST_CASE("a handler's own outcome is returned; header keys are not unknown keys in strict mode") {
  skew::router<SendEmail> router;
  skew::options strict;
  strict.unknown_keys = skew::unknown_keys::reject;
  router.set_options(strict);
  router.on<SendEmail>([](const mail::SendEmailV2&, const skew::envelope_view&) {
    return skew::outcome::retry(std::chrono::milliseconds(250));
  });
  auto o =
      router.dispatch(R"({"type":"send-email","schemaVersion":2,"id":"i","to":"x","locale":"en"})");
  CHECK(o.action == skew::action::retry);
  CHECK(o.retry_delay == std::chrono::milliseconds(250));
  auto extra =
      router.dispatch(R"({"type":"send-email","schemaVersion":2,"to":"x","locale":"en","new":1})");
  CHECK(extra.reason == skew::reason::invalid_payload);
  CHECK(extra.error->code == skew::errc::unknown_key);
}

#if defined(__cpp_exceptions)
TEST_CASE("a throwing handler becomes handler_failed, not a crash") {
  skew::router<SendEmail> router;
  router.on<SendEmail>([](const mail::SendEmailV2&, const skew::envelope_view&) {
    throw std::runtime_error("smtp down");
  });
  auto o = router.dispatch(R"({"type":"send-email","schemaVersion":2,"to":"x","locale":"en"})");
  CHECK(o.reason == skew::reason::handler_failed);
  CHECK(o.action == skew::action::retry);
  // The reason survives: in the outcome and in its text.
  CHECK(o.handler_error == "smtp down");
  CHECK(fmt::format("{}", o).find("handler threw: smtp down") != std::string::npos);
  skew::router<SendEmail> odd;
  odd.on<SendEmail>([](const mail::SendEmailV2&) { throw 42; });
  auto o2 = odd.dispatch(R"({"type":"send-email","schemaVersion":2,"to":"x","locale":"en"})");
  CHECK(o2.reason == skew::reason::handler_failed);
  CHECK(o2.handler_error == "unknown exception");
  // A handler that returns normally leaves it empty.
  skew::router<SendEmail> fine;
  fine.on<SendEmail>([](const mail::SendEmailV2&) {});
  auto ok = fine.dispatch(R"({"type":"send-email","schemaVersion":2,"to":"x","locale":"en"})");
  CHECK(ok.handler_error.empty());
}
#endif

TEST_CASE("peek_header reads type, version and id only") {
  auto h = skew::peek_header(
      R"({"to":[1,2,{"deep":true}],"schemaVersion":4,"type":"send-email","id":"m-1"})");
  REQUIRE(h);
  CHECK(h->type == "send-email");
  CHECK(h->version == 4u);
  CHECK(h->id == "m-1");
  auto missing = skew::peek_header(R"({"type":"send-email"})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == skew::errc::missing_field);
  CHECK(missing.error().path == "/schemaVersion");
  skew::envelope_format custom;
  custom.type_key = "kind";
  custom.version_key = "v";
  auto c = skew::peek_header(R"({"kind":"k","v":2})", custom);
  REQUIRE(c);
  CHECK(c->type == "k");
}

TEST_CASE("handlers may leave out the envelope, and may return an outcome or nothing") {
  skew::router<SendEmail, Payment> router;
  std::vector<std::string> seen;
  router.on<SendEmail>([&](const mail::SendEmailV2& m) { seen.push_back(m.to + "/" + m.locale); });
  router.on<Payment, 2>([&](const mail::PaymentV1& p) {
    seen.push_back(std::to_string(p.amountCents));
    return skew::outcome::retry();
  });
  const skew::outcome mail =
      router.dispatch(R"({"type":"send-email","schemaVersion":1,"to":"a@x"})");
  CHECK(mail.action == skew::action::ack);
  const skew::outcome pay =
      router.dispatch(R"({"type":"payment","schemaVersion":2,"amountCents":7})");
  CHECK(pay.action == skew::action::retry);
  CHECK(seen == std::vector<std::string>{"a@x/en", "7"});
  static_assert(skew::handler_for<void (*)(const mail::SendEmailV2&), mail::SendEmailV2>);
  static_assert(
      skew::handler_for<skew::outcome (*)(const mail::SendEmailV2&, const skew::envelope_view&),
                        mail::SendEmailV2>);
  static_assert(!skew::handler_for<void (*)(int), mail::SendEmailV2>);
  static_assert(!skew::handler_for<int (*)(const mail::SendEmailV2&), mail::SendEmailV2>);
}

TEST_CASE("dispatch of a padded message reads it in place; an under-padded view is copied") {
  skew::router<SendEmail> router;
  int calls = 0;
  router.on<SendEmail>([&calls](const mail::SendEmailV2&) { ++calls; });
  const std::string text =
      R"({"type":"send-email","schemaVersion":2,"id":"m-1","to":"x","locale":"en"})";
  auto within = [](std::string_view view, const char* begin, std::size_t size) {
    return view.data() >= begin && view.data() + view.size() <= begin + size;
  };
  // A padded_string: the outcome's id views the caller's buffer, so nothing was copied.
  const simdjson::padded_string padded(text);
  const skew::outcome in_place = router.dispatch(padded);
  CHECK(in_place.reason == skew::reason::handled);
  CHECK(in_place.id == "m-1");
  CHECK(within(in_place.id, padded.data(), padded.size()));
  // The same through a padded_string_view, and with a caller-owned decoder.
  skew::decoder dec;
  const skew::outcome with_decoder =
      router.dispatch(dec, static_cast<simdjson::padded_string_view>(padded));
  CHECK(within(with_decoder.id, padded.data(), padded.size()));
  // A view over a std::string without spare capacity has too little padding: copied, so the id
  // views the decoder's buffer and nothing is read past the string (ASan would report it).
  std::string tight = text;
  tight.shrink_to_fit();
  const skew::outcome copied =
      router.dispatch(simdjson::padded_string_view(tight.data(), tight.size(), tight.capacity()));
  CHECK(copied.reason == skew::reason::handled);
  CHECK(copied.id == "m-1");
  CHECK_FALSE(within(copied.id, tight.data(), tight.size()));
  // A plain string still goes through the string_view overload (no ambiguity).
  CHECK(router.dispatch(text).reason == skew::reason::handled);
  CHECK(calls == 4);
}

namespace renamed {
struct Placed {
  std::string sku;
};
SKEW_DESCRIBE(Placed, sku)
}  // namespace renamed
using OrderPlaced =
    skew::message<"order-placed", renamed::Placed>::former<"order-created", "new-order">;
static_assert(skew::message_family<OrderPlaced>);

TEST_CASE("renamed message types: former names dispatch to the family and are counted") {
  skew::router<OrderPlaced, SendEmail> router;
  std::vector<std::string> seen;
  router.on<OrderPlaced>([&](const renamed::Placed& p, const skew::envelope_view& env) {
    seen.push_back(std::string(env.type) + ":" + p.sku);
  });
  const skew::outcome current =
      router.dispatch(R"({"type":"order-placed","schemaVersion":1,"sku":"a"})");
  CHECK(current.reason == skew::reason::handled);
  const skew::outcome old =
      router.dispatch(R"({"type":"order-created","schemaVersion":1,"sku":"b"})");
  CHECK(old.reason == skew::reason::handled);
  CHECK(old.type == "order-placed");  // the family's current name
  CHECK(router.dispatch(R"({"type":"new-order","schemaVersion":1,"sku":"c"})").reason ==
        skew::reason::handled);
  CHECK(router.dispatch(R"({"type":"new-order","schemaVersion":1,"sku":"d"})").reason ==
        skew::reason::handled);
  CHECK(seen == std::vector<std::string>{"order-placed:a", "order-placed:b", "order-placed:c",
                                         "order-placed:d"});
  // Counted per former name, so operators see when each can be retired.
  const auto stats = router.stats();
  CHECK(stats.alias_read_count("order-placed", "order-created") == 1);
  CHECK(stats.alias_read_count("order-placed", "new-order") == 2);
  CHECK(stats.find("order-placed", 1)->count(skew::reason::handled) == 4);
  CHECK(router.can_handle("order-created", 1));
  CHECK(router.can_handle("order-placed", 1));
  CHECK_FALSE(router.can_handle("order-created", 2));
  CHECK_FALSE(router.can_handle("order-cancelled", 1));
  // Still an unknown type: a name the family never had.
  CHECK(router.dispatch(R"({"type":"order-creatd","schemaVersion":1,"sku":"e"})").reason ==
        skew::reason::unknown_type);
  // Producers write the current name.
  auto written = skew::encode<OrderPlaced>(renamed::Placed{"z"});
  REQUIRE(written);
  CHECK(written->find(R"("type":"order-placed")") != std::string::npos);
}

namespace {
// Runs `misuse` in a child process and returns what it wrote to stderr, after checking that it
// was stopped by abort().
template <class Misuse>
std::string stderr_of_aborted_child(Misuse misuse) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGABRT, SIG_DFL);  // the test framework's crash handler stays in the parent
    dup2(fds[1], 2);
    close(fds[0]);
    misuse();
    _exit(0);  // not reached when the misuse is caught
  }
  close(fds[1]);
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGABRT);
  return text;
}
}  // namespace

TEST_CASE("configuring a router after it began dispatching is a contract violation") {
  const std::string message = R"({"type":"send-email","schemaVersion":2,"to":"a","locale":"x"})";
  // Before the first dispatch, any order of configuration calls is fine.
  {
    skew::router<SendEmail, Payment> router;
    router.set_options({});
    router.on<SendEmail>([](const mail::SendEmailV2&) {});
    router.set_policy(skew::reason::unknown_type, skew::policy{skew::action::drop});
    router.set_format(skew::envelope_format::flat());
    CHECK(router.dispatch(message).action == skew::action::ack);
    // Other routers are not affected.
    skew::router<SendEmail, Payment> other;
    other.on<SendEmail>([](const mail::SendEmailV2&) {});
    CHECK(other.dispatch(message).action == skew::action::ack);
  }
  const auto started = [&] {
    auto router = std::make_unique<skew::router<SendEmail, Payment>>();
    (void)router->dispatch(message);
    return router;
  };
  CHECK(stderr_of_aborted_child([&] {
          started()->on<SendEmail>([](const mail::SendEmailV2&) {});
        }).find("contract violation: router::on after the router began dispatching") !=
        std::string::npos);
  CHECK(stderr_of_aborted_child([&] {
          started()->on<SendEmail, 1>([](const mail::SendEmailV1&) {});
        }).find("router::on after") != std::string::npos);
  CHECK(stderr_of_aborted_child([&] {
          started()->set_policy(skew::reason::unknown_type, skew::policy{skew::action::drop});
        }).find("router::set_policy after") != std::string::npos);
  CHECK(stderr_of_aborted_child([&] {
          started()->set_format(skew::envelope_format::nested());
        }).find("router::set_format after") != std::string::npos);
  CHECK(stderr_of_aborted_child([&] {
          started()->set_options({});
        }).find("router::set_options after") != std::string::npos);
}

TEST_CASE("a binary-mode message on a router without a CloudEvents format is an outcome") {
  // The headers are input: whoever produced the message chose them. A consumer must not stop.
  const skew::message_header headers[] = {
      {"ce_specversion", "1.0"}, {"ce_id", "e-1"}, {"ce_type", "send-email"}};
  skew::router<SendEmail, Payment> router;  // flat, the default
  int handled = 0;
  router.on<SendEmail>([&](const mail::SendEmailV2&) { ++handled; });
  const skew::outcome o = router.dispatch(headers, R"({"to":"a"})");
  CHECK(o.action == skew::action::dead_letter);
  CHECK(o.reason == skew::reason::invalid_envelope);
  REQUIRE(o.error.has_value());
  CHECK(o.error->code == skew::errc::unsupported_content_mode);
  CHECK(handled == 0);
  CHECK(router.stats().total(skew::reason::invalid_envelope) == 1);
  // The router's policy decides, as for any other reason.
  skew::router<SendEmail, Payment> patient;
  patient.set_policy(skew::reason::invalid_envelope, {skew::action::retry});
  CHECK(patient.dispatch(headers, "{}").action == skew::action::retry);
}

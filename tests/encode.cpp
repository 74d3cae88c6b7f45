// Encoding: JSON correctness, the three field states, unknown-field round trips, dual writes,
// envelopes in every layout, and a generated round-trip property.
#include <skew/dispatch/router.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/payload/decoder.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace enc {
enum class Channel { email, sms };
SKEW_ENUM(Channel, email, sms)

struct Line {
  std::string sku;
  int quantity = 0;
  friend bool operator==(const Line&, const Line&) = default;
};
SKEW_DESCRIBE(Line, sku, quantity)

struct Everything {
  bool flag = false;
  std::int64_t big = 0;
  std::uint64_t ubig = 0;
  double ratio = 0;
  float small = 0;
  std::string text;
  skew::field<std::string> maybe;
  std::optional<int> opt;
  std::vector<Line> lines;
  std::map<std::string, int> counts;
  Channel channel = Channel::email;
  skew::open_enum<Channel> open;
  friend bool operator==(const Everything&, const Everything&) = default;
};
SKEW_DESCRIBE(Everything, flag, big, ubig, ratio, small, text, maybe, opt, lines, counts, channel,
              open)

struct Tolerant {
  std::string to;
  skew::unknown_fields unknown;
};
SKEW_DESCRIBE(Tolerant, to, unknown)

struct Payment {
  long amount_minor = 0;
  std::string currency;
};
}  // namespace enc

template <>
struct skew::describe<enc::Payment> {
  static constexpr auto fields = skew::fields(
      skew::member<&enc::Payment::amount_minor>("amount_minor").alias("amountCents").dual_write(),
      skew::member<&enc::Payment::currency>("currency"));
};

namespace {
template <class T>
T decode_ok(skew::decoder& d, std::string_view json) {
  auto r = d.decode<T>(json);
  REQUIRE_MESSAGE(r.has_value(),
                  fmt::format("{} for {}", r ? "" : fmt::format("{}", r.error()), json));
  return *std::move(r);
}
}  // namespace

TEST_CASE("encode writes every type, members in declaration order") {
  enc::Everything e;
  e.flag = true;
  e.big = std::numeric_limits<std::int64_t>::min();
  e.ubig = std::numeric_limits<std::uint64_t>::max();
  e.ratio = 0.1;
  e.small = 1.5f;
  e.text = "a\"b\\c\n\x01\xc3\xa9";
  e.maybe.set_null();
  e.lines = {{"A", 1}, {"B/2", 2}};
  e.counts = {{"x", 1}};
  e.channel = enc::Channel::sms;
  e.open = skew::open_enum<enc::Channel>::unknown("push");
  auto json = skew::encode(e);
  REQUIRE(json);
  CHECK(*json ==
        R"({"flag":true,"big":-9223372036854775808,"ubig":18446744073709551615,"ratio":0.1,)"
        R"("small":1.5,"text":"a\"b\\c\n\u0001é","maybe":null,"lines":[{"sku":"A","quantity":1},)"
        R"({"sku":"B/2","quantity":2}],"counts":{"x":1},"channel":"sms","open":"push"})");
  skew::decoder d;
  CHECK(decode_ok<enc::Everything>(d, *json) == e);
}

TEST_CASE("three states survive: missing omitted, null written, set written") {
  enc::Everything e;
  auto missing = skew::encode(e);
  REQUIRE(missing);
  CHECK(missing->find("\"maybe\"") == std::string::npos);
  CHECK(missing->find("\"opt\"") == std::string::npos);
  e.maybe = std::string("v");
  e.opt = 4;
  auto set = skew::encode(e);
  REQUIRE(set);
  CHECK(set->find(R"("maybe":"v")") != std::string::npos);
  CHECK(set->find(R"("opt":4)") != std::string::npos);
}

TEST_CASE("values JSON cannot carry are errors, and the buffer is left untouched") {
  enc::Everything e;
  e.ratio = std::numeric_limits<double>::quiet_NaN();
  std::string buffer = "prefix";
  auto status = skew::encode_to(buffer, e);
  REQUIRE_FALSE(status);
  CHECK(status.error().code == skew::errc::not_representable);
  CHECK(status.error().path == "/ratio");
  CHECK(buffer == "prefix");
  e.ratio = std::numeric_limits<double>::infinity();
  CHECK(skew::encode(e).error().code == skew::errc::not_representable);
  e.ratio = 0;
  e.lines = {{"\xff\xfe", 1}};
  auto bad_utf8 = skew::encode(e);
  REQUIRE_FALSE(bad_utf8);
  CHECK(bad_utf8.error().code == skew::errc::not_representable);
  CHECK(bad_utf8.error().path == "/lines/0/sku");
  e.lines.clear();
  e.counts = {{"\xc3", 1}};  // a truncated sequence in a key
  CHECK(skew::encode(e).error().code == skew::errc::not_representable);
}

TEST_CASE("encode_to appends to fmt::memory_buffer and std::vector<char>") {
  enc::Line line{"Z", 3};
  fmt::memory_buffer buffer;
  REQUIRE(skew::encode_to(buffer, line));
  REQUIRE(skew::encode_to(buffer, line));
  CHECK(fmt::to_string(buffer) == R"({"sku":"Z","quantity":3}{"sku":"Z","quantity":3})");
  std::vector<char> bytes;
  REQUIRE(skew::encode_to(bytes, line));
  CHECK(std::string(bytes.begin(), bytes.end()) == R"({"sku":"Z","quantity":3})");
}

TEST_CASE("unknown fields are written back with their raw values") {
  skew::decoder d;
  const std::string json =
      R"({"to":"a@b","newer":{"deep":[1,2.50,"x"]},"flag":true,"n":null,"big":123456789012345678901234567890})";
  auto t = decode_ok<enc::Tolerant>(d, json);
  t.to = "c@d";  // read, modify, re-emit
  auto out = skew::encode(t);
  REQUIRE(out);
  CHECK(
      *out ==
      R"({"to":"c@d","newer":{"deep":[1,2.50,"x"]},"flag":true,"n":null,"big":123456789012345678901234567890})");
}

TEST_CASE("dual write: a renamed field goes out under both names, and reads back") {
  enc::Payment p{1250, "EUR"};
  auto json = skew::encode(p);
  REQUIRE(json);
  CHECK(*json == R"({"amount_minor":1250,"amountCents":1250,"currency":"EUR"})");
  skew::decoder d;
  CHECK(decode_ok<enc::Payment>(d, *json).amount_minor == 1250);
  CHECK(d.last_alias_reads() == 0);  // the current name was there too
  CHECK(decode_ok<enc::Payment>(d, R"({"amountCents":7,"currency":"EUR"})").amount_minor == 7);
  CHECK(d.last_alias_reads() == 1);  // an old producer: the old name alone
  auto conflicting = d.decode<enc::Payment>(R"({"amount_minor":1,"amountCents":2,"currency":"X"})");
  REQUIRE_FALSE(conflicting);
  CHECK(conflicting.error().code == skew::errc::conflicting_alias);
}

namespace enc {
struct NoteV1 {
  std::string text;
  skew::unknown_fields unknown;
};
SKEW_DESCRIBE(NoteV1, text, unknown)
}  // namespace enc
using Note = skew::message<"note", enc::NoteV1>;

TEST_CASE("envelopes: header first, in every layout, and the router reads them back") {
  enc::NoteV1 n;
  n.text = "hi";
  auto flat = skew::encode<Note>(n, {.id = "n-1", .produced_by = "svc@1"});
  REQUIRE(flat);
  CHECK(*flat ==
        R"({"type":"note","schemaVersion":1,"id":"n-1","producedBy":"svc@1","text":"hi"})");
  auto nested = skew::encode<Note>(n, {.id = "n-2"}, skew::envelope_format::nested());
  REQUIRE(nested);
  CHECK(*nested == R"({"type":"note","schemaVersion":1,"id":"n-2","data":{"text":"hi"}})");
  auto ce = skew::encode<Note>(n, {.id = "n-3", .source = "/notes", .time = "2026-11-26T09:00:00Z"},
                               skew::envelope_format::cloudevents());
  REQUIRE(ce);
  CHECK(
      *ce ==
      R"({"specversion":"1.0","id":"n-3","source":"/notes","type":"note","schemaversion":1,)"
      R"("datacontenttype":"application/json","time":"2026-11-26T09:00:00Z","data":{"text":"hi"}})");
  auto no_source = skew::encode<Note>(n, {.id = "x"}, skew::envelope_format::cloudevents());
  REQUIRE_FALSE(no_source);
  CHECK(no_source.error().code == skew::errc::missing_field);
  CHECK(no_source.error().path == "/source");

  for (auto [json, format] : {std::pair{*flat, skew::envelope_format::flat()},
                              std::pair{*nested, skew::envelope_format::nested()},
                              std::pair{*ce, skew::envelope_format::cloudevents()}}) {
    CAPTURE(json);
    skew::router<Note> router;
    router.set_format(format);
    std::string seen;
    router.on<Note>([&](const enc::NoteV1& m, const skew::envelope_view&) { seen = m.text; });
    CHECK(router.dispatch(json).action == skew::action::ack);
    CHECK(seen == "hi");
  }
}

TEST_CASE("flat envelopes never write a captured header key twice") {
  enc::NoteV1 n;
  n.text = "x";
  n.unknown.add("type", "\"spoof\"");
  n.unknown.add("extra", "7");
  auto json = skew::encode<Note>(n);
  REQUIRE(json);
  CHECK(*json == R"({"type":"note","schemaVersion":1,"text":"x","extra":7})");
}

TEST_CASE("property: decode(encode(x)) == x, and encode(decode(json)) keeps unknown keys") {
  std::mt19937_64 rng(20261126);
  auto random_string = [&](std::size_t max) {
    static constexpr std::string_view alphabet[] = {
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "é", "€", "😀", "~"};
    std::string s;
    const std::size_t n = rng() % (max + 1);
    for (std::size_t i = 0; i < n; ++i) s += alphabet[rng() % std::size(alphabet)];
    return s;
  };
  skew::decoder d;
  for (int round = 0; round < 500; ++round) {
    enc::Everything e;
    e.flag = rng() % 2;
    e.big = static_cast<std::int64_t>(rng());
    e.ubig = rng();
    e.ratio = std::ldexp(static_cast<double>(rng() % 1000000) - 500000.0,
                         static_cast<int>(rng() % 200) - 100);
    e.small = static_cast<float>(rng() % 1000) / 7.0f;
    e.text = random_string(12);
    switch (rng() % 3) {
      case 0:
        break;
      case 1:
        e.maybe.set_null();
        break;
      default:
        e.maybe = random_string(5);
    }
    if (rng() % 2) e.opt = static_cast<int>(rng() % 100);
    for (std::size_t i = rng() % 3; i > 0; --i)
      e.lines.push_back({random_string(4), int(rng() % 9)});
    for (std::size_t i = rng() % 3; i > 0; --i) e.counts[random_string(4)] = int(rng() % 9);
    e.channel = rng() % 2 ? enc::Channel::sms : enc::Channel::email;
    e.open = rng() % 2 ? skew::open_enum<enc::Channel>(enc::Channel::sms)
                       : skew::open_enum<enc::Channel>::unknown(random_string(6) + "x");
    auto json = skew::encode(e);
    REQUIRE(json);
    CAPTURE(*json);
    CHECK(decode_ok<enc::Everything>(d, *json) == e);

    // A message from a newer build: the known field plus unknown keys of every kind.
    std::string newer = "{";
    std::map<std::string, std::string> extras;
    for (std::size_t i = rng() % 5; i > 0; --i) {
      const std::string key = "k" + std::to_string(i) + random_string(3);
      const std::string value_json = *skew::encode(random_string(6));
      extras[key] = i % 2 ? value_json : "[" + value_json + ",{\"n\":" + std::to_string(i) + "}]";
    }
    newer += R"("to":)" + *skew::encode(random_string(5));
    for (const auto& [k, v] : extras) newer += "," + *skew::encode(k) + ":" + v;
    newer += "}";
    auto t = decode_ok<enc::Tolerant>(d, newer);
    auto again = skew::encode(t);
    REQUIRE(again);
    CHECK(*again == newer);
  }
}

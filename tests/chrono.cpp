// std::chrono::sys_time as an RFC 3339 timestamp: read with any offset into UTC, fractions to the
// nanosecond, written with the shortest exact fraction; schema and compatibility as a timestamp.
#include <skew/skew.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>

namespace when {
using namespace std::chrono;
struct Event {
  sys_time<nanoseconds> at;
  std::optional<sys_seconds> until;
};
SKEW_DESCRIBE(Event, at, until)
struct EventMillis {
  sys_time<milliseconds> at;
};
SKEW_DESCRIBE(EventMillis, at)
struct EventText {
  std::string at;
};
SKEW_DESCRIBE(EventText, at)
}  // namespace when

using namespace std::chrono;

namespace {
sys_time<nanoseconds> read_at(std::string_view timestamp) {
  skew::decoder decoder;
  const std::string json = R"({"at":")" + std::string(timestamp) + R"("})";
  auto e = decoder.decode<when::Event>(json);
  REQUIRE(e);
  return e->at;
}
}  // namespace

TEST_CASE("chrono: RFC 3339 timestamps are read into UTC") {
  const sys_time<nanoseconds> expected = sys_days{2026y / 12 / 2} + 10h + 42min + 38s;
  CHECK(read_at("2026-12-02T10:42:38Z") == expected);
  CHECK(read_at("2026-12-02t10:42:38z") == expected);  // ABNF strings ignore case
  CHECK(read_at("2026-12-02T12:42:38+02:00") == expected);
  CHECK(read_at("2026-12-02T05:12:38-05:30") == expected);
  CHECK(read_at("2026-12-02T10:42:38.5Z") == expected + 500ms);
  CHECK(read_at("2026-12-02T10:42:38.123456789Z") == expected + 123456789ns);
  CHECK(read_at("2026-12-02T10:42:38.1234567891Z") == expected + 123456789ns);  // past ns: dropped
  CHECK(read_at("2024-02-29T00:00:00Z") == sys_days{2024y / 2 / 29});           // a leap day
  CHECK(read_at("1969-12-31T23:59:59Z") == sys_days{1970y / 1 / 1} - 1s);
  // A coarser Duration floors.
  skew::decoder decoder;
  auto millis = decoder.decode<when::EventMillis>(R"({"at":"2026-12-02T10:42:38.123999Z"})");
  REQUIRE(millis);
  CHECK(millis->at == time_point_cast<milliseconds>(expected) + 123ms);
}

TEST_CASE("chrono: anything else is invalid_value at the member, or out_of_range") {
  skew::decoder decoder;
  for (const char* bad :
       {"2026-12-02 10:42:38Z", "2026-12-02T10:42:38", "2026-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-02T24:00:00Z",
        "2026-12-02T10:60:00Z", "2026-12-02T10:42:61Z", "2026-12-02T10:42:38.Z",
        "2026-12-02T10:42:38+02:60", "2026-12-02T10:42:38+0200", "2026-12-02T10:42:38Zx",
        "26-12-02T10:42:38Z", "2026-12-2T10:42:38Z", ""}) {
    CAPTURE(bad);
    const std::string json = R"({"at":")" + std::string(bad) + R"("})";
    auto e = decoder.decode<when::Event>(json);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == skew::errc::invalid_value);
    CHECK(e.error().path == "/at");
  }
  auto number = decoder.decode<when::Event>(R"({"at":1764672158})");
  REQUIRE_FALSE(number);
  CHECK(number.error().code == skew::errc::wrong_type);
  // sys_time<nanoseconds> ends in 2262; seconds reach far beyond.
  auto late = decoder.decode<when::Event>(R"({"at":"2300-01-01T00:00:00Z"})");
  REQUIRE_FALSE(late);
  CHECK(late.error().code == skew::errc::out_of_range);
  auto until = decoder.decode<when::Event>(
      R"({"at":"2026-01-01T00:00:00Z","until":"9999-12-31T23:59:59Z"})");
  REQUIRE(until);
  CHECK(until->until == sys_days{9999y / 12 / 31} + 23h + 59min + 59s);
}

TEST_CASE("chrono: written in UTC with the shortest exact fraction, and read back equal") {
  const sys_time<nanoseconds> base = sys_days{2026y / 12 / 2} + 10h + 42min + 38s;
  for (const auto& [at, text] :
       {std::pair{base, "2026-12-02T10:42:38Z"}, std::pair{base + 500ms, "2026-12-02T10:42:38.5Z"},
        std::pair{base + 123456789ns, "2026-12-02T10:42:38.123456789Z"},
        std::pair{base + 10us, "2026-12-02T10:42:38.00001Z"},
        std::pair{sys_time<nanoseconds>{} - 1ns, "1969-12-31T23:59:59.999999999Z"}}) {
    const std::string expected = text;
    CAPTURE(expected);
    std::string out;
    REQUIRE(skew::encode_to(out, when::Event{at, std::nullopt}));
    CHECK(out == R"({"at":")" + expected + R"("})");  // an empty optional is left out
    skew::decoder decoder;
    auto back = decoder.decode<when::Event>(out);
    REQUIRE(back);
    CHECK(back->at == at);
  }
  // A year RFC 3339 cannot write.
  auto far = skew::encode(when::Event{{}, sys_days{10000y / 1 / 1}});
  REQUIRE_FALSE(far);
  CHECK(far.error().code == skew::errc::not_representable);
  CHECK(far.error().path == "/until");
}

TEST_CASE("chrono: schema says date-time; any sys_time reads another, a string does not") {
  const std::string schema = skew::json_schema<when::Event>();
  CHECK(schema.find(R"("at":{"type":"string","format":"date-time"})") != std::string::npos);
  CHECK(schema.find(R"("until":{"type":["string","null"],"format":"date-time"})") !=
        std::string::npos);
  // compatible<Old, New, backward>: New reads Old.
  static_assert(skew::compatible<when::EventMillis, when::Event, skew::compat::backward>);
  static_assert(skew::compatible<when::Event, when::EventMillis, skew::compat::backward>);
  static_assert(!skew::compatible<when::EventText, when::EventMillis, skew::compat::backward>);
  static_assert(skew::compatible<when::EventMillis, when::EventText, skew::compat::backward>);
}

// skew::codec<T>: user types carried as a wire type skew knows, read, written, exported to JSON
// Schema and compatibility-checked as that wire type.
#include <skew/skew.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace app {

// A UUID kept as 16 bytes, carried as its canonical 36-character text.
struct Uuid {
  std::array<std::uint8_t, 16> bytes{};
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

// An amount in minor units of a currency, carried as the described struct MoneyWire.
struct Money {
  std::int64_t minor = 0;
  std::array<char, 3> currency{};
  friend bool operator==(const Money&, const Money&) = default;
};
struct MoneyWire {
  std::int64_t minor = 0;
  std::string currency;
};
SKEW_DESCRIBE(MoneyWire, minor, currency)

struct Payment {
  Uuid id;
  Money amount;
  std::optional<Uuid> parent;
  std::vector<Uuid> related;
};
SKEW_DESCRIBE(Payment, id, amount, parent, related)

// The same message as an older build wrote it: plain strings and a plain struct.
struct PaymentText {
  std::string id;
  MoneyWire amount;
  std::optional<std::string> parent;
  std::vector<std::string> related;
};
SKEW_DESCRIBE(PaymentText, id, amount, parent, related)

// A build that sent the amount as a number: not readable as a Money.
struct PaymentNumber {
  std::string id;
  std::int64_t amount = 0;
  std::vector<std::string> related;
};
SKEW_DESCRIBE(PaymentNumber, id, amount, related)

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace app

template <>
struct skew::codec<app::Uuid> {
  using wire = std::string_view;
  static bool read(wire in, app::Uuid& out) {
    if (in.size() != 36) return false;
    std::size_t byte = 0;
    for (std::size_t k = 0; k < in.size();) {
      if (k == 8 || k == 13 || k == 18 || k == 23) {
        if (in[k++] != '-') return false;
        continue;
      }
      const int hi = app::hex_value(in[k]);
      const int lo = app::hex_value(in[k + 1]);
      if (hi < 0 || lo < 0) return false;
      out.bytes[byte++] = static_cast<std::uint8_t>(hi * 16 + lo);
      k += 2;
    }
    return true;
  }
  static std::string write(const app::Uuid& v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    for (std::size_t b = 0; b < v.bytes.size(); ++b) {
      if (b == 4 || b == 6 || b == 8 || b == 10) text += '-';
      text += digits[v.bytes[b] >> 4];
      text += digits[v.bytes[b] & 0xf];
    }
    return text;
  }
};

template <>
struct skew::codec<app::Money> {
  using wire = app::MoneyWire;
  static bool read(const wire& in, app::Money& out) {
    if (in.currency.size() != 3) return false;
    for (const char c : in.currency) {
      if (c < 'A' || c > 'Z') return false;
    }
    out.minor = in.minor;
    std::copy(in.currency.begin(), in.currency.end(), out.currency.begin());
    return true;
  }
  static app::MoneyWire write(const app::Money& v) {
    return {v.minor, std::string(v.currency.data(), v.currency.size())};
  }
};

namespace {

constexpr std::string_view payment_json =
    R"({"id":"123e4567-e89b-12d3-a456-426614174000","amount":{"minor":1250,"currency":"EUR"},)"
    R"("parent":null,"related":["00000000-0000-0000-0000-0000000000ff"]})";

app::Uuid uuid_of(std::string_view text) {
  app::Uuid u;
  REQUIRE(skew::codec<app::Uuid>::read(text, u));
  return u;
}

}  // namespace

static_assert(skew::has_codec<app::Uuid>);
static_assert(skew::has_codec<app::Money>);
// skew's own leaf types are codecs over JSON strings; JSON's own values and structs are not.
static_assert(skew::has_codec<std::string>);
static_assert(!skew::has_codec<std::string_view>);
static_assert(!skew::has_codec<int>);
static_assert(!skew::has_codec<app::MoneyWire>);

TEST_CASE("codec: a UUID and a Money are read through their wire types") {
  skew::decoder decoder;
  auto p = decoder.decode<app::Payment>(payment_json);
  REQUIRE(p);
  CHECK(p->id == uuid_of("123e4567-e89b-12d3-a456-426614174000"));
  CHECK(p->id.bytes[0] == 0x12);
  CHECK(p->id.bytes[15] == 0x00);
  CHECK(p->amount.minor == 1250);
  CHECK(std::string_view(p->amount.currency.data(), 3) == "EUR");
  CHECK(!p->parent.has_value());
  REQUIRE(p->related.size() == 1);
  CHECK(p->related[0].bytes[15] == 0xff);
}

TEST_CASE("codec: an escaped wire string is unescaped before the codec sees it") {
  skew::decoder decoder;
  auto p = decoder.decode<app::Payment>(R"({"id":"123e4567-e89b-12d3-a456-42661417400\u0030",)"
                                        R"("amount":{"minor":1,"currency":"USD"},"related":[]})");
  REQUIRE(p);
  CHECK(p->id == uuid_of("123e4567-e89b-12d3-a456-426614174000"));
}

TEST_CASE("codec: a value the codec rejects is invalid_value at the member's path and offset") {
  skew::decoder decoder;
  const std::string bad_uuid =
      R"({"id":"not-a-uuid","amount":{"minor":1,"currency":"EUR"},"related":[]})";
  auto r = decoder.decode<app::Payment>(bad_uuid);
  REQUIRE(!r);
  CHECK(r.error().code == skew::errc::invalid_value);
  CHECK(r.error().path == "/id");
  CHECK(r.error().offset == bad_uuid.find("\"not-a-uuid\""));

  auto in_vector = decoder.decode<app::Payment>(
      R"({"id":"123e4567-e89b-12d3-a456-426614174000","amount":{"minor":1,"currency":"EUR"},)"
      R"("related":["123e4567-e89b-12d3-a456-426614174000","zz"]})");
  REQUIRE(!in_vector);
  CHECK(in_vector.error().code == skew::errc::invalid_value);
  CHECK(in_vector.error().path == "/related/1");

  auto bad_money = decoder.decode<app::Payment>(
      R"({"id":"123e4567-e89b-12d3-a456-426614174000","amount":{"minor":1,"currency":"eur"},)"
      R"("related":[]})");
  REQUIRE(!bad_money);
  CHECK(bad_money.error().code == skew::errc::invalid_value);
  CHECK(bad_money.error().path == "/amount");
}

TEST_CASE("codec: a wire value of the wrong JSON type fails as the wire type would") {
  skew::decoder decoder;
  auto number_id = decoder.decode<app::Payment>(
      R"({"id":5,"amount":{"minor":1,"currency":"EUR"},"related":[]})");
  REQUIRE(!number_id);
  CHECK(number_id.error().code == skew::errc::wrong_type);
  CHECK(number_id.error().path == "/id");

  auto no_currency = decoder.decode<app::Payment>(
      R"({"id":"123e4567-e89b-12d3-a456-426614174000","amount":{"minor":1},"related":[]})");
  REQUIRE(!no_currency);
  CHECK(no_currency.error().code == skew::errc::missing_field);
  CHECK(no_currency.error().path == "/amount/currency");
}

TEST_CASE("codec: written as the wire type, and read back equal") {
  app::Payment p;
  p.id = uuid_of("123e4567-e89b-12d3-a456-426614174000");
  p.amount = {-250, {'J', 'P', 'Y'}};
  p.parent = uuid_of("00000000-0000-0000-0000-0000000000ff");
  auto json = skew::encode(p);
  REQUIRE(json);
  CHECK(*json ==
        R"({"id":"123e4567-e89b-12d3-a456-426614174000","amount":{"minor":-250,"currency":"JPY"},)"
        R"("parent":"00000000-0000-0000-0000-0000000000ff","related":[]})");
  skew::decoder decoder;
  auto back = decoder.decode<app::Payment>(*json);
  REQUIRE(back);
  CHECK(back->id == p.id);
  CHECK(back->amount == p.amount);
  CHECK(back->parent == p.parent);
}

TEST_CASE("codec: JSON Schema export shows the wire type") {
  const std::string schema = skew::json_schema<app::Payment>();
  CHECK(schema.find(R"("id":{"type":"string"})") != std::string::npos);
  CHECK(schema.find(R"("parent":{"type":["string","null"]})") != std::string::npos);
  CHECK(schema.find(R"("related":{"type":"array","items":{"type":"string"}})") !=
        std::string::npos);
  // The Money member is the wire struct's object schema.
  CHECK(schema.find(R"("amount":{"type":"object","properties":{"minor":)") != std::string::npos);
  CHECK(schema.find(R"("required":["minor","currency"])") != std::string::npos);
}

TEST_CASE("codec: compatibility checks see codec types as their wire types") {
  // A build with codec types reads the text-typed build's messages, and the reverse.
  static_assert(skew::compatible<app::PaymentText, app::Payment, skew::compat::full>);
  // A number is not a Money's wire struct.
  static_assert(!skew::compatible<app::PaymentNumber, app::Payment, skew::compat::backward>);
  const auto found =
      skew::compat::explain<app::PaymentNumber, app::Payment, skew::compat::backward>();
  REQUIRE(found.size() == 1);
  CHECK(found[0].field == "/amount");
  CHECK(found[0].rule == "backward (new reads old): the reader does not accept the writer's type");
}

namespace app {
// A percentage from 0 to 100, carried as a JSON integer, with every optional codec refinement.
struct Percent {
  int value = 0;
  friend bool operator==(const Percent&, const Percent&) = default;
};
struct Discount {
  Percent off;
};
SKEW_DESCRIBE(Discount, off)
struct DiscountInt {
  int off = 0;
};
SKEW_DESCRIBE(DiscountInt, off)
}  // namespace app

template <>
struct skew::codec<app::Percent> {
  using wire = int;
  static skew::errc read(int in, app::Percent& out) {
    if (in < 0 || in > 100) return skew::errc::out_of_range;
    out.value = in;
    return skew::errc{};
  }
  static skew::result<int> write(const app::Percent& p) {
    if (p.value < 0 || p.value > 100) return skew::failure(skew::errc::not_representable);
    return p.value;
  }
  static void schema_keywords(skew::schema_writer& s, bool) {
    s.raw(R"(,"minimum":0,"maximum":100,"title":)");
    s.string("a \"percent\"");
  }
  // No other type's values are all percentages.
  template <class Writer>
  static constexpr bool reads_all_of() {
    return false;
  }
};

TEST_CASE("codec: read may name its error, write may fail, schema and compat may be refined") {
  skew::decoder decoder;
  auto ok = decoder.decode<app::Discount>(R"({"off":15})");
  REQUIRE(ok);
  CHECK(ok->off.value == 15);
  auto over = decoder.decode<app::Discount>(R"({"off":150})");
  REQUIRE_FALSE(over);
  CHECK(over.error().code == skew::errc::out_of_range);  // the codec's own code, not invalid_value
  CHECK(over.error().path == "/off");
  CHECK(over.error().offset == 7u);

  std::string out;
  REQUIRE(skew::encode_to(out, app::Discount{{40}}));
  CHECK(out == R"({"off":40})");
  auto bad = skew::encode(app::Discount{{-1}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == skew::errc::not_representable);
  CHECK(bad.error().path == "/off");

  const std::string schema = skew::json_schema<app::Discount>();
  CHECK(schema.find(R"("off":{"type":"integer","minimum":-2147483648,"maximum":2147483647,)"
                    R"("minimum":0,"maximum":100,"title":"a \"percent\""})") != std::string::npos);

  // compatible<Old, New, backward>: New reads Old. reads_all_of replaces the comparison of wire
  // types, which would let a Percent read any int; an int still reads any Percent.
  static_assert(!skew::compatible<app::DiscountInt, app::Discount, skew::compat::backward>);
  static_assert(skew::compatible<app::Discount, app::DiscountInt, skew::compat::backward>);
}

namespace app {
enum class Tier { free, pro };
SKEW_ENUM(Tier, free, pro)
struct Plan {
  Tier tier = Tier::free;
};
SKEW_DESCRIBE(Plan, tier)
struct PlanOpen {
  skew::open_enum<Tier> tier;
};
SKEW_DESCRIBE(PlanOpen, tier)
struct PlanText {
  std::string tier;
};
SKEW_DESCRIBE(PlanText, tier)
}  // namespace app

TEST_CASE("codec: skew's enums are codecs over strings, with their own rules") {
  static_assert(skew::has_codec<app::Tier>);
  static_assert(skew::has_codec<skew::open_enum<app::Tier>>);
  skew::decoder decoder;
  auto unknown = decoder.decode<app::Plan>(R"({"tier":"gold"})");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == skew::errc::invalid_enum);
  auto kept = decoder.decode<app::PlanOpen>(R"({"tier":"gold"})");
  REQUIRE(kept);
  CHECK(kept->tier.text() == "gold");
  auto unnamed = skew::encode(app::Plan{static_cast<app::Tier>(7)});
  REQUIRE_FALSE(unnamed);
  CHECK(unnamed.error().code == skew::errc::invalid_enum);
  // A closed enum reads only its own names; an open one, and a string, read any (New reads Old).
  static_assert(!skew::compatible<app::PlanText, app::Plan, skew::compat::backward>);
  static_assert(skew::compatible<app::PlanText, app::PlanOpen, skew::compat::backward>);
  static_assert(skew::compatible<app::Plan, app::PlanText, skew::compat::backward>);
  static_assert(skew::compatible<app::Plan, app::PlanOpen, skew::compat::backward>);
  static_assert(!skew::compatible<app::PlanOpen, app::Plan, skew::compat::backward>);
}

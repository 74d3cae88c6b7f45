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
static_assert(!skew::has_codec<std::string>);
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

// JSON Schema export: the shape of the output here; tests/validate_schemas.py runs a real
// validator (python3-jsonschema) over the schemas this program writes and the fixtures.
#include <skew/evolve/schema.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "fixture_families.hpp"

namespace schema_test {
// A flat family whose payload nests structs, a vector of structs and a map: the envelope's
// required keys belong to the root object only.
struct Address {
  std::string street;
  std::string city;
};
SKEW_DESCRIBE(Address, street, city)
struct Line {
  std::string sku;
  int quantity;
};
SKEW_DESCRIBE(Line, sku, quantity)
struct OrderPlacedV1 {
  std::string order_id;
  Address ship_to;
  std::vector<Line> lines;
  std::map<std::string, int> tags;
};
SKEW_DESCRIBE(OrderPlacedV1, order_id, ship_to, lines, tags)
using OrderPlaced = skew::message<"order-placed", OrderPlacedV1>;

// A tagged variant that keeps unknown alternatives, as a member and in a vector.
struct Circle {
  double radius;
};
SKEW_DESCRIBE(Circle, radius)
struct Square {
  double side;
};
SKEW_DESCRIBE(Square, side)
using Shape = std::variant<Circle, Square, skew::unknown_alternative>;
SKEW_TAGGED(Shape, "kind", "circle", "square")
struct DrawingMadeV1 {
  Shape shape;
  std::vector<Shape> layers;
};
SKEW_DESCRIBE(DrawingMadeV1, shape, layers)
using DrawingMade = skew::message<"drawing-made", DrawingMadeV1>;

enum class Channel { email, sms };
SKEW_ENUM(Channel, email, sms)
struct Everything {
  bool flag = false;
  std::uint8_t small = 0;
  double ratio = 0;
  std::string text;
  skew::field<std::string> maybe;
  std::optional<Channel> channel;
  skew::open_enum<Channel> open;
  std::vector<int> numbers;
  std::map<std::string, std::string> labels;
  skew::raw_json anything;
  skew::unknown_fields unknown;
};
SKEW_DESCRIBE(Everything, flag, small, ratio, text, maybe, channel, open, numbers, labels, anything,
              unknown)
}  // namespace schema_test

TEST_CASE("a payload schema documents types, nullability, enums and requirement") {
  const std::string s = skew::json_schema<schema_test::Everything>();
  CHECK(s.rfind(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",)",
                0) == 0);
  CHECK(s.find(R"("small":{"type":"integer","minimum":0,"maximum":255})") != std::string::npos);
  CHECK(s.find(R"("maybe":{"type":["string","null"]})") != std::string::npos);
  CHECK(s.find(R"("channel":{"type":["string","null"],"enum":["email","sms",null]})") !=
        std::string::npos);
  CHECK(
      s.find(
          R"("open":{"type":"string","description":"open enum: known values email, sms; other values are kept"})") !=
      std::string::npos);
  CHECK(s.find(R"("numbers":{"type":"array","items":{"type":"integer")") != std::string::npos);
  CHECK(s.find(R"("anything":{})") != std::string::npos);
  CHECK(s.find(
            R"("required":["flag","small","ratio","text","open","numbers","labels","anything"])") !=
        std::string::npos);
  CHECK(s.find(R"("additionalProperties":true})") != std::string::npos);
  skew::options strict;
  strict.unknown_keys = skew::unknown_keys::reject;
  CHECK(skew::json_schema<schema_test::Everything>(strict).find(
            R"("additionalProperties":false)") != std::string::npos);
}

TEST_CASE("aliases are documented and accepted; the family schema fixes type and version") {
  const std::string payment = skew::json_schema<fixtures::PaymentCaptured>();
  CHECK(payment.find(R"("amount_minor":{"type":"integer","minimum":)") != std::string::npos);
  CHECK(payment.find(R"("description":"also read under its former name amountCents")") !=
        std::string::npos);
  CHECK(payment.find(R"("amountCents":{)") != std::string::npos);
  CHECK(
      payment.find(
          R"("allOf":[{"anyOf":[{"required":["amount_minor"]},{"required":["amountCents"]}]}])") !=
      std::string::npos);
  const std::string family = skew::json_schema<fixtures::SendEmail>();
  CHECK(family.find(R"("oneOf":[)") != std::string::npos);
  CHECK(family.find(R"("schemaVersion":{"const":1})") != std::string::npos);
  CHECK(family.find(R"("schemaVersion":{"const":2})") != std::string::npos);
  CHECK(family.find(R"("type":{"const":"send-email"})") != std::string::npos);
  const std::string nested =
      skew::json_schema<fixtures::SendEmail>({}, skew::envelope_format::nested());
  CHECK(nested.find(R"("data":{"type":"object")") != std::string::npos);
}

TEST_CASE("a flat family's header keys are required at the root only") {
  const std::string schema = skew::json_schema<schema_test::OrderPlaced>();
  CHECK(schema.find(R"("required":["type","schemaVersion","order_id","ship_to","lines","tags"])") !=
        std::string::npos);
  CHECK(schema.find(R"("required":["street","city"])") != std::string::npos);
  CHECK(schema.find(R"("required":["sku","quantity"])") != std::string::npos);
  CHECK(schema.find(R"("required":["type")") == schema.rfind(R"("required":["type")"));
}

TEST_CASE("a renamed family's schema accepts its former type names") {
  using Renamed = schema_test::OrderPlaced::former<"order-created">;
  const std::string schema = skew::json_schema<Renamed>();
  CHECK(schema.find(R"("type":{"enum":["order-placed","order-created"]})") != std::string::npos);
  CHECK(schema.find(R"("title":"order-placed")") != std::string::npos);
}

TEST_CASE("write the schemas for the validator test") {
  // Read by tests/validate_schemas.py (the schema_validation test), which runs after this one.
  const std::filesystem::path dir = std::filesystem::path(SKEW_BINARY_DIR) / "schemas";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "send-email.json") << skew::json_schema<fixtures::SendEmail>();
  std::ofstream(dir / "payment_captured.json") << skew::json_schema<fixtures::Payment>();
  std::ofstream(dir / "order-placed.json") << skew::json_schema<schema_test::OrderPlaced>();
  std::ofstream(dir / "drawing-made.json") << skew::json_schema<schema_test::DrawingMade>();
  CHECK(std::filesystem::file_size(dir / "send-email.json") > 100);
}

// Tagged variants (skew/model/variant.hpp): read by tag, written tag first, unknown tags kept for
// re-emission, exported to JSON Schema and compatibility-checked alternative by alternative.
#include <skew/skew.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace draw {
struct Circle {
  double radius = 0;
  skew::unknown_fields extra;
};
SKEW_DESCRIBE(Circle, radius, extra)

struct Square {
  double side = 0;
  std::string color = "black";
};
}  // namespace draw

template <>
struct skew::describe<draw::Square> {
  static constexpr auto fields =
      skew::fields(skew::member<&draw::Square::side>("side"),
                   skew::member<&draw::Square::color>("color").default_value("black"));
};

namespace draw {

// Build N+1 adds a triangle; build N keeps what it does not know.
struct Triangle {
  double base = 0;
  double height = 0;
};
SKEW_DESCRIBE(Triangle, base, height)

using Shape = std::variant<Circle, Square>;
SKEW_TAGGED(Shape, "kind", "circle", "square")

using KeptShape = std::variant<Circle, Square, skew::unknown_alternative>;
SKEW_TAGGED(KeptShape, "kind", "circle", "square")

using NewShape = std::variant<Circle, Square, Triangle>;
SKEW_TAGGED(NewShape, "kind", "circle", "square", "triangle")

struct Drawing {
  Shape shape;
  std::vector<Shape> more;
  std::optional<Shape> maybe;
};
SKEW_DESCRIBE(Drawing, shape, more, maybe)

struct RelayDrawing {
  KeptShape shape;
  std::vector<KeptShape> more;
};
SKEW_DESCRIBE(RelayDrawing, shape, more)

struct NewDrawing {
  NewShape shape;
  std::vector<NewShape> more;
};
SKEW_DESCRIBE(NewDrawing, shape, more)

// A square whose side became a string in another build: incompatible inside the alternative.
struct TextSquare {
  std::string side;
};
SKEW_DESCRIBE(TextSquare, side)
using TextShape = std::variant<Circle, TextSquare>;
SKEW_TAGGED(TextShape, "kind", "circle", "square")
struct TextDrawing {
  TextShape shape;
  std::vector<TextShape> more;
};
SKEW_DESCRIBE(TextDrawing, shape, more)
}  // namespace draw

TEST_CASE("variant: each alternative is read by its tag, wherever the tag is") {
  skew::decoder decoder;
  auto d = decoder.decode<draw::Drawing>(
      R"({"shape":{"kind":"circle","radius":2.5},)"
      R"("more":[{"side":3,"kind":"square"},{"radius":1,"note":"x","\u006bind":"circle"}]})");
  REQUIRE(d);
  REQUIRE(std::holds_alternative<draw::Circle>(d->shape));
  CHECK(std::get<draw::Circle>(d->shape).radius == 2.5);
  CHECK(std::get<draw::Circle>(d->shape).extra.empty());  // the tag is not an unknown key
  REQUIRE(d->more.size() == 2);
  REQUIRE(std::holds_alternative<draw::Square>(d->more[0]));
  CHECK(std::get<draw::Square>(d->more[0]).side == 3);
  CHECK(std::get<draw::Square>(d->more[0]).color == "black");  // its default
  REQUIRE(std::holds_alternative<draw::Circle>(d->more[1]));
  const auto& kept = std::get<draw::Circle>(d->more[1]).extra;
  CHECK(kept.size() == 1);  // "note" only: the escaped tag key is the tag
  CHECK(kept.contains("note"));
  CHECK_FALSE(d->maybe.has_value());
}

TEST_CASE("variant: decode_into switches and keeps alternatives") {
  skew::decoder decoder;
  draw::Drawing d;
  REQUIRE(
      decoder.decode_into(d, R"({"shape":{"kind":"square","side":1,"color":"red"},"more":[]})"));
  REQUIRE(std::holds_alternative<draw::Square>(d.shape));
  CHECK(std::get<draw::Square>(d.shape).color == "red");
  REQUIRE(decoder.decode_into(d, R"({"shape":{"kind":"square","side":2},"more":[]})"));
  CHECK(std::get<draw::Square>(d.shape).side == 2);
  CHECK(std::get<draw::Square>(d.shape).color == "black");  // absent: default, not last value
  REQUIRE(decoder.decode_into(d, R"({"shape":{"kind":"circle","radius":4},"more":[]})"));
  REQUIRE(std::holds_alternative<draw::Circle>(d.shape));
  CHECK(std::get<draw::Circle>(d.shape).radius == 4);
}

TEST_CASE("variant: bad tags and bad alternatives are errors at their paths") {
  skew::decoder decoder;
  struct bad_case {
    const char* json;
    skew::errc code;
    const char* path;
  };
  for (
      const bad_case& b : {
          bad_case{R"({"shape":{"kind":"triangle","base":1}})", skew::errc::invalid_enum,
                   "/shape/kind"},
          bad_case{R"({"shape":{"radius":1}})", skew::errc::missing_field, "/shape/kind"},
          bad_case{R"({"shape":{}})", skew::errc::missing_field, "/shape/kind"},
          bad_case{R"({"shape":{"kind":1,"radius":1}})", skew::errc::wrong_type, "/shape/kind"},
          bad_case{R"({"shape":{"kind":"circle","kind":"square"}})", skew::errc::duplicate_key,
                   "/shape/kind"},
          bad_case{R"({"shape":{"kind":"circle","radius":"big"}})", skew::errc::wrong_type,
                   "/shape/radius"},
          bad_case{R"({"shape":"circle"})", skew::errc::wrong_type, "/shape"},
          bad_case{
              R"({"shape":{"kind":"circle","radius":1},"more":[{"kind":"square","side":1},{"kind":"x"}]})",
              skew::errc::invalid_enum, "/more/1/kind"},
          bad_case{R"({"shape":{"kind":"circle","radius":1)", skew::errc::malformed_json, ""},
      }) {
    const std::string json = b.json;
    CAPTURE(json);
    auto d = decoder.decode<draw::Drawing>(json);
    REQUIRE_FALSE(d);
    CHECK(d.error().code == b.code);
    if (*b.path != '\0') CHECK(d.error().path == b.path);
  }
  // Unknown keys rejected: the tag key is still the variant's own.
  skew::options strict;
  strict.unknown_keys = skew::unknown_keys::reject;
  CHECK(decoder.decode<draw::Drawing>(R"({"shape":{"kind":"square","side":1},"more":[]})", strict));
  auto extra = decoder.decode<draw::Drawing>(R"({"shape":{"kind":"square","x":1}})", strict);
  REQUIRE_FALSE(extra);
  CHECK(extra.error().code == skew::errc::unknown_key);
  CHECK(extra.error().path == "/shape/x");
}

TEST_CASE("variant: written tag first, and read back equal") {
  draw::Drawing d;
  d.shape = draw::Square{2, "blue"};
  d.more = {draw::Circle{1.5, {}}, draw::Square{}};
  d.maybe = draw::Circle{3, {}};
  auto json = skew::encode(d);
  REQUIRE(json);
  CHECK(*json ==
        R"({"shape":{"kind":"square","side":2,"color":"blue"},)"
        R"("more":[{"kind":"circle","radius":1.5},{"kind":"square","side":0,"color":"black"}],)"
        R"("maybe":{"kind":"circle","radius":3}})");
  skew::decoder decoder;
  auto back = decoder.decode<draw::Drawing>(*json);
  REQUIRE(back);
  CHECK(std::get<draw::Square>(back->shape).color == "blue");
  CHECK(std::get<draw::Circle>(back->more[0]).radius == 1.5);
  CHECK(std::get<draw::Circle>(*back->maybe).radius == 3);
  // A circle's unknown key named like the tag is never written twice.
  draw::Circle c{1, {}};
  c.extra.add("kind", R"("square")");
  c.extra.add("note", "7");
  d.shape = c;
  auto once = skew::encode(d);
  REQUIRE(once);
  CHECK(once->starts_with(R"({"shape":{"kind":"circle","radius":1,"note":7},)"));
}

TEST_CASE("variant: an unknown alternative is kept and re-emitted unchanged") {
  // Build N+1 writes a triangle; build N (a relay) reads it, and writes it on.
  draw::NewDrawing sent;
  sent.shape = draw::Triangle{3, 4};
  sent.more = {draw::Circle{1, {}}, draw::Triangle{5, 6}};
  auto wire = skew::encode(sent);
  REQUIRE(wire);
  skew::decoder decoder;
  auto relayed = decoder.decode<draw::RelayDrawing>(*wire);
  REQUIRE(relayed);
  REQUIRE(std::holds_alternative<skew::unknown_alternative>(relayed->shape));
  const auto& kept = std::get<skew::unknown_alternative>(relayed->shape);
  CHECK(kept.tag == "triangle");
  CHECK(kept.json == R"({"kind":"triangle","base":3,"height":4})");
  CHECK(std::holds_alternative<draw::Circle>(relayed->more[0]));
  auto rewritten = skew::encode(*relayed);
  REQUIRE(rewritten);
  CHECK(*rewritten == *wire);
  // And build N+1 reads the relayed message as it was sent.
  auto received = decoder.decode<draw::NewDrawing>(*rewritten);
  REQUIRE(received);
  CHECK(std::get<draw::Triangle>(received->more[1]).height == 6);
  // An empty kept alternative has nothing to write.
  relayed->shape = skew::unknown_alternative{};
  auto empty = skew::encode(*relayed);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == skew::errc::not_representable);
  CHECK(empty.error().path == "/shape");
}

TEST_CASE("variant: schema is oneOf the alternatives, each with its tag") {
  const std::string s = skew::json_schema<draw::Drawing>();
  CHECK(s.find(R"("shape":{"oneOf":[{"type":"object","properties":{"kind":{"const":"circle"},)"
               R"("radius":)") != std::string::npos);
  CHECK(s.find(R"({"type":"object","properties":{"kind":{"const":"square"},"side":)") !=
        std::string::npos);
  CHECK(s.find(R"("required":["kind","radius"])") != std::string::npos);
  CHECK(s.find(R"("required":["kind","side"])") != std::string::npos);  // color has a default
  const std::string relay = skew::json_schema<draw::RelayDrawing>();
  CHECK(relay.find(R"({"type":"object","properties":{"kind":{"type":"string","not":{"enum":)"
                   R"(["circle","square"]}}},"required":["kind"]})") != std::string::npos);
  // An optional variant also takes null.
  CHECK(s.find(R"(,{"type":"null"}]})") != std::string::npos);
}

TEST_CASE("variant: compatibility alternative by alternative") {
  // The new build reads the old one's shapes; the old one cannot read a triangle...
  static_assert(skew::compatible<draw::Drawing, draw::NewDrawing, skew::compat::backward>);
  static_assert(!skew::compatible<draw::Drawing, draw::NewDrawing, skew::compat::forward>);
  // ...unless it keeps unknown alternatives.
  static_assert(skew::compatible<draw::RelayDrawing, draw::NewDrawing, skew::compat::forward>);
  // A relay's kept alternatives need a reader that keeps them too.
  static_assert(!skew::compatible<draw::NewDrawing, draw::RelayDrawing, skew::compat::forward>);
  const auto found =
      skew::compat::explain<draw::Drawing, draw::NewDrawing, skew::compat::forward>();
  REQUIRE(found.size() == 2);
  CHECK(found[0].field == "/shape");
  CHECK(found[0].rule.find("no alternative for the tag") != std::string::npos);
  CHECK(found[0].writer_type.find("Triangle") != std::string::npos);
  CHECK(found[1].field == "/more");
  // Inside an alternative, members are checked as in any nested struct.
  const auto inner =
      skew::compat::explain<draw::TextDrawing, draw::Drawing, skew::compat::backward>();
  REQUIRE(inner.size() == 2);
  CHECK(inner[0].field == "/shape/side");
  CHECK(inner[1].field == "/more/side");
}

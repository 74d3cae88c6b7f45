#include <skew/model/enum.hpp>
#include <skew/payload/decoder.hpp>

#include <doctest/doctest.h>

namespace colors {
enum class color { red, green, blue };
SKEW_ENUM(color, red, green, blue)

enum class status { active, suspended };
}  // namespace colors

template <>
struct skew::describe<colors::status> {
  static constexpr std::array enumerators = {
      skew::enumerator{colors::status::active, "ACTIVE"},
      skew::enumerator{colors::status::suspended, "SUSPENDED"},
  };
};

static_assert(skew::described_enum<colors::color>);
static_assert(skew::described_enum<colors::status>);
static_assert(skew::enum_name(colors::color::green) == "green");
static_assert(skew::enum_name(colors::status::suspended) == "SUSPENDED");
static_assert(skew::enum_from_name<colors::status>("ACTIVE") == colors::status::active);
static_assert(!skew::enum_from_name<colors::status>("active").has_value());

TEST_CASE("open_enum: known and unknown values") {
  skew::open_enum<colors::color> known = colors::color::blue;
  CHECK(known.is_known());
  CHECK(known.known() == colors::color::blue);
  CHECK(known.text() == "blue");
  CHECK(known == colors::color::blue);

  auto unknown = skew::open_enum<colors::color>::unknown("ultraviolet");
  CHECK_FALSE(unknown.is_known());
  CHECK_FALSE(unknown.known().has_value());
  CHECK(unknown.text() == "ultraviolet");
  CHECK(unknown.value_or(colors::color::red) == colors::color::red);
  CHECK(unknown != known);
  CHECK(unknown == skew::open_enum<colors::color>::unknown("ultraviolet"));

  // unknown() with a known name gives the known value, so equality does not depend on the path.
  CHECK(skew::open_enum<colors::color>::unknown("red") == colors::color::red);
}

namespace colors {
struct Paint {
  color base;
  skew::open_enum<color> accent;
  status state;
};
SKEW_DESCRIBE(Paint, base, accent, state)
}  // namespace colors

TEST_CASE("enums decode by name; closed enums reject unknown names, open enums keep them") {
  skew::decoder d;
  auto ok =
      d.decode<colors::Paint>(R"({"base":"green","accent":"ultraviolet","state":"SUSPENDED"})");
  REQUIRE(ok);
  CHECK(ok->base == colors::color::green);
  CHECK(ok->accent.text() == "ultraviolet");
  CHECK_FALSE(ok->accent.is_known());
  CHECK(ok->state == colors::status::suspended);

  auto bad = d.decode<colors::Paint>(R"({"base":"purple","accent":"red","state":"ACTIVE"})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == skew::errc::invalid_enum);
  CHECK(bad.error().path == "/base");

  auto wrong = d.decode<colors::Paint>(R"({"base":1,"accent":"red","state":"ACTIVE"})");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == skew::errc::wrong_type);

  auto escaped =
      d.decode<colors::Paint>(R"({"base":"r\u0065d","accent":"r\u0065d","state":"ACTIVE"})");
  REQUIRE(escaped);
  CHECK(escaped->base == colors::color::red);
  CHECK(escaped->accent == colors::color::red);
}

namespace late {
enum class Stage { draft, live };
// The member names open_enum<Stage> before Stage is described: the requirement is checked where a
// value is made or read.
struct Doc {
  skew::open_enum<Stage> stage;
};
SKEW_ENUM(Stage, draft, live)
SKEW_DESCRIBE(Doc, stage)
}  // namespace late

TEST_CASE("open_enum: may be named before its enum's SKEW_ENUM") {
  skew::decoder decoder;
  auto live = decoder.decode<late::Doc>(R"({"stage":"live"})");
  REQUIRE(live);
  CHECK(live->stage == late::Stage::live);
  auto archived = decoder.decode<late::Doc>(R"({"stage":"archived"})");
  REQUIRE(archived);
  CHECK_FALSE(archived->stage.is_known());
  CHECK(archived->stage.text() == "archived");
  CHECK(late::Doc{}.stage == late::Stage::draft);
}

// Compile-time compatibility: each rule catches a real breaking change, and explain() names it.
#include <skew/evolve/compat.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace compat_test {
enum class Channel { email, sms };
SKEW_ENUM(Channel, email, sms)

struct V1 {
  std::string to;
  std::int32_t retries = 0;
};
SKEW_DESCRIBE(V1, to, retries)

// Adds an optional field: compatible both ways.
struct V2 {
  std::string to;
  std::int32_t retries = 0;
  std::optional<std::string> locale;
};
SKEW_DESCRIBE(V2, to, retries, locale)

// Widens an integer: the new reader holds every old value, not the other way round.
struct V2Widened {
  std::string to;
  std::int64_t retries = 0;
};
SKEW_DESCRIBE(V2Widened, to, retries)

// Adds a required field: new cannot read old (backward breaks); old still reads new.
struct V2Required {
  std::string to;
  std::int32_t retries = 0;
  std::string locale;
};
SKEW_DESCRIBE(V2Required, to, retries, locale)

// Adds the same field with a default: backward compatible.
struct V2Default {
  std::string to;
  std::int32_t retries = 0;
  std::string locale;
};

// Removes a required field: the old reader misses it (forward breaks).
struct V2Removed {
  std::int32_t retries = 0;
};
SKEW_DESCRIBE(V2Removed, retries)

// Changes a type incompatibly: both directions break.
struct V2Retyped {
  std::string to;
  std::string retries;
};
SKEW_DESCRIBE(V2Retyped, to, retries)

// Narrows an integer: the new reader cannot hold every old value.
struct V2Narrowed {
  std::string to;
  std::int16_t retries = 0;
};
SKEW_DESCRIBE(V2Narrowed, to, retries)

// Turns a field optional: old readers (which require it) may not get it.
struct V2Optional {
  std::optional<std::string> to;
  std::int32_t retries = 0;
};
SKEW_DESCRIBE(V2Optional, to, retries)

// Renames with an alias and dual-writes: compatible both ways.
struct V2Renamed {
  std::string recipient;
  std::int32_t retries = 0;
};

// Closed enum vs open enum.
struct ClosedChannel {
  Channel channel = Channel::email;
};
SKEW_DESCRIBE(ClosedChannel, channel)
struct OpenChannel {
  skew::open_enum<Channel> channel;
};
SKEW_DESCRIBE(OpenChannel, channel)

// Nested structs are checked member by member.
struct Line {
  std::string sku;
};
SKEW_DESCRIBE(Line, sku)
struct LineV2 {
  std::string sku;
  int quantity = 0;
};
SKEW_DESCRIBE(LineV2, sku, quantity)
struct Order1 {
  std::vector<Line> lines;
};
SKEW_DESCRIBE(Order1, lines)
struct Order2 {
  std::vector<LineV2> lines;
};
SKEW_DESCRIBE(Order2, lines)

V2 upcast(V1&& v) {
  return {std::move(v.to), v.retries, std::nullopt};
}
}  // namespace compat_test

template <>
struct skew::describe<compat_test::V2Default> {
  static constexpr auto fields =
      skew::fields(skew::member<&compat_test::V2Default::to>("to"),
                   skew::member<&compat_test::V2Default::retries>("retries"),
                   skew::member<&compat_test::V2Default::locale>("locale").default_value("en"));
};
template <>
struct skew::describe<compat_test::V2Renamed> {
  static constexpr auto fields = skew::fields(
      skew::member<&compat_test::V2Renamed::recipient>("recipient").alias("to").dual_write(),
      skew::member<&compat_test::V2Renamed::retries>("retries"));
};

namespace ct = compat_test;
using skew::compatible;
namespace compat = skew::compat;

// Safe evolutions.
static_assert(compatible<ct::V1, ct::V2, compat::full>);
static_assert(compatible<ct::V1, ct::V2Default, compat::backward>);
static_assert(compatible<ct::V1, ct::V2Widened, compat::backward>);
static_assert(!compatible<ct::V1, ct::V2Widened, compat::forward>);
static_assert(compatible<ct::V1, ct::V2Renamed, compat::full>);
static_assert(compatible<ct::ClosedChannel, ct::OpenChannel, compat::backward>);

// Each rule catching a breaking change.
static_assert(!compatible<ct::V1, ct::V2Required, compat::backward>);  // new required field
static_assert(compatible<ct::V1, ct::V2Required, compat::forward>);    // ...old still reads new
static_assert(!compatible<ct::V1, ct::V2Removed, compat::forward>);    // removed required field
static_assert(compatible<ct::V1, ct::V2Removed, compat::backward>);
static_assert(!compatible<ct::V1, ct::V2Retyped, compat::backward>);  // incompatible type
static_assert(!compatible<ct::V1, ct::V2Retyped, compat::forward>);
static_assert(!compatible<ct::V1, ct::V2Narrowed, compat::backward>);  // narrowing
static_assert(compatible<ct::V1, ct::V2Narrowed, compat::forward>);    // ...widening back is fine
static_assert(!compatible<ct::V1, ct::V2Optional, compat::forward>);   // optional where required
static_assert(compatible<ct::V1, ct::V2Optional, compat::backward>);
static_assert(!compatible<ct::OpenChannel, ct::ClosedChannel, compat::backward>);  // open -> closed
static_assert(!compatible<ct::Order1, ct::Order2, compat::backward>);  // nested required field
static_assert(compatible<ct::Order1, ct::Order2, compat::forward>);

using Good = skew::message<"good", ct::V1, ct::V2>;
using Bad = skew::message<"bad", ct::V1, ct::V2, skew::version<3, ct::V2Removed>>;
static_assert(skew::family_compatible<Good, compat::full_transitive>);
static_assert(!skew::family_compatible<Bad, compat::forward>);
static_assert(skew::family_compatible<Bad, compat::backward>);
// Transitive modes check pairs that are not neighbours too.
using Skip = skew::message<"skip", ct::V2Removed, ct::V1, ct::V2Narrowed>;
static_assert(skew::family_compatible<Skip, compat::forward>);  // neighbours only
static_assert(!skew::family_compatible<Skip, compat::full_transitive>);

TEST_CASE("explain names every violation with its field, rule and types") {
  const auto none = compat::explain<ct::V1, ct::V2, compat::full>();
  CHECK(none.empty());

  const auto required = compat::explain<ct::V1, ct::V2Required, compat::full>();
  REQUIRE(required.size() == 1);
  CHECK(required[0].field == "/locale");
  CHECK(required[0].rule ==
        "backward (new reads old): a field the reader requires is missing from the writer");
  CHECK(required[0].reader_type.find("string") != std::string::npos);
  CHECK(required[0].writer_type.empty());

  const auto retyped = compat::explain<ct::V1, ct::V2Retyped, compat::full>();
  REQUIRE(retyped.size() == 2);
  CHECK(retyped[0].field == "/retries");
  CHECK(retyped[0].rule.find("backward") == 0);
  CHECK(retyped[1].rule.find("forward") == 0);
  CHECK(retyped[1].reader_type == "int");
  CHECK(fmt::format("{}", retyped[1])
            .find("/retries: forward (old reads new): the reader does not "
                  "accept the writer's type (reader int, writer ") == 0);

  const auto nested = compat::explain<ct::Order1, ct::Order2, compat::backward>();
  REQUIRE(nested.size() == 1);
  CHECK(nested[0].field == "/lines/quantity");
}

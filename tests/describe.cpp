#include <skew/model/describe.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <tuple>

namespace shapes {
struct Short {
  int a;
  std::string b;
  std::optional<int> c;
  skew::field<int> d;
  skew::unknown_fields rest;
};
SKEW_DESCRIBE(Short, a, b, c, d, rest)

struct Long {
  long amount_minor;
  std::string currency;
  int plain;
  std::optional<int> must;
};
}  // namespace shapes

template <>
struct skew::describe<shapes::Long> {
  static constexpr auto fields = skew::fields(
      skew::member<&shapes::Long::amount_minor>("amount_minor").alias("amountCents").dual_write(),
      skew::member<&shapes::Long::currency>("currency").default_value("EUR"),
      skew::member<&shapes::Long::plain>("plain").required(false),
      skew::member<&shapes::Long::must>("must").required());
};

struct Undescribed {
  int x;
};

static_assert(skew::described<shapes::Short>);
static_assert(skew::described<shapes::Long>);
static_assert(!skew::described<Undescribed>);
static_assert(!skew::described<int>);

TEST_CASE("internal: SKEW_DESCRIBE: names equal member names, rules follow the member types") {
  constexpr auto& f = skew::fields_of<shapes::Short>;
  static_assert(std::tuple_size_v<std::decay_t<decltype(f)>> == 5);
  static_assert(std::get<0>(f).name == "a");
  static_assert(std::get<1>(f).name == "b");
  static_assert(std::get<4>(f).is_unknown_fields);
  static_assert(skew::detail::member_is_required(std::get<0>(f)));   // plain int
  static_assert(skew::detail::member_is_required(std::get<1>(f)));   // plain string
  static_assert(!skew::detail::member_is_required(std::get<2>(f)));  // optional
  static_assert(!skew::detail::member_is_required(std::get<3>(f)));  // field
  static_assert(!skew::detail::member_is_required(std::get<4>(f)));  // unknown_fields
  CHECK(std::get<0>(f).alias_count == 0);
}

TEST_CASE("internal: long form: names, aliases, defaults and requirement overrides") {
  constexpr auto& f = skew::fields_of<shapes::Long>;
  static_assert(std::get<0>(f).name == "amount_minor");
  static_assert(std::get<0>(f).alias_count == 1);
  static_assert(std::get<0>(f).aliases[0] == "amountCents");
  static_assert(std::get<0>(f).writes_aliases);
  static_assert(std::decay_t<decltype(std::get<1>(f))>::has_default);
  static_assert(std::string_view(std::get<1>(f).default_) == "EUR");
  static_assert(!skew::detail::member_is_required(std::get<1>(f)));  // has a default
  static_assert(!skew::detail::member_is_required(std::get<2>(f)));  // required(false)
  static_assert(skew::detail::member_is_required(std::get<3>(f)));   // optional made required
  shapes::Long value{};
  std::get<0>(f).get(value) = 42;
  CHECK(value.amount_minor == 42);
}

#include <skew/model/field.hpp>

#include <doctest/doctest.h>

#include <string>

TEST_CASE("field: default-constructed is missing") {
  skew::field<int> f;
  CHECK(f.is_missing());
  CHECK_FALSE(f.is_null());
  CHECK_FALSE(f.has_value());
  CHECK(f.state() == skew::presence::missing);
  CHECK(f.value_or(9) == 9);
}

TEST_CASE("field: null and value states") {
  skew::field<std::string> n = skew::null;
  CHECK(n.is_null());
  CHECK(n.state() == skew::presence::null);
  CHECK(n.value_or("fallback") == "fallback");

  skew::field<std::string> v = std::string("x");
  CHECK(v.has_value());
  CHECK(v.value() == "x");
  CHECK(*v == "x");
  CHECK(v->size() == 1);
  CHECK(v.value_or("fallback") == "x");

  skew::field<std::string> from_literal = "lit";
  CHECK(from_literal.value() == "lit");
}

TEST_CASE("field: equality distinguishes the three states") {
  skew::field<int> missing;
  skew::field<int> null = skew::null;
  skew::field<int> zero = 0;
  skew::field<int> one = 1;
  CHECK(missing == skew::field<int>{});
  CHECK(missing != null);
  CHECK(null != zero);
  CHECK(zero != one);
  CHECK(one == skew::field<int>(1));
  CHECK(null == skew::null);
  CHECK(one == 1);
  CHECK_FALSE(missing == 0);
}

TEST_CASE("field: reset, set_null and emplace move between states") {
  skew::field<int> f = 3;
  f.set_null();
  CHECK(f.is_null());
  f.emplace(4);
  CHECK(f.value() == 4);
  f.reset();
  CHECK(f.is_missing());
}

static_assert(skew::field<int>(2).value() == 2, "field is usable in constant expressions");
static_assert(skew::field<int>(skew::null).is_null());

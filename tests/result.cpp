#include <skew/base/result.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>

TEST_CASE("result: holds a value") {
  skew::result<std::string> r = std::string("hello");
  CHECK(r.has_value());
  CHECK(static_cast<bool>(r));
  CHECK(r.value() == "hello");
  CHECK(*r == "hello");
  CHECK(r->size() == 5);
  CHECK(r.value_or("other") == "hello");
}

TEST_CASE("result: holds an error") {
  skew::result<int> r = skew::failure(skew::errc::missing_field, "/to");
  CHECK_FALSE(r.has_value());
  CHECK_FALSE(static_cast<bool>(r));
  CHECK(r.error().code == skew::errc::missing_field);
  CHECK(r.error().path == "/to");
  CHECK(r.value_or(7) == 7);
}

TEST_CASE("result: move-only values") {
  skew::result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  REQUIRE(r);
  std::unique_ptr<int> p = std::move(r).value();
  CHECK(*p == 5);
}

TEST_CASE("result<void>: success and failure") {
  skew::result<void> ok;
  CHECK(ok.has_value());
  skew::result<void> bad = skew::failure(skew::errc::too_large);
  CHECK_FALSE(bad);
  CHECK(bad.error().code == skew::errc::too_large);
}

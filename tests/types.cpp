// Every type the decoder reads, with its edges.
#include <skew/payload/decoder.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

template <class T>
skew::result<T> decode(std::string_view json) {
  static skew::decoder d;
  return d.decode<T>(json);
}

template <class T>
skew::errc error_of(std::string_view json) {
  auto r = decode<T>(json);
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

}  // namespace

TEST_CASE("bool") {
  CHECK(*decode<bool>("true") == true);
  CHECK(*decode<bool>("false") == false);
  CHECK(error_of<bool>("1") == skew::errc::wrong_type);
  CHECK(error_of<bool>("\"true\"") == skew::errc::wrong_type);
  CHECK(error_of<bool>("tru") == skew::errc::malformed_json);
  CHECK(error_of<bool>("null") == skew::errc::unexpected_null);
}

TEST_CASE_TEMPLATE("signed integers: exact bounds and one past them", T, std::int8_t, std::int16_t,
                   std::int32_t, std::int64_t) {
  using lim = std::numeric_limits<T>;
  CHECK(*decode<T>(std::to_string(lim::max())) == lim::max());
  CHECK(*decode<T>(std::to_string(lim::min())) == lim::min());
  if constexpr (sizeof(T) < 8) {
    CHECK(error_of<T>(std::to_string(std::int64_t{lim::max()} + 1)) == skew::errc::out_of_range);
    CHECK(error_of<T>(std::to_string(std::int64_t{lim::min()} - 1)) == skew::errc::out_of_range);
  } else {
    CHECK(error_of<T>("9223372036854775808") == skew::errc::out_of_range);
    CHECK(error_of<T>("-9223372036854775809") == skew::errc::out_of_range);
  }
  CHECK(*decode<T>("-0") == 0);
  CHECK(error_of<T>("1.0") == skew::errc::wrong_type);
  CHECK(error_of<T>("1e2") == skew::errc::wrong_type);
  CHECK(error_of<T>("\"1\"") == skew::errc::wrong_type);
  CHECK(error_of<T>("01") == skew::errc::malformed_json);
  CHECK(error_of<T>("-") == skew::errc::malformed_json);
}

TEST_CASE_TEMPLATE("unsigned integers: exact bounds, negatives, overflow", T, std::uint8_t,
                   std::uint16_t, std::uint32_t, std::uint64_t) {
  using lim = std::numeric_limits<T>;
  CHECK(*decode<T>(std::to_string(lim::max())) == lim::max());
  CHECK(*decode<T>("0") == 0);
  CHECK(error_of<T>("-1") == skew::errc::out_of_range);
  if constexpr (sizeof(T) < 8) {
    CHECK(error_of<T>(std::to_string(std::uint64_t{lim::max()} + 1)) == skew::errc::out_of_range);
  } else {
    CHECK(error_of<T>("18446744073709551616") == skew::errc::out_of_range);
  }
}

TEST_CASE("floating point") {
  CHECK(*decode<double>("1.5") == 1.5);
  CHECK(*decode<double>("-2") == -2.0);
  CHECK(*decode<double>("1e300") == 1e300);
  CHECK(*decode<float>("0.25") == 0.25f);
  CHECK(error_of<double>("1e309") == skew::errc::out_of_range);
  CHECK(error_of<float>("1e39") == skew::errc::out_of_range);
  CHECK(error_of<double>("\"1.5\"") == skew::errc::wrong_type);
  CHECK(error_of<double>("1.") == skew::errc::malformed_json);
  CHECK(error_of<double>("NaN") == skew::errc::malformed_json);
}

TEST_CASE("strings: escapes, unicode, control characters") {
  CHECK(*decode<std::string>(R"("plain")") == "plain");
  CHECK(*decode<std::string>(R"("a\"b\\c\/d\n\t")") == "a\"b\\c/d\n\t");
  CHECK(*decode<std::string>(R"("\u00e9\ud83d\ude00")") == "\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(*decode<std::string>(R"("nul\u0000inside")") == std::string("nul\0inside", 10));
  CHECK(error_of<std::string>("\"tab\there\"") == skew::errc::malformed_json);
  CHECK(error_of<std::string>(R"("\q")") == skew::errc::malformed_json);
  CHECK(error_of<std::string>(R"("\ud800")") == skew::errc::invalid_utf8);
  CHECK(error_of<std::string>(R"("\udc00\ud800")") == skew::errc::invalid_utf8);
  CHECK(error_of<std::string>("12") == skew::errc::wrong_type);
}

namespace views {
struct Views {
  std::string_view plain;
  std::string_view escaped;
  skew::raw_json raw;
};
SKEW_DESCRIBE(Views, plain, escaped, raw)
}  // namespace views

TEST_CASE("string_view and raw_json are views: into the input when unescaped") {
  skew::decoder d;
  simdjson::padded_string input(
      std::string_view(R"({"plain":"abc","escaped":"a\nb","raw":{"k": [1, 2]} })"));
  auto r = d.decode<views::Views>(input);
  REQUIRE(r);
  CHECK(r->plain == "abc");
  CHECK(r->escaped == "a\nb");
  CHECK(r->raw.json() == R"({"k": [1, 2]})");
  const char* begin = input.data();
  const char* end = input.data() + input.size();
  CHECK((r->plain.data() >= begin && r->plain.data() < end));  // zero-copy
  CHECK((r->raw.json().data() >= begin && r->raw.json().data() < end));
}

TEST_CASE("raw_json keeps any value's text, validated") {
  CHECK(decode<skew::raw_json>(" [1, {\"a\":null}] ")->json() == "[1, {\"a\":null}]");
  CHECK(decode<skew::raw_json>("\"s\"")->json() == "\"s\"");
  CHECK(decode<skew::raw_json>("-1.5e3")->json() == "-1.5e3");
  CHECK(error_of<skew::raw_json>("[1,tru]") == skew::errc::malformed_json);
  CHECK(error_of<skew::raw_json>("1 2") == skew::errc::trailing_content);
}

TEST_CASE("optional, vector, vector<bool>, maps") {
  CHECK_FALSE(decode<std::optional<int>>("null")->has_value());
  CHECK(decode<std::optional<int>>("3")->value() == 3);
  CHECK(*decode<std::vector<int>>("[1,2,3]") == std::vector<int>{1, 2, 3});
  CHECK(decode<std::vector<int>>("[]")->empty());
  CHECK(*decode<std::vector<bool>>("[true,false]") == std::vector<bool>{true, false});
  auto m = decode<std::map<std::string, int>>(R"({"b":2,"a":1,"\u0063":3})");
  REQUIRE(m);
  CHECK(*m == std::map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 3}});
  auto u = decode<std::unordered_map<std::string, std::vector<int>>>(R"({"x":[1],"y":[]})");
  REQUIRE(u);
  CHECK(u->at("x") == std::vector<int>{1});
  CHECK(error_of<std::map<std::string, int>>(R"({"a":1,"a":2})") == skew::errc::duplicate_key);
  CHECK(error_of<std::map<std::string, int>>(R"({"a":"1"})") == skew::errc::wrong_type);
  CHECK(error_of<std::vector<int>>(R"([1,"2"])") == skew::errc::wrong_type);
  CHECK(error_of<std::vector<int>>("{}") == skew::errc::wrong_type);
  auto path = decode<std::vector<std::vector<int>>>("[[1],[2,null]]");
  REQUIRE_FALSE(path);
  CHECK(path.error().path == "/1/1");
  CHECK(path.error().code == skew::errc::unexpected_null);
}

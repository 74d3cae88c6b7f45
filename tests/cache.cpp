// Versioned cache keys and decode_cached: another version's entry is a miss, not an error.
#include <skew/envelope/cache.hpp>

#include <doctest/doctest.h>

#include <string>

namespace cached {
struct ProfileV1 {
  std::string name;
};
SKEW_DESCRIBE(ProfileV1, name)
struct ProfileV2 {
  std::string name;
  std::string email;
};
SKEW_DESCRIBE(ProfileV2, name, email)
ProfileV2 upcast(ProfileV1&& v) {
  return {std::move(v.name), ""};
}
}  // namespace cached

using Profile = skew::message<"profile", cached::ProfileV1, cached::ProfileV2>;
using ProfileN = skew::message<"profile", cached::ProfileV1>;  // what build N knows

TEST_CASE("cache keys carry the version") {
  CHECK(skew::cache_key<Profile>("user", 123) == "user:123:v2");
  CHECK(skew::cache_key<ProfileN>("user", 123) == "user:123:v1");
  CHECK(skew::cache_key<Profile>("user", "ada", 1) == "user:ada:v1");
  CHECK(skew::cache_key<Profile>("user", 7, 2, "/") == "user/7/v2");
}

TEST_CASE("decode_cached: hit, version miss, corrupt entry") {
  skew::decoder decoder;
  auto v2_entry = skew::encode<Profile>(cached::ProfileV2{"Ada", "ada@example.com"});
  auto v1_entry = skew::encode<ProfileN>(cached::ProfileV1{"Alan"});
  REQUIRE(v2_entry);
  REQUIRE(v1_entry);

  auto hit = decoder.decode_cached<Profile>(*v2_entry);
  REQUIRE(hit);
  REQUIRE(hit->has_value());
  CHECK((*hit)->email == "ada@example.com");

  auto miss = decoder.decode_cached<Profile>(*v1_entry);  // N+1 reads N's entry
  REQUIRE(miss);
  CHECK_FALSE(miss->has_value());
  auto reverse = decoder.decode_cached<ProfileN>(*v2_entry);  // N reads N+1's entry
  REQUIRE(reverse);
  CHECK_FALSE(reverse->has_value());

  auto corrupt = decoder.decode_cached<Profile>(R"({"type":"profile","schemaVersion":2,"name":1})");
  REQUIRE_FALSE(corrupt);
  CHECK(corrupt.error().code == skew::errc::wrong_type);
  CHECK(corrupt.error().path == "/name");
  auto other_type = decoder.decode_cached<Profile>(R"({"type":"order","schemaVersion":2})");
  REQUIRE_FALSE(other_type);
  CHECK(other_type.error().path == "/type");
  CHECK_FALSE(decoder.decode_cached<Profile>("{"));
}

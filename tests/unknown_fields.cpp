#include <skew/model/unknown_fields.hpp>
#include <skew/payload/decoder.hpp>

#include <doctest/doctest.h>

namespace keep {
struct Event {
  std::string type;
  skew::unknown_fields rest;
};
SKEW_DESCRIBE(Event, type, rest)
}  // namespace keep

TEST_CASE("unknown_fields collects undescribed keys with their raw values, in order") {
  skew::decoder d;
  auto r = d.decode<keep::Event>(
      R"({"a":1,"type":"x","b":{"n":[1, 2 ,null]},"c":"s\u00e9","d":null, "e" : true })");
  REQUIRE(r);
  CHECK(r->type == "x");
  REQUIRE(r->rest.size() == 5);
  auto it = r->rest.begin();
  CHECK(it->key == "a");
  CHECK(it->json == "1");
  ++it;
  CHECK(it->key == "b");
  CHECK(it->json == R"({"n":[1, 2 ,null]})");
  ++it;
  CHECK(it->json == R"("s\u00e9")");
  CHECK(*r->rest.find("d") == "null");
  CHECK(*r->rest.find("e") == "true");
  CHECK(r->rest.find("type") == nullptr);
  CHECK_FALSE(r->rest.contains("zzz"));
}

TEST_CASE("unknown_fields owns its data: it survives the decoder's next decode") {
  skew::decoder d;
  auto first = d.decode<keep::Event>(R"({"type":"x","kept":[1,2,3]})");
  REQUIRE(first);
  auto second = d.decode<keep::Event>(R"({"type":"y","other":"zzzzzzzzzzzzzzzzzzzzzzzzzzz"})");
  REQUIRE(second);
  CHECK(*first->rest.find("kept") == "[1,2,3]");
}

TEST_CASE("captured values are validated, and strict mode still rejects") {
  skew::decoder d;
  auto bad = d.decode<keep::Event>(R"({"type":"x","kept":[1,tru]})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == skew::errc::malformed_json);
  CHECK(bad.error().path == "/kept/1");
  skew::options strict;
  strict.unknown_keys = skew::unknown_keys::reject;
  auto rejected = d.decode<keep::Event>(R"({"type":"x","kept":1})", strict);
  REQUIRE_FALSE(rejected);
  CHECK(rejected.error().code == skew::errc::unknown_key);
}

TEST_CASE("decode_into clears previously captured unknown fields") {
  skew::decoder d;
  keep::Event e;
  REQUIRE(d.decode_into(e, R"({"type":"x","a":1})"));
  REQUIRE(d.decode_into(e, R"({"type":"y"})"));
  CHECK(e.rest.empty());
}

TEST_CASE("unknown_fields without validation keeps the raw text of containers") {
  skew::decoder d;
  skew::options fast;
  fast.validate_skipped = false;
  auto r = d.decode<keep::Event>(R"({"type":"x","obj":{"a":[1,2]},"n":5})", fast);
  REQUIRE(r);
  CHECK(*r->rest.find("obj") == R"({"a":[1,2]})");
  CHECK(*r->rest.find("n") == "5");
}

// std::array, std::deque, std::set, std::unordered_set, and maps keyed by integers or described
// enums: read, written, exported to JSON Schema and compatibility-checked.
#include <skew/skew.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace boxes {
enum class Size { small, large };
SKEW_ENUM(Size, small, large)

struct Shelf {
  std::array<int, 3> slots{};
  std::deque<std::string> queue;
  std::set<std::string> tags;
  std::unordered_set<int> ids;
  std::map<std::int32_t, std::string> by_id;
  std::unordered_map<std::uint8_t, int> small_keys;
  std::map<Size, int> by_size;
};
SKEW_DESCRIBE(Shelf, slots, queue, tags, ids, by_id, small_keys, by_size)

// Other builds' shapes of the same members, for the compatibility checks.
struct ShelfLists {
  std::vector<int> slots;
  std::vector<std::string> queue;
  std::vector<std::string> tags;
  std::vector<int> ids;
  std::map<std::string, std::string> by_id;
  std::map<std::int64_t, int> small_keys;
  std::map<std::string, int> by_size;
};
SKEW_DESCRIBE(ShelfLists, slots, queue, tags, ids, by_id, small_keys, by_size)
}  // namespace boxes

namespace {
constexpr std::string_view shelf_json =
    R"({"slots":[1,2,3],"queue":["a","b"],"tags":["x","y"],"ids":[7],"by_id":{"-4":"m","12":"n"},)"
    R"("small_keys":{"255":1},"by_size":{"large":2,"small":1}})";
}

TEST_CASE("containers: read") {
  skew::decoder decoder;
  auto s = decoder.decode<boxes::Shelf>(shelf_json);
  REQUIRE(s);
  CHECK(s->slots == std::array<int, 3>{1, 2, 3});
  CHECK(s->queue == std::deque<std::string>{"a", "b"});
  CHECK(s->tags == std::set<std::string>{"x", "y"});
  CHECK(s->ids == std::unordered_set<int>{7});
  CHECK(s->by_id == std::map<std::int32_t, std::string>{{-4, "m"}, {12, "n"}});
  CHECK(s->small_keys.at(255) == 1);
  CHECK(s->by_size == std::map<boxes::Size, int>{{boxes::Size::small, 1}, {boxes::Size::large, 2}});
}

TEST_CASE("containers: a wrong length, a repeated element, a bad key") {
  skew::decoder decoder;
  struct bad_case {
    const char* json;
    skew::errc code;
    const char* path;
  };
  for (const bad_case& b : {
           bad_case{R"({"slots":[1,2]})", skew::errc::out_of_range, "/slots"},
           bad_case{R"({"slots":[1,2,3,4]})", skew::errc::out_of_range, "/slots"},
           bad_case{R"({"slots":[1,2,"3"]})", skew::errc::wrong_type, "/slots/2"},
           bad_case{R"({"slots":[1,2,3],"tags":["x","x"]})", skew::errc::duplicate_key, "/tags/1"},
           bad_case{R"({"slots":[1,2,3],"ids":[1,2,1]})", skew::errc::duplicate_key, "/ids/2"},
           bad_case{R"({"slots":[1,2,3],"by_id":{"x":"m"}})", skew::errc::wrong_type, "/by_id/x"},
           bad_case{R"({"slots":[1,2,3],"by_id":{"1.5":"m"}})", skew::errc::wrong_type,
                    "/by_id/1.5"},
           bad_case{R"({"slots":[1,2,3],"by_id":{"3000000000":"m"}})", skew::errc::out_of_range,
                    "/by_id/3000000000"},
           bad_case{R"({"slots":[1,2,3],"small_keys":{"256":1}})", skew::errc::out_of_range,
                    "/small_keys/256"},
           bad_case{R"({"slots":[1,2,3],"by_id":{"1":"m","01":"n"}})", skew::errc::duplicate_key,
                    "/by_id/01"},
           bad_case{R"({"slots":[1,2,3],"by_size":{"huge":1}})", skew::errc::invalid_enum,
                    "/by_size/huge"},
       }) {
    const std::string json = b.json;
    CAPTURE(json);
    auto s = decoder.decode<boxes::Shelf>(json);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == b.code);
    CHECK(s.error().path == b.path);
  }
}

TEST_CASE("containers: written and read back equal") {
  boxes::Shelf s;
  s.slots = {4, 5, 6};
  s.queue = {"q"};
  s.tags = {"b", "a"};
  s.ids = {3};
  s.by_id = {{-1, "neg"}, {2, "two"}};
  s.small_keys = {{9, 90}};
  s.by_size = {{boxes::Size::large, 5}};
  auto json = skew::encode(s);
  REQUIRE(json);
  CHECK(*json == R"({"slots":[4,5,6],"queue":["q"],"tags":["a","b"],"ids":[3],)"
                 R"("by_id":{"-1":"neg","2":"two"},"small_keys":{"9":90},"by_size":{"large":5}})");
  skew::decoder decoder;
  auto back = decoder.decode<boxes::Shelf>(*json);
  REQUIRE(back);
  CHECK(back->slots == s.slots);
  CHECK(back->tags == s.tags);
  CHECK(back->by_id == s.by_id);
  CHECK(back->by_size == s.by_size);
  // A key without an enumerator's name cannot be written.
  s.by_size = {{static_cast<boxes::Size>(9), 1}};
  auto unnamed = skew::encode(s);
  REQUIRE_FALSE(unnamed);
  CHECK(unnamed.error().code == skew::errc::invalid_enum);
}

TEST_CASE("containers: schema and compatibility") {
  const std::string schema = skew::json_schema<boxes::Shelf>();
  CHECK(schema.find(R"("slots":{"type":"array","items":{"type":"integer",)") != std::string::npos);
  CHECK(schema.find(R"("minItems":3,"maxItems":3})") != std::string::npos);
  CHECK(schema.find(R"("tags":{"type":"array","items":{"type":"string"},"uniqueItems":true})") !=
        std::string::npos);
  CHECK(schema.find(
            R"("by_id":{"type":"object","propertyNames":{"pattern":"^-?(0|[1-9][0-9]*)$"})") !=
        std::string::npos);
  CHECK(schema.find(R"("by_size":{"type":"object","propertyNames":{"enum":["small","large"]})") !=
        std::string::npos);
  // compatible<Old, New, backward>: New reads Old. Lists read the fixed, set and keyed forms;
  // the reverse may not hold (a list of any length, with repeats, string or wider keys).
  static_assert(skew::compatible<boxes::Shelf, boxes::ShelfLists, skew::compat::backward>);
  static_assert(!skew::compatible<boxes::ShelfLists, boxes::Shelf, skew::compat::backward>);
  const auto found =
      skew::compat::explain<boxes::ShelfLists, boxes::Shelf, skew::compat::backward>();
  std::vector<std::string> fields;
  for (const auto& v : found) fields.push_back(v.field);
  CHECK(fields ==
        std::vector<std::string>{"/slots", "/tags", "/ids", "/by_id", "/small_keys", "/by_size"});
}

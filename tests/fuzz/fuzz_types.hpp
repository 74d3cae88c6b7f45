// The types the fuzz targets decode: every kind of field skew reads.
#pragma once

#include <skew/skew.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace fuzz {
enum class Color { red, green, blue };
SKEW_ENUM(Color, red, green, blue)

struct Inner {
  std::int32_t n = 0;
  std::optional<std::string> label;
  friend bool operator==(const Inner&, const Inner&) = default;
};
SKEW_DESCRIBE(Inner, n, label)

struct Dot {
  std::optional<double> x;
  friend bool operator==(const Dot&, const Dot&) = default;
};
SKEW_DESCRIBE(Dot, x)
using Shape = std::variant<Inner, Dot, skew::unknown_alternative>;
SKEW_TAGGED(Shape, "kind", "inner", "dot")

struct Everything {
  skew::field<std::string> name;
  std::optional<std::int64_t> count;
  std::optional<std::uint8_t> small;
  std::optional<double> ratio;
  std::optional<bool> flag;
  std::optional<Inner> inner;
  std::optional<std::vector<Inner>> items;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::map<std::string, std::int64_t>> counts;
  std::optional<Color> color;
  std::optional<skew::open_enum<Color>> shade;
  std::optional<skew::raw_json> raw;
  std::optional<std::vector<Shape>> shapes;
  skew::unknown_fields unknown;
  friend bool operator==(const Everything&, const Everything&) = default;
};
}  // namespace fuzz

template <>
struct skew::describe<fuzz::Everything> {
  static constexpr auto fields = skew::fields(
      skew::member<&fuzz::Everything::name>("name"),
      skew::member<&fuzz::Everything::count>("count").alias("total"),
      skew::member<&fuzz::Everything::small>("small"),
      skew::member<&fuzz::Everything::ratio>("ratio"),
      skew::member<&fuzz::Everything::flag>("flag"),
      skew::member<&fuzz::Everything::inner>("inner"),
      skew::member<&fuzz::Everything::items>("items"),
      skew::member<&fuzz::Everything::tags>("tags"),
      skew::member<&fuzz::Everything::counts>("counts"),
      skew::member<&fuzz::Everything::color>("color"),
      skew::member<&fuzz::Everything::shade>("shade"), skew::member<&fuzz::Everything::raw>("raw"),
      skew::member<&fuzz::Everything::shapes>("shapes"),
      skew::member<&fuzz::Everything::unknown>("unknown"));
};

namespace fuzz {
using Family = skew::message<"everything", Inner, Everything>;
inline Everything upcast(Inner&& i) {
  Everything e;
  e.inner = std::move(i);
  return e;
}
}  // namespace fuzz

// <skew/fwd.hpp>: a header of the application's own describes its types and gives one a codec with
// the customization points alone (no fmt, no simdjson), and the full library then reads and
// writes them.
#include <skew/fwd.hpp>

#if defined(FMT_VERSION)
#error "skew/fwd.hpp includes fmt"
#endif
#if defined(SIMDJSON_VERSION)
#error "skew/fwd.hpp includes simdjson"
#endif

#include <cstdint>
#include <string>
#include <string_view>

namespace app {
struct Uuid {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  friend bool operator==(const Uuid&, const Uuid&) = default;
};
struct Order {
  Uuid order;
  std::string sku;
};
SKEW_DESCRIBE(Order, order, sku)
using OrderPlaced = skew::message<"order-placed", Order>;
}  // namespace app

// As the 32 hex digits of the two halves.
template <>
struct skew::codec<app::Uuid> {
  using wire = std::string_view;
  static bool read(wire in, app::Uuid& out) {
    if (in.size() != 32) return false;
    std::uint64_t halves[2] = {0, 0};
    for (std::size_t i = 0; i < 32; ++i) {
      const char c = in[i];
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return false;
      halves[i / 16] = halves[i / 16] << 4 | static_cast<std::uint64_t>(digit);
    }
    out = {halves[0], halves[1]};
    return true;
  }
  static std::string write(const app::Uuid& v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(32, '0');
    for (std::size_t i = 0; i < 16; ++i) {
      out[15 - i] = digits[(v.high >> (4 * i)) & 15];
      out[31 - i] = digits[(v.low >> (4 * i)) & 15];
    }
    return out;
  }
};

#include <skew/skew.hpp>

#include <doctest/doctest.h>

TEST_CASE("a codec and a description made with fwd.hpp alone are read and written by skew") {
  const std::string json =
      R"({"type":"order-placed","schemaVersion":1,"order":"000000000000000a00000000000000ff","sku":"x"})";
  skew::router<app::OrderPlaced> router;
  app::Uuid seen;
  router.on<app::OrderPlaced>([&](const app::Order& o) { seen = o.order; });
  const skew::outcome o = router.dispatch(json);
  CHECK(o.reason == skew::reason::handled);
  CHECK(seen == app::Uuid{10, 255});
  const auto written = skew::encode(app::Order{{10, 255}, "x"});
  REQUIRE(written);
  CHECK(*written == R"({"order":"000000000000000a00000000000000ff","sku":"x"})");
  skew::decoder d;
  const auto bad = d.decode<app::Order>(R"({"order":"not-hex","sku":"x"})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == skew::errc::invalid_value);
  CHECK(bad.error().path == "/order");
}

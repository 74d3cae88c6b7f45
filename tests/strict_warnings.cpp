// Compiled with -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror, skew's
// headers included as ordinary (non-system) headers, as a project that builds skew in-tree sees
// them: every header and the templates a consumer instantiates must compile warning-free.
#include <skew/evolve/testing.hpp>
#include <skew/skew.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>
namespace app {
enum class Channel { email, sms };
SKEW_ENUM(Channel, email, sms)
struct Addr {
  std::string city;
};
SKEW_DESCRIBE(Addr, city)
struct Pin {
  std::int32_t x = 0;
};
SKEW_DESCRIBE(Pin, x)
using Place = std::variant<Addr, Pin, skew::unknown_alternative>;
SKEW_TAGGED(Place, "kind", "addr", "pin")
struct V1 {
  std::string to;
  int n = 0;
  std::optional<double> x;
  std::vector<Addr> a;
  std::map<std::string, std::int64_t> m;
  skew::open_enum<Channel> c;
  skew::field<std::uint32_t> f;
  skew::raw_json r;
  std::vector<Place> places;
  skew::unknown_fields u;
  bool b = false;
  std::uint8_t small = 0;
  float fl = 0;
};
SKEW_DESCRIBE(V1, to, n, x, a, m, c, f, r, places, u, b, small, fl)
struct V2 {
  std::string to;
  int n = 0;
};
SKEW_DESCRIBE(V2, to, n)
inline V2 upcast(V1&& v) {
  return {std::move(v.to), v.n};
}
using Fam = skew::message<"fam", V1, V2>;
}  // namespace app
int main() {
  skew::decoder d;
  auto r = d.decode<app::V1>("{}");
  std::string out;
  (void)skew::encode_to(out, app::V2{});
  skew::router<app::Fam> router;
  router.on<app::Fam>([](const app::V2&) {});
  auto o = router.dispatch("{}");
  fmt::print("{} {}\n", o, router.stats());
  auto s = skew::json_schema<app::Fam>();
  auto places = d.decode<app::V1>(R"({"places":[{"kind":"pin","x":1},{"kind":"new"}]})");
  static_assert(skew::compatible<app::V1, app::V1, skew::compat::full>);
  static_assert(skew::family_compatible<app::Fam, skew::compat::backward> || true);
  skew::emitter<app::Fam> em;
  auto h = skew::peek_header("{}");
  // Each call above ran: a failed decode and dispatch, a schema, an encode.
  const bool ran = !r && !places && places.error().path == "/to" &&
                   o.reason == skew::reason::invalid_envelope && !s.empty() &&
                   out == R"({"to":"","n":0})" && !h;
  (void)em;
  fmt::print("{}\n", ran ? "strict warnings ok" : "unexpected results");
  return ran ? 0 : 1;
}

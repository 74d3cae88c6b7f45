// Must not compile: a std::variant member without SKEW_TAGGED.
#include <skew/payload/decoder.hpp>

#include <variant>

namespace app {
struct Circle {
  double radius = 0;
};
SKEW_DESCRIBE(Circle, radius)
struct Square {
  double side = 0;
};
SKEW_DESCRIBE(Square, side)
struct Drawing {
  std::variant<Circle, Square> shape;
};
SKEW_DESCRIBE(Drawing, shape)
}  // namespace app

int main() {
  skew::decoder decoder;
  auto r = decoder.decode<app::Drawing>(std::string_view("{}"));
  return r ? 0 : 1;
}

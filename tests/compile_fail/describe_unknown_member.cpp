// Must not compile: SKEW_DESCRIBE names `price`, which Order does not have. One short error.
#include <skew/skew.hpp>

#include <string>

namespace app {
struct Order {
  std::string id;
  int quantity = 0;
};
SKEW_DESCRIBE(Order, id, quantity, price)
}  // namespace app

int main() {
  skew::decoder decoder;
  auto order = decoder.decode<app::Order>(std::string_view(R"({"id":"o-1","quantity":2})"));
  auto json = skew::encode(app::Order{});
  return order && json ? 0 : 1;
}

// Must not compile: the member `address` is of a struct that is not described.
#include <skew/skew.hpp>
#include <string>
namespace app {
struct Address {
  std::string city;
};
struct Mail {
  std::string to;
  Address address;
};
SKEW_DESCRIBE(Mail, to, address)
}  // namespace app
int main() {
  skew::decoder d;
  auto r = d.decode<app::Mail>(std::string_view("{}"));
  return r ? 0 : 1;
}

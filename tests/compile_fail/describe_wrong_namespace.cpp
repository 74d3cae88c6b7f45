// Must not compile: SKEW_DESCRIBE for app::Mail written outside namespace app, where skew does not
// look for it.
#include <skew/skew.hpp>
#include <string>
namespace app {
struct Mail {
  std::string to;
};
}  // namespace app
SKEW_DESCRIBE(app::Mail, to)
int main() {
  skew::decoder d;
  auto r = d.decode<app::Mail>(std::string_view("{}"));
  return r ? 0 : 1;
}

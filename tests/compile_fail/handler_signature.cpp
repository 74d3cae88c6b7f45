// Must not compile: the handler takes an int, not the family's payload struct.
#include <skew/dispatch/router.hpp>

#include <string>

namespace app {
struct Mail {
  std::string to;
};
SKEW_DESCRIBE(Mail, to)
}  // namespace app

using Mail = skew::message<"mail", app::Mail>;

int main() {
  skew::router<Mail> router;
  router.on<Mail>([](int) {});
  return 0;
}

// Must not compile: the router holds Mail only, and a handler is set for Sms.
#include <skew/dispatch/router.hpp>

#include <string>

namespace app {
struct Mail {
  std::string to;
};
SKEW_DESCRIBE(Mail, to)
struct Sms {
  std::string number;
};
SKEW_DESCRIBE(Sms, number)
}  // namespace app

using Mail = skew::message<"mail", app::Mail>;
using Sms = skew::message<"sms", app::Sms>;

int main() {
  skew::router<Mail> router;
  router.on<Sms>([](const app::Sms&) {});
  return 0;
}

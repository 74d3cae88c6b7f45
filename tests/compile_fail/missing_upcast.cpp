// Must not compile: v1 has no upcast step to v2, and a handler for the latest version needs one.
#include <skew/dispatch/router.hpp>

#include <string>

namespace fail {
struct V1 {
  std::string to;
};
SKEW_DESCRIBE(V1, to)
struct V2 {
  std::string to;
  std::string locale;
};
SKEW_DESCRIBE(V2, to, locale)
}  // namespace fail

using Mail = skew::message<"mail", fail::V1, fail::V2>;

int main() {
  skew::router<Mail> router;
  router.on<Mail>([](const fail::V2&, const skew::envelope_view&) {});
  return router.dispatch(R"({"type":"mail","schemaVersion":1,"to":"x"})").action ==
                 skew::action::ack
             ? 0
             : 1;
}

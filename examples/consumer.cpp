// A queue consumer on build N+1 during a rolling deploy: it reads send-email v1 (upcast) and v2,
// and every message it cannot handle becomes an outcome the broker adapter acts on. No exception,
// no crash, no silent drop; the stats show operators what the deploy is doing.
#include <skew/skew.hpp>

#include <fmt/core.h>

#include <string>
#include <string_view>

namespace mail {

struct SendEmailV1 {
  std::string to;
  std::string templateId;
};
SKEW_DESCRIBE(SendEmailV1, to, templateId)

// v2 adds a locale. Old messages have none: the upcast step says what that means.
struct SendEmailV2 {
  std::string to;
  std::string templateId;
  std::string locale;
};
SKEW_DESCRIBE(SendEmailV2, to, templateId, locale)

SendEmailV2 upcast(SendEmailV1&& v1) {
  return {std::move(v1.to), std::move(v1.templateId), "en"};
}

}  // namespace mail

using SendEmail = skew::message<"send-email", mail::SendEmailV1, mail::SendEmailV2>;

int main() {
  skew::router<SendEmail> router;
  router.on<SendEmail>([](const mail::SendEmailV2& m, const skew::envelope_view& env) {
    fmt::print("  handler: send '{}' to {} in {} (message {}, schemaVersion {})\n", m.templateId,
               m.to, m.locale, env.id, env.version);
  });

  const std::string_view queue[] = {
      // Written by build N.
      R"({"type":"send-email","schemaVersion":1,"id":"m-1","to":"ada@example.com","templateId":"welcome"})",
      // Written by build N+1, header last, with a key nobody described yet.
      R"({"to":"alan@example.com","templateId":"reset","locale":"en-GB","trackingId":"t-9","id":"m-2","schemaVersion":2,"type":"send-email"})",
      // A type only a newer build knows: retry, a newer pod may take it.
      R"({"type":"refund-issued","schemaVersion":1,"id":"m-3","amount":5})",
      // A version newer than this build: retry as well.
      R"({"type":"send-email","schemaVersion":3,"id":"m-4","to":"grace@example.com"})",
      // Not JSON: no retry will fix it, dead-letter it with the reason.
      R"({"type":"send-email","schemaVersion":2,"id":"m-5","to":)",
      // Valid JSON, wrong payload: dead-letter, with the field that is wrong.
      R"({"type":"send-email","schemaVersion":2,"id":"m-6","to":42,"templateId":"x","locale":"de"})",
  };
  for (std::string_view message : queue) {
    fmt::print("message: {}\n", message);
    const skew::outcome o = router.dispatch(message);
    fmt::print("  outcome: {}\n", o);
  }
  fmt::print("\nstats:\n{}\n", router.stats());
  fmt::print("\nprometheus:\n{}", skew::to_prometheus(router.stats()));
  return 0;
}

// Quick start: a consumer on build N reads a message that build N+1 wrote.
//
// The message has a key build N has never heard of, a null, and lacks a field build N describes.
// A strict reader would crash or drop it; skew reads what it knows and tells you what it saw.
#include <skew/skew.hpp>

#include <fmt/format.h>

#include <optional>
#include <string>

namespace app {

struct SendEmail {
  std::string to;
  std::string templateId;
  skew::field<std::string> replyTo;   // missing, null and set are three different things
  std::optional<std::string> locale;  // missing and null both mean "not given"
  int priority = 0;
  skew::unknown_fields unknown;  // keys this build does not know, kept to re-emit
};
// Long form: priority may be absent (old producers never wrote it) and then means 5.
}  // namespace app

template <>
struct skew::describe<app::SendEmail> {
  static constexpr auto fields =
      skew::fields(skew::member<&app::SendEmail::to>("to"),
                   skew::member<&app::SendEmail::templateId>("templateId").alias("template"),
                   skew::member<&app::SendEmail::replyTo>("replyTo"),
                   skew::member<&app::SendEmail::locale>("locale"),
                   skew::member<&app::SendEmail::priority>("priority").default_value(5),
                   skew::member<&app::SendEmail::unknown>("unknown"));
};

namespace {

std::string_view presence_name(skew::presence p) {
  switch (p) {
    case skew::presence::missing:
      return "missing";
    case skew::presence::null:
      return "null";
    case skew::presence::value:
      return "set";
  }
  return "?";
}

void show(skew::decoder& decoder, std::string_view json) {
  fmt::print("message: {}\n", json);
  auto email = decoder.decode<app::SendEmail>(json);
  if (!email) {
    fmt::print("  error: {}\n", email.error());
    return;
  }
  fmt::print("  to={} templateId={} priority={}\n", email->to, email->templateId, email->priority);
  fmt::print("  replyTo is {}{}\n", presence_name(email->replyTo.state()),
             email->replyTo ? fmt::format(" ({})", *email->replyTo) : "");
  fmt::print("  locale is {}\n", email->locale ? *email->locale : "not given");
  for (const auto& [key, json] : email->unknown)
    fmt::print("  unknown key kept: {}={}\n", key, json);
}

}  // namespace

int main() {
  skew::decoder decoder;
  // Written by build N+1: a new key (trackingId), replyTo explicitly null, no priority.
  show(decoder,
       R"({"to":"ada@example.com","templateId":"welcome","replyTo":null,"trackingId":"t-42"})");
  // Written by an old build under the field's former name, with replyTo set.
  show(decoder, R"({"template":"reset","to":"alan@example.com","replyTo":"ops@example.com",)"
                R"("locale":"en-GB","priority":1})");
  // Broken: `to` is missing. The error says which field, where, and why.
  show(decoder, R"({"templateId":"welcome"})");
  return 0;
}

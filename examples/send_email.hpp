// The send-email family as two releases define it. The consumer is compiled twice from one source,
// exactly as two releases would be: SKEW_DEMO_BUILD=1 is build N (reads v1 only) and
// SKEW_DEMO_BUILD=2 is build N+1 (reads v1, upcast, and v2). The producer always has N+1's family,
// because it must be able to write either version (v2 downcasts to v1).
#pragma once

#include <skew/skew.hpp>

#include <string>

#ifndef SKEW_DEMO_BUILD
#define SKEW_DEMO_BUILD 2
#endif

namespace mail {

struct SendEmailV1 {
  std::string to;
  std::string templateId;
};
SKEW_DESCRIBE(SendEmailV1, to, templateId)

// v2 adds the recipient's locale; a v1 message means English, as it always did.
struct SendEmailV2 {
  std::string to;
  std::string templateId;
  std::string locale;
};
SKEW_DESCRIBE(SendEmailV2, to, templateId, locale)

inline SendEmailV2 upcast(SendEmailV1&& v1) {
  return {std::move(v1.to), std::move(v1.templateId), "en"};
}
inline SendEmailV1 downcast(const SendEmailV2& v2) {
  return {v2.to, v2.templateId};
}

// A message type build N+1 introduces: build N has no family for it.
struct SendSmsV1 {
  std::string to;
  std::string text;
};
SKEW_DESCRIBE(SendSmsV1, to, text)
using SendSms = skew::message<"send-sms", SendSmsV1>;

#if SKEW_DEMO_BUILD == 1
inline constexpr const char* build_name = "N";
using SendEmail = skew::message<"send-email", SendEmailV1>;
using LatestSendEmail = SendEmailV1;
using mailer_router = skew::router<SendEmail>;
#else
inline constexpr const char* build_name = "N+1";
using SendEmail = skew::message<"send-email", SendEmailV1, SendEmailV2>;
using LatestSendEmail = SendEmailV2;
using mailer_router = skew::router<SendEmail, SendSms>;
#endif

}  // namespace mail

// The message family most snippets of the guides use: send-email, versions 1 and 2.
#pragma once

#include <skew/fwd.hpp>

#include <string>
#include <utility>

namespace app {

struct SendEmailV1 {
  std::string to;
  std::string templateId;
};
SKEW_DESCRIBE(SendEmailV1, to, templateId)

struct SendEmailV2 {
  std::string to;
  std::string templateId;
  std::string locale;
};
SKEW_DESCRIBE(SendEmailV2, to, templateId, locale)

inline SendEmailV2 upcast(SendEmailV1&& v) {
  return {std::move(v.to), std::move(v.templateId), "en"};
}
inline SendEmailV1 downcast(const SendEmailV2& v) {
  return {v.to, v.templateId};
}

}  // namespace app

using SendEmail = skew::message<"send-email", app::SendEmailV1, app::SendEmailV2>;
using app::SendEmailV1;
using app::SendEmailV2;

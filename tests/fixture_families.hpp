// The message families of the examples, as the current build (N+1 of examples/rolling_deploy.cpp)
// describes them; tests/fixtures holds what builds N and N+1 really wrote.
#pragma once

#include <skew/skew.hpp>

#include <optional>
#include <string>

namespace fixtures {

struct SendEmailV1 {
  std::string to;
  std::string templateId;
  friend bool operator==(const SendEmailV1&, const SendEmailV1&) = default;
};
SKEW_DESCRIBE(SendEmailV1, to, templateId)

struct SendEmailV2 {
  std::string to;
  std::string templateId;
  std::optional<std::string> locale;
  friend bool operator==(const SendEmailV2&, const SendEmailV2&) = default;
};
SKEW_DESCRIBE(SendEmailV2, to, templateId, locale)

inline SendEmailV2 upcast(SendEmailV1&& v1) {
  return {std::move(v1.to), std::move(v1.templateId), "en"};
}
inline SendEmailV1 downcast(const SendEmailV2& v2) {
  return {v2.to, v2.templateId};
}

struct PaymentCaptured {
  long amount_minor = 0;
  std::string currency;
  friend bool operator==(const PaymentCaptured&, const PaymentCaptured&) = default;
};

using SendEmail = skew::message<"send-email", SendEmailV1, SendEmailV2>;
using Payment = skew::message<"payment_captured", PaymentCaptured>;

}  // namespace fixtures

template <>
struct skew::describe<fixtures::PaymentCaptured> {
  static constexpr auto fields =
      skew::fields(skew::member<&fixtures::PaymentCaptured::amount_minor>("amount_minor")
                       .alias("amountCents")
                       .dual_write(),
                   skew::member<&fixtures::PaymentCaptured::currency>("currency"));
};

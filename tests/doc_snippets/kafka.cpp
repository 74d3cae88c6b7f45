// Context for statements on the Kafka add-on: a function body with a router over the send-email
// family in scope.
#include <skew/adapters/kafka.hpp>
#include <skew/skew.hpp>

#include "doc_family.hpp"

#include <atomic>
#include <string>

[[maybe_unused]] int snippet(skew::router<SendEmail>& router, std::atomic<bool>& stop) {
  (void)router;
  (void)stop;
  // snippet
  return 0;
}

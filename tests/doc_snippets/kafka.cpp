// Context for statements on the Kafka add-on: a function body with a router and an emitter over
// the send-email family in scope.
#include <skew/adapters/kafka.hpp>
#include <skew/adapters/kafka/manifests.hpp>
#include <skew/adapters/kafka/redrive.hpp>
#include <skew/skew.hpp>

#include "doc_family.hpp"

#include <atomic>
#include <chrono>
#include <string>

[[maybe_unused]] int snippet(skew::router<SendEmail>& router, std::atomic<bool>& stop,
                             skew::emitter<SendEmail>& emitter, const std::string& pod_name) {
  (void)router;
  (void)stop;
  (void)emitter;
  (void)pod_name;
  // snippet
  return 0;
}

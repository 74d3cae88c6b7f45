// Context for statements on the Redis add-on: a function body with a router and an emitter over
// the send-email family in scope.
#include <skew/adapters/redis.hpp>
#include <skew/skew.hpp>

#include "doc_family.hpp"

#include <chrono>
#include <string>

[[maybe_unused]] int snippet(skew::router<SendEmail>& router, skew::emitter<SendEmail>& emitter,
                             const std::string& pod_name) {
  (void)router;
  (void)emitter;
  (void)pod_name;
  // snippet
  return 0;
}

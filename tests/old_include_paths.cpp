// Every include path of skew's previous releases still compiles: the one-line forwarding headers
// at the old paths (docs/architecture.md maps them to the layer folders). The add-on paths are
// included where their client library is found (SKEW_TEST_KAFKA, SKEW_TEST_REDIS).
#include <skew/binary_binding.hpp>
#include <skew/binary_mode.hpp>
#include <skew/broker.hpp>
#include <skew/cache.hpp>
#include <skew/can_deploy.hpp>
#include <skew/codec.hpp>
#include <skew/compat.hpp>
#include <skew/decoder.hpp>
#include <skew/describe.hpp>
#include <skew/emitter.hpp>
#include <skew/encode.hpp>
#include <skew/enum.hpp>
#include <skew/envelope.hpp>
#include <skew/envelope_format.hpp>
#include <skew/envelope_view.hpp>
#include <skew/error.hpp>
#include <skew/field.hpp>
#include <skew/fleet.hpp>
#include <skew/fleet_follower.hpp>
#include <skew/handler.hpp>
#include <skew/manifest.hpp>
#include <skew/message.hpp>
#include <skew/options.hpp>
#include <skew/outcome.hpp>
#include <skew/raw_json.hpp>
#include <skew/result.hpp>
#include <skew/router.hpp>
#include <skew/schema.hpp>
#include <skew/stats.hpp>
#include <skew/testing.hpp>
#include <skew/unknown_fields.hpp>
#include <skew/variant.hpp>

#if defined(SKEW_TEST_KAFKA)
#include <skew/kafka.hpp>
#endif
#if defined(SKEW_TEST_REDIS)
#include <skew/redis_connection.hpp>
#include <skew/redis_manifests.hpp>
#include <skew/redis_streams.hpp>
#endif

#include <cstdio>
#include <string>
#include <type_traits>

namespace app {
struct Ping {
  std::string from;
};
SKEW_DESCRIBE(Ping, from)
using PingFamily = skew::message<"ping", Ping>;
}  // namespace app

// The names the old paths gave are the same entities as the new paths' (no copies, no aliases
// that could drift).
static_assert(std::is_same_v<skew::router<app::PingFamily>, skew::router<app::PingFamily>>);
#if defined(SKEW_TEST_KAFKA)
static_assert(std::is_class_v<skew::kafka::consumer<skew::router<app::PingFamily>>> &&
              std::is_class_v<skew::kafka::inspector>);
#endif
#if defined(SKEW_TEST_REDIS)
static_assert(std::is_class_v<skew::redis::connection> && std::is_class_v<skew::redis::endpoint>);
#endif

int main() {
  skew::router<app::PingFamily> router;
  int handled = 0;
  router.on<app::PingFamily>([&](const app::Ping&) { ++handled; });
  const auto message = skew::encode<app::PingFamily>(app::Ping{"old-paths"}, {.id = "p-1"});
  if (!message || router.dispatch(*message).reason != skew::reason::handled || handled != 1) {
    std::puts("old include paths: dispatch failed");
    return 1;
  }
  std::puts("old include paths ok");
  return 0;
}

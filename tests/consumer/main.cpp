// A downstream program: proves the installed or embedded skew target carries everything needed.
#include <skew/skew.hpp>
#ifdef SKEW_CONSUMER_WITH_REDIS
#include <skew/adapters/redis/manifests.hpp>
#endif
#ifdef SKEW_CONSUMER_WITH_KAFKA
#include <skew/adapters/kafka.hpp>
#endif

#include <cstdio>
#include <string>

struct Ping {
  std::string from;
  int seq = 0;
};
SKEW_DESCRIBE(Ping, from, seq)

int main() {
  skew::decoder decoder;
  auto ping = decoder.decode<Ping>(R"({"from":"consumer","seq":7,"newField":true})");
  if (!ping || ping->from != "consumer" || ping->seq != 7) {
    std::puts("decode failed");
    return 1;
  }
  auto bad = decoder.decode<Ping>(R"({"from":"consumer"})");
  if (bad || bad.error().code != skew::errc::missing_field) {
    std::puts("missing field not reported");
    return 1;
  }
#ifdef SKEW_CONSUMER_WITH_REDIS
  // Linked against hiredis through skew::redis: no server on port 1, so the read fails cleanly.
  skew::redis::manifest_store store({"127.0.0.1", 1, std::chrono::milliseconds(200)}, "s");
  if (store.read_fleet() || store.last_error().empty()) {
    std::puts("redis add-on misbehaved");
    return 1;
  }
#endif
#ifdef SKEW_CONSUMER_WITH_KAFKA
  // Linked against librdkafka through skew::kafka: settings without a topic are refused before
  // any client is made.
  skew::router<skew::message<"ping", Ping>> kafka_router;
  skew::kafka::consumer kafka_consumer(kafka_router, skew::kafka::consumer_settings{});
  if (kafka_consumer.ok()) {
    std::puts("kafka add-on misbehaved");
    return 1;
  }
#endif
  std::puts("consumer ok");
  return 0;
}

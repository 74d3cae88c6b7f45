// Where the skew command finds a fleet and its messages: Redis (--redis host:port --stream S,
// manifests under skew:{S}:...) or Kafka (--kafka bootstrap --topic T, manifests in the topic
// --manifests-topic, T.manifests by default). Each add-on is compiled in when the build has it.
#pragma once

#include <skew/envelope/format.hpp>
#include <skew/envelope/peek.hpp>
#include <skew/model/manifest.hpp>
#include <skew/rollout/can_deploy.hpp>
#include <skew/rollout/fleet.hpp>

#if SKEW_TOOL_WITH_REDIS
#include <skew/adapters/redis/manifests.hpp>
#endif
#if SKEW_TOOL_WITH_KAFKA
#include <skew/adapters/kafka/dead_letter.hpp>
#include <skew/adapters/kafka/manifests.hpp>
#endif

#include "command_line.hpp"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace skew_tool {

struct broker {
  enum class kind { redis, kafka } which = kind::redis;
  std::string address;  // host:port, or the bootstrap list
  std::string name;     // the stream or the topic
  std::string manifests_topic;
  skew::envelope_format format;  // the envelopes' layout (--format flat|cloudevents)
};

// The options every broker command takes.
inline const std::set<std::string_view> broker_options = {
    "--redis", "--kafka", "--stream", "--topic", "--manifests-topic", "--format"};

inline std::optional<broker> broker_from(const command_line& args, std::string& error) {
  broker b;
  const auto redis = args.value("--redis");
  const auto kafka = args.value("--kafka");
  if (redis.has_value() == kafka.has_value()) {
    error = "give one of --redis host:port or --kafka bootstrap";
    return std::nullopt;
  }
  b.which = redis ? broker::kind::redis : broker::kind::kafka;
  b.address = redis ? *redis : *kafka;
  b.name = args.value_or(redis ? "--stream" : "--topic", "");
  if (b.name.empty()) {
    error = redis ? "--redis needs --stream" : "--kafka needs --topic";
    return std::nullopt;
  }
  b.manifests_topic = args.value_or("--manifests-topic", b.name + ".manifests");
  const std::string format = args.value_or("--format", redis ? "flat" : "cloudevents");
  if (format != "flat" && format != "cloudevents") {
    error = "--format is flat or cloudevents";
    return std::nullopt;
  }
  b.format = format == "flat" ? skew::envelope_format{} : skew::envelope_format::cloudevents();
#if !SKEW_TOOL_WITH_REDIS
  if (redis) error = "this skew command was built without Redis (hiredis)";
#endif
#if !SKEW_TOOL_WITH_KAFKA
  if (kafka) error = "this skew command was built without Kafka (librdkafka)";
#endif
  if (!error.empty()) return std::nullopt;
  return b;
}

// The fleet's manifests in either store.
class fleet_store {
 public:
  explicit fleet_store(const broker& b) : b_(b) {
#if SKEW_TOOL_WITH_REDIS
    if (b.which == broker::kind::redis) {
      std::string host;
      int port = 0;
      if (!split_host_port(b.address, host, port)) host = b.address, port = 6379;
      redis_ =
          std::make_unique<skew::redis::manifest_store>(skew::redis::endpoint{host, port}, b.name);
    }
#endif
#if SKEW_TOOL_WITH_KAFKA
    if (b.which == broker::kind::kafka) {
      kafka_ = std::make_unique<skew::kafka::manifest_store>(b.address, b.manifests_topic,
                                                             quiet_kafka());
    }
#endif
  }

  template <class F>
  auto with_store(F&& f) {
#if SKEW_TOOL_WITH_REDIS
    if (redis_) return f(*redis_);
#endif
#if SKEW_TOOL_WITH_KAFKA
    if (kafka_) return f(*kafka_);
#endif
    return decltype(f(std::declval<unsupported&>()))();
  }

  std::optional<skew::fleet> read_fleet() {
    return with_store([](auto& s) { return s.read_fleet(); });
  }
  std::optional<std::vector<skew::manifest>> read_producers() {
    return with_store([](auto& s) { return s.read_producers(); });
  }
  bool retire_group(const std::string& g) {
    return with_store([&](auto& s) { return s.retire_group(g); });
  }
  bool raise_floor(const std::string& type, std::uint32_t v) {
    return with_store([&](auto& s) { return s.raise_floor(type, v); });
  }
  std::string last_error() {
    return with_store([](auto& s) { return std::string(s.last_error()); });
  }

  // The (type, version) of every message still in the stream or topic.
  std::optional<std::vector<skew::retained_version>> retained(std::string& error);

#if SKEW_TOOL_WITH_KAFKA
  static skew::kafka::properties quiet_kafka() {
    return {{"log_level", "2"}};
  }
#endif

 private:
  // What with_store's callers would get from a store this build lacks (never used at run time:
  // broker_from refuses such a broker).
  struct unsupported {
    std::optional<skew::fleet> read_fleet() { return {}; }
    std::optional<std::vector<skew::manifest>> read_producers() { return {}; }
    bool retire_group(const std::string&) { return false; }
    bool raise_floor(const std::string&, std::uint32_t) { return false; }
    std::string last_error() { return "unsupported broker"; }
  };

  broker b_;
#if SKEW_TOOL_WITH_REDIS
  std::unique_ptr<skew::redis::manifest_store> redis_;
#endif
#if SKEW_TOOL_WITH_KAFKA
  std::unique_ptr<skew::kafka::manifest_store> kafka_;
#endif
};

inline std::optional<std::vector<skew::retained_version>> fleet_store::retained(
    std::string& error) {
  std::set<std::pair<std::string, std::uint32_t>> seen;
#if SKEW_TOOL_WITH_REDIS
  if (b_.which == broker::kind::redis) {
    std::string host;
    int port = 0;
    if (!split_host_port(b_.address, host, port)) host = b_.address, port = 6379;
    skew::redis::connection redis({host, port});
    std::string from = "-";
    while (true) {
      skew::redis::reply page = redis.command({"XRANGE", b_.name, from, "+", "COUNT", "1000"});
      if (!page) {
        error = redis.error();
        return std::nullopt;
      }
      if (page->type != REDIS_REPLY_ARRAY || page->elements == 0) break;
      for (std::size_t i = 0; i < page->elements; ++i) {
        const redisReply* fields = page->element[i]->element[1];
        for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
          if (skew::redis::reply_text(fields->element[f]) != "message") continue;
          const auto text = skew::redis::reply_text(fields->element[f + 1]);
          if (auto h = skew::peek_header(text, b_.format)) seen.emplace(h->type, h->version);
        }
      }
      from =
          "(" + std::string(skew::redis::reply_text(page->element[page->elements - 1]->element[0]));
    }
  }
#endif
#if SKEW_TOOL_WITH_KAFKA
  if (b_.which == broker::kind::kafka) {
    skew::kafka::inspector cluster(b_.address, quiet_kafka());
    const auto records = cluster.records(b_.name);
    if (!records) {
      error = cluster.error();
      return std::nullopt;
    }
    for (const auto& r : *records) {
      const auto read =
          skew::kafka::read_letter(r, b_.format);  // the envelope, as redrive reads it
      if (read.letter.version) seen.emplace(read.letter.type, *read.letter.version);
    }
  }
#endif
  std::vector<skew::retained_version> out;
  for (const auto& [type, v] : seen) out.push_back({type, v});
  return out;
}

}  // namespace skew_tool

// skew's manifests on Redis (the CMake target skew::redis, which needs hiredis): consumer
// instances publish what they read as heartbeats with a TTL, producers read the fleet and follow
// it, and operators retire groups and finalize floors.
//
// Keys, for stream S (the braces keep one stream's keys on one Redis Cluster slot):
//   skew:{S}:instance:<group>:<instance>   a live instance's manifest (JSON), expiring after the
//   TTL skew:{S}:groups                        hash: group -> its last-known manifest, until
//   retired skew:{S}:floors                        hash: type -> finalized floor
//
//   skew::redis::heartbeat beat({"127.0.0.1", 6379}, "send-email", "pod-7", manifest, 3s);
//   skew::redis::emission_negotiator<SendEmail> follow({...}, "send-email", emitter, options);
#pragma once

#include <skew/adapters/fleet_sync.hpp>
#include <skew/adapters/redis/connection.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/model/manifest.hpp>
#include <skew/payload/decoder.hpp>
#include <skew/rollout/fleet.hpp>
#include <skew/rollout/fleet_follower.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skew::redis {

class manifest_store {
 public:
  manifest_store(endpoint where, std::string stream)
      : redis_(std::move(where)), prefix_("skew:{" + stream + "}:") {}

  // Publishes (or refreshes) an instance's manifest for `ttl`, and records it as its group's
  // last-known manifest.
  bool publish(std::string_view instance, const manifest& m, std::chrono::milliseconds ttl) {
    auto json = skew::encode(m);
    if (!json) return fail("cannot encode the manifest");
    const std::string key = instance_key(m.group, instance);
    const std::string px = std::to_string(ttl.count());
    return redis_.command({"SET", key, *json, "PX", px}) != nullptr &&
           redis_.command({"HSET", prefix_ + "groups", m.group, *json}) != nullptr;
  }

  // Publishes a producer instance's manifest (what it writes and emits now) for `ttl`; read by
  // can-deploy checks, never by the negotiation.
  bool publish_producer(std::string_view instance, const manifest& m,
                        std::chrono::milliseconds ttl) {
    auto json = skew::encode(m);
    if (!json) return fail("cannot encode the manifest");
    return redis_.command({"SET", prefix_ + "producer:" + std::string(instance), *json, "PX",
                           std::to_string(ttl.count())}) != nullptr;
  }
  // The live producers' manifests, or nothing when the store cannot be read.
  std::optional<std::vector<manifest>> read_producers() {
    std::vector<manifest> out;
    if (!read_live(prefix_ + "producer:",
                   [&](manifest&& m, std::string_view) { out.push_back(std::move(m)); })) {
      return std::nullopt;
    }
    return out;
  }

  // Removes an instance's manifest (a graceful shutdown); its group's last-known one stays.
  bool remove(std::string_view group, std::string_view instance) {
    return redis_.command({"DEL", instance_key(group, instance)}) != nullptr;
  }

  // One read of the fleet: live instances by group, every group's last-known manifest, and the
  // floors. `declared` groups are included even when the store has never seen them (they then
  // hold every version: no evidence). Empty when the store cannot be read.
  std::optional<fleet> read_fleet(std::span<const std::string> declared = {}) {
    fleet f;
    for (const auto& name : declared) f.group(name);
    auto known = redis_.command({"HGETALL", prefix_ + "groups"});
    if (known == nullptr) return std::nullopt;
    for (std::size_t i = 0; i + 1 < known->elements; i += 2) {
      auto m = decoder_.decode<manifest>(reply_text(known->element[i + 1]));
      if (m) f.group(reply_text(known->element[i])).last_known = std::move(*m);
    }
    const std::size_t name_at = prefix_.size() + std::string_view("instance:").size();
    if (!read_live(prefix_ + "instance:", [&](manifest&& m, std::string_view key) {
          // The key is <prefix>instance:<group>:<instance>.
          auto& g = f.group(m.group);
          g.live_instances.emplace_back(
              key.substr(std::min(key.size(), name_at + m.group.size() + 1)));
          g.live.push_back(std::move(m));
        })) {
      return std::nullopt;
    }
    auto floors = redis_.command({"HGETALL", prefix_ + "floors"});
    if (floors == nullptr) return std::nullopt;
    for (std::size_t i = 0; i + 1 < floors->elements; i += 2) {
      const std::string value(reply_text(floors->element[i + 1]));
      f.floors[std::string(reply_text(floors->element[i]))] =
          static_cast<std::uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
    }
    return f;
  }

  // An operator's decision that a group is gone for good: its last-known manifest no longer
  // constrains emission. Its live instances, if any, keep publishing and bring it back.
  bool retire_group(std::string_view group) {
    return redis_.command({"HDEL", prefix_ + "groups", group}) != nullptr;
  }

  // Finalizes `type` at version `v`: refused (false, last_error() says why) while a group does
  // not read v. Consumers that cannot read the floor then refuse to start.
  bool raise_floor(std::string_view type, std::uint32_t v) {
    error_.clear();
    const auto f = read_fleet();
    if (!f) return false;
    if (auto blocked = floor_blocked(*f, type, v)) return fail(*blocked);
    return redis_.command({"HSET", prefix_ + "floors", type, std::to_string(v)}) != nullptr;
  }

  // Why a build with manifest `m` must not start under the finalized floors, or nothing; an
  // unreachable store is reported too (a consumer should not start blind).
  std::optional<std::string> start_refusal(const manifest& m) {
    const auto f = read_fleet();
    if (!f) return "cannot read the fleet's floors: " + last_error();
    return floor_violation(m, *f);
  }

  const std::string& last_error() const noexcept {
    return error_.empty() ? redis_.error() : error_;
  }

 private:
  std::string instance_key(std::string_view group, std::string_view instance) const {
    std::string key = prefix_ + "instance:";
    key += group;
    key += ':';
    key += instance;
    return key;
  }
  // Every manifest under keys starting with `prefix`: SCAN, then one MGET.
  template <class Sink>
  bool read_live(const std::string& prefix, Sink&& sink) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    const std::string pattern = glob_escaped(prefix) + "*";
    do {
      auto page = redis_.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
      if (page == nullptr || page->elements != 2) return false;
      cursor = std::string(reply_text(page->element[0]));
      const redisReply* batch = page->element[1];
      for (std::size_t i = 0; i < batch->elements; ++i) {
        keys.emplace_back(reply_text(batch->element[i]));
      }
    } while (cursor != "0");
    if (keys.empty()) return true;
    std::vector<std::string_view> args{"MGET"};
    args.insert(args.end(), keys.begin(), keys.end());
    auto values = redis_.command(args);
    if (values == nullptr) return false;
    for (std::size_t i = 0; i < values->elements; ++i) {
      // Expired between SCAN and MGET: gone.
      if (values->element[i]->type != REDIS_REPLY_STRING) continue;
      auto m = decoder_.decode<manifest>(reply_text(values->element[i]));
      if (m) sink(std::move(*m), std::string_view(keys[i]));
    }
    return true;
  }
  static std::string glob_escaped(std::string_view s) {
    std::string out;
    for (const char c : s) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  }
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  connection redis_;
  std::string prefix_;
  decoder decoder_;
  std::string error_;
};

// A consumer instance's heartbeat: publishes its manifest now and every `interval` (a third of the
// TTL by default) on its own thread; the destructor stops it and removes the manifest.
class heartbeat : public basic_heartbeat<manifest_store> {
 public:
  heartbeat(endpoint where, std::string stream, std::string instance, manifest m,
            std::chrono::milliseconds ttl, std::chrono::milliseconds interval = {})
      : basic_heartbeat({std::move(instance), std::move(m), ttl, interval}, std::move(where),
                        std::move(stream)) {}
};

using negotiation_settings = skew::negotiation_settings;

// An emitter that follows the fleet: reads the store every `poll` on its own thread and lets a
// skew::fleet_follower set the emitter's version. An unreachable store holds the version.
template <message_family Family>
class emission_negotiator : public basic_emission_negotiator<Family, manifest_store> {
 public:
  using log_function = typename basic_emission_negotiator<Family, manifest_store>::log_function;

  emission_negotiator(endpoint where, std::string stream, emitter<Family>& e,
                      negotiation_settings settings, log_function log = {})
      : basic_emission_negotiator<Family, manifest_store>(e, std::move(settings), std::move(log),
                                                          std::move(where), std::move(stream)) {}
};

}  // namespace skew::redis

// skew's manifests on Kafka, for shops without Redis: one compacted topic (by convention
// <topic>.manifests) holds the fleet that reads a topic, one record per key, the newest winning:
//   instance/<group>/<instance>   a consumer instance's heartbeat: {"what": manifest, "at": unix
//                                 ms, "ttl_ms": N}; stale once at + ttl is past; a tombstone
//                                 (no value) on graceful shutdown
//   producer/<instance>           a producer's heartbeat, read by can-deploy checks
//   group/<group>                 the group's last-known manifest; a tombstone retires it
//   floor/<type>                  the finalized floor: {"floor": v}
// read by the same skew::fleet logic as the Redis store, and kept by the same heartbeat and
// negotiator (adapters/fleet_sync.hpp). Create the topic with cleanup.policy=compact; a cluster
// that creates topics on first use makes an ordinary one, which works but keeps every beat.
//
//   skew::kafka::heartbeat beat("127.0.0.1:9092", "send-email.manifests", "pod-7", manifest, 3s);
//   skew::kafka::emission_negotiator<SendEmail> follow({...}, "send-email.manifests", emitter, s);
#pragma once

#include <skew/adapters/fleet_sync.hpp>
#include <skew/adapters/kafka/detail/client.hpp>
#include <skew/adapters/kafka/inspect.hpp>
#include <skew/model/describe.hpp>
#include <skew/model/manifest.hpp>
#include <skew/payload/decoder.hpp>
#include <skew/payload/encode.hpp>
#include <skew/rollout/fleet.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skew::kafka {

// A heartbeat record's value.
struct manifest_beat {
  manifest what;
  std::int64_t at = 0;  // unix time, milliseconds
  std::int64_t ttl_ms = 0;
};
SKEW_DESCRIBE(manifest_beat, what, at, ttl_ms)

struct floor_record {
  std::uint32_t floor = 0;
};
SKEW_DESCRIBE(floor_record, floor)

class manifest_store {
 public:
  manifest_store(std::string brokers, std::string topic, properties extra = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : brokers_(std::move(brokers)),
        topic_(std::move(topic)),
        extra_(std::move(extra)),
        timeout_(timeout) {}

  // Publishes (or refreshes) an instance's manifest for `ttl`, and records it as its group's
  // last-known manifest.
  bool publish(std::string_view instance, const manifest& m, std::chrono::milliseconds ttl) {
    const auto last_known = encode(m);
    if (!last_known) return fail("cannot encode the manifest");
    return beat(key("instance/", m.group, instance), m, ttl) &&
           write(key("group/", m.group), *last_known);
  }
  bool publish_producer(std::string_view instance, const manifest& m,
                        std::chrono::milliseconds ttl) {
    return beat(key("producer/", instance), m, ttl);
  }
  // A graceful shutdown: the instance's record becomes a tombstone; its group's stays.
  bool remove(std::string_view group, std::string_view instance) {
    return write(key("instance/", group, instance), std::nullopt);
  }
  bool retire_group(std::string_view group) { return write(key("group/", group), std::nullopt); }

  // Finalizes `type` at `v`: refused (false, last_error() says why) while a group does not read v.
  bool raise_floor(std::string_view type, std::uint32_t v) {
    error_.clear();
    const auto f = read_fleet();
    if (!f) return false;
    if (auto blocked = floor_blocked(*f, type, v)) return fail(*blocked);
    const auto value = encode(floor_record{v});
    return value && write(key("floor/", type), *value);
  }

  // One read of the fleet: live instances by group, every group's last-known manifest, and the
  // floors; `declared` groups are included even when never seen. Nothing when the topic cannot
  // be read.
  std::optional<fleet> read_fleet(std::span<const std::string> declared = {}) {
    const auto latest = read_latest();
    if (!latest) return std::nullopt;
    fleet f;
    for (const auto& name : declared) f.group(name);
    const std::int64_t now = detail::unix_ms_now();
    for (const auto& [k, value] : *latest) {
      if (!value) continue;  // a tombstone
      if (k.starts_with("group/")) {
        if (auto m = decoder_.decode<manifest>(*value)) f.group(k.substr(6)).last_known = *m;
      } else if (k.starts_with("instance/")) {
        if (auto b = live_beat(*value, now)) {
          auto& g = f.group(b->what.group);
          // The key is instance/<group>/<instance>.
          g.live_instances.push_back(k.substr(std::min(k.size(), 10 + b->what.group.size())));
          g.live.push_back(std::move(b->what));
        }
      } else if (k.starts_with("floor/")) {
        if (auto r = decoder_.decode<floor_record>(*value)) f.floors[k.substr(6)] = r->floor;
      }
    }
    return f;
  }

  // The live producers' manifests, or nothing when the topic cannot be read.
  std::optional<std::vector<manifest>> read_producers() {
    const auto latest = read_latest();
    if (!latest) return std::nullopt;
    std::vector<manifest> out;
    const std::int64_t now = detail::unix_ms_now();
    for (const auto& [k, value] : *latest) {
      if (!value || !k.starts_with("producer/")) continue;
      if (auto b = live_beat(*value, now)) out.push_back(std::move(b->what));
    }
    return out;
  }

  // Why a build with manifest `m` must not start under the finalized floors, or nothing; an
  // unreadable store is reported too (a consumer should not start blind).
  std::optional<std::string> start_refusal(const manifest& m) {
    const auto f = read_fleet();
    if (!f) return "cannot read the fleet's floors: " + last_error();
    return floor_violation(m, *f);
  }

  const std::string& last_error() const noexcept { return error_; }

 private:
  static std::string key(std::string_view kind, std::string_view a, std::string_view b = {}) {
    std::string k(kind);
    k += a;
    if (!b.empty()) {
      k += '/';
      k += b;
    }
    return k;
  }

  bool beat(const std::string& k, const manifest& m, std::chrono::milliseconds ttl) {
    const auto value = encode(manifest_beat{m, detail::unix_ms_now(), ttl.count()});
    if (!value) return fail("cannot encode the manifest");
    return write(k, *value);
  }

  std::optional<manifest_beat> live_beat(const std::string& value, std::int64_t now) {
    auto b = decoder_.decode<manifest_beat>(value);
    if (!b || b->at + b->ttl_ms < now) return std::nullopt;
    return std::move(*b);
  }

  // Every key's newest value (nothing: a tombstone), in one read of the topic.
  std::optional<std::map<std::string, std::optional<std::string>>> read_latest() {
    inspector cluster(brokers_, extra_, timeout_);
    const auto records = cluster.records(topic_);
    if (!records) {
      fail("cannot read " + topic_ + ": " + cluster.error());
      return std::nullopt;
    }
    std::map<std::string, std::optional<std::string>> latest;
    for (const stored_record& r : *records) {  // in offset order within each partition
      if (r.key) latest[*r.key] = r.value;
    }
    return latest;
  }

  // Produces one record and waits until the cluster acknowledges it.
  bool write(const std::string& k, std::optional<std::string> value) {
    if (!producer_) {
      properties p = {{"bootstrap.servers", brokers_}, {"enable.idempotence", "true"}};
      p.insert(p.end(), extra_.begin(), extra_.end());
      detail::kafka_conf conf = detail::make_kafka_conf(p, error_);
      if (!conf) return false;
      rd_kafka_conf_set_dr_msg_cb(conf.get(), &detail::record_delivery);
      producer_ = detail::make_kafka_handle(RD_KAFKA_PRODUCER, std::move(conf), error_);
      if (!producer_) return false;
    }
    detail::outgoing_record r{topic_, k, std::move(value), {}};
    if (!detail::produce_record(producer_.get(), r)) {
      return fail(std::string("cannot write to ") + topic_ + ": " + rd_kafka_err2str(r.error));
    }
    rd_kafka_flush(producer_.get(), static_cast<int>(timeout_.count()));
    if (!r.delivered) {
      // Not acknowledged in time: purge it, so that no callback outlives the record.
      rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_flush(producer_.get(), 100);
      return fail(std::string("not acknowledged: ") + rd_kafka_err2str(r.error));
    }
    return true;
  }

  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  std::string brokers_, topic_;
  properties extra_;
  std::chrono::milliseconds timeout_;
  detail::kafka_handle producer_;
  decoder decoder_;
  std::string error_;
};

// A consumer instance's heartbeat in the manifests topic; the destructor writes its tombstone.
class heartbeat : public basic_heartbeat<manifest_store> {
 public:
  heartbeat(std::string brokers, std::string manifests_topic, std::string instance, manifest m,
            std::chrono::milliseconds ttl, std::chrono::milliseconds interval = {},
            properties extra = {})
      : basic_heartbeat({std::move(instance), std::move(m), ttl, interval}, std::move(brokers),
                        std::move(manifests_topic), std::move(extra)) {}
};

// An emitter that follows the fleet whose manifests are in a Kafka topic.
template <message_family Family>
class emission_negotiator : public basic_emission_negotiator<Family, manifest_store> {
 public:
  using log_function = typename basic_emission_negotiator<Family, manifest_store>::log_function;

  emission_negotiator(std::string brokers, std::string manifests_topic, emitter<Family>& e,
                      negotiation_settings settings, log_function log = {}, properties extra = {})
      : basic_emission_negotiator<Family, manifest_store>(
            e, std::move(settings), std::move(log), std::move(brokers), std::move(manifests_topic),
            std::move(extra)) {}
};

}  // namespace skew::kafka

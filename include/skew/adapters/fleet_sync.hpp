// The fleet's manifests kept in a store, whatever the store (adapters/redis/manifests.hpp,
// adapters/kafka/manifests.hpp): a consumer instance's heartbeat, and a producer's emitter that
// follows the fleet. A Store offers
//   bool publish(std::string_view instance, const manifest&, std::chrono::milliseconds ttl);
//   bool publish_producer(std::string_view instance, const manifest&, std::chrono::milliseconds);
//   bool remove(std::string_view group, std::string_view instance);
//   std::optional<fleet> read_fleet(std::span<const std::string> declared);
#pragma once

#include <skew/adapters/detail/periodic.hpp>
#include <skew/model/manifest.hpp>
#include <skew/rollout/emitter.hpp>
#include <skew/rollout/fleet.hpp>
#include <skew/rollout/fleet_follower.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace skew {

struct heartbeat_settings {
  std::string instance{};  // the instance's name in its group (a pod's name)
  manifest what{};         // what it reads; its group is the manifest's
  std::chrono::milliseconds ttl{3000};
  std::chrono::milliseconds interval{};  // zero: a third of the TTL
};

// Publishes an instance's manifest now and every interval on its own thread; the destructor
// stops it and removes the manifest (a graceful shutdown). The Store is made from `store_args`.
template <class Store>
class basic_heartbeat {
 public:
  template <class... StoreArgs>
  explicit basic_heartbeat(heartbeat_settings s, StoreArgs&&... store_args)
      : store_(std::forward<StoreArgs>(store_args)...),
        s_(std::move(s)),
        published_(store_.publish(s_.instance, s_.what, s_.ttl)),
        // A failed beat is retried on the next one.
        beat_(std::in_place, s_.interval.count() > 0 ? s_.interval : s_.ttl / 3,
              [this] { store_.publish(s_.instance, s_.what, s_.ttl); }) {}
  ~basic_heartbeat() {
    beat_.reset();
    store_.remove(s_.what.group, s_.instance);
  }
  basic_heartbeat(const basic_heartbeat&) = delete;
  basic_heartbeat& operator=(const basic_heartbeat&) = delete;

  // Whether the first publication reached the store.
  bool published() const noexcept { return published_; }

 private:
  Store store_;
  heartbeat_settings s_;
  bool published_;
  std::optional<detail::periodic> beat_;
};

struct negotiation_settings {
  follow_settings follow{};
  std::vector<std::string> declared_groups{};  // groups that must read, seen or not
  std::chrono::milliseconds poll{1000};
  std::string instance{};  // when set, the producer's manifest is published under this name
};

// An emitter that follows the fleet: reads the store every `poll` on its own thread and lets a
// skew::fleet_follower set the emitter's version. An unreachable store holds the version.
template <message_family Family, class Store>
class basic_emission_negotiator {
 public:
  using log_function = typename fleet_follower<Family>::log_function;

  template <class... StoreArgs>
  basic_emission_negotiator(emitter<Family>& e, negotiation_settings settings, log_function log,
                            StoreArgs&&... store_args)
      : store_(std::forward<StoreArgs>(store_args)...),
        emitter_(e),
        follower_(e, settings.follow, std::move(log)),
        settings_(std::move(settings)),
        first_poll_((poll_once(), true)),
        poll_(settings_.poll, [this] { poll_once(); }) {}
  basic_emission_negotiator(const basic_emission_negotiator&) = delete;
  basic_emission_negotiator& operator=(const basic_emission_negotiator&) = delete;

  emission_status status() const { return follower_.status(); }

 private:
  void poll_once() {
    if (auto f = store_.read_fleet(settings_.declared_groups)) {
      follower_.observe(*f);
    } else {
      follower_.observe_unreachable();
    }
    if (!settings_.instance.empty()) {
      // Kept a while after the producer stops polling: a deploy check should still see it.
      store_.publish_producer(
          settings_.instance, emitter_.manifest(),
          std::max<std::chrono::milliseconds>(3 * settings_.poll, std::chrono::seconds(10)));
    }
  }

  Store store_;
  emitter<Family>& emitter_;
  fleet_follower<Family> follower_;
  negotiation_settings settings_;
  bool first_poll_;        // the first read happens before the constructor returns
  detail::periodic poll_;  // last: destroyed (stopped) first
};

}  // namespace skew

// A router's counters: one block per dispatching thread, written without locked instructions and
// summed into router_stats on demand.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/dispatch/detail/counters.hpp>
#include <skew/dispatch/outcome.hpp>
#include <skew/dispatch/stats.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace skew::detail {

struct message_counters {
  std::array<std::atomic<std::uint64_t>, reason_count * action_count> outcomes{};
  std::atomic<std::uint64_t> upcast_hops{0};
  std::atomic<std::uint64_t> ignored_keys{0};
  std::atomic<std::uint64_t> invalid_trace_context{0};
};
struct alias_counter {
  std::atomic<std::uint64_t> count{0};
};

// Adds to a counter only its owning thread writes: a plain load and store, no locked
// read-modify-write, while stats() on another thread still reads whole values.
inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// The counters one thread writes for one router. `known` holds the slots of the router's own
// (type, version) pairs, claimed when the block is made: no lookup on the hot path.
struct thread_counters {
  keyed_counters<message_counters, 128> messages;
  keyed_counters<alias_counter, 64> aliases;
  std::vector<message_counters*> known;
};

// Every thread's block for one router. Threads find theirs through a small thread-local cache
// keyed by the router's id (never reused, unlike its address).
struct router_counters {
  std::uint64_t id = next_id();
  std::mutex mutex;
  std::vector<std::pair<std::thread::id, std::unique_ptr<thread_counters>>> blocks;
  // Set by the first dispatch of any thread: the router's configuration is fixed from then on.
  std::atomic<bool> dispatched{false};

  static std::uint64_t next_id() noexcept {
    static std::atomic<std::uint64_t> ids{0};
    return ids.fetch_add(1, std::memory_order_relaxed) + 1;
  }

  template <class Init>
  thread_counters& for_this_thread(Init&& init) {
    struct cached {
      std::uint64_t id = 0;
      thread_counters* block = nullptr;
    };
    thread_local std::array<cached, 4> cache{};
    for (const auto& c : cache) {
      if (c.id == id) [[likely]]
        return *c.block;
    }
    return find_or_make(cache, std::forward<Init>(init));
  }

 private:
  // The first dispatch of this thread on this router, or one evicted from the cache. Out of line:
  // it locks and allocates, and inlined it made every dispatch's frame larger.
  template <class Cache, class Init>
  SKEW_NOINLINE thread_counters& find_or_make(Cache& cache, Init&& init) {
    thread_local std::size_t next_victim = 0;
    thread_counters* block = nullptr;
    {
      std::lock_guard lock(mutex);
      dispatched.store(true, std::memory_order_relaxed);
      const auto self = std::this_thread::get_id();
      for (auto& [thread, b] : blocks) {
        if (thread == self) block = b.get();
      }
      if (block == nullptr) {
        blocks.emplace_back(self, std::make_unique<thread_counters>());
        block = blocks.back().second.get();
        init(*block);
      }
    }
    cache[next_victim] = {id, block};
    next_victim = (next_victim + 1) % cache.size();
    return *block;
  }
};

// A snapshot of every thread's counters, sorted by type and version. Safe while other threads
// dispatch (each number is exact; the set is not one atomic cut). A template so that only a TU
// that asks a router for its stats instantiates the maps and sorts below.
template <class Counters>
router_stats snapshot(Counters& counters) {
  router_stats s;
  std::map<std::pair<std::string, std::uint32_t>, stats_entry> messages;
  std::map<std::tuple<std::string, std::uint32_t, std::string>, std::uint64_t> aliases;
  std::lock_guard lock(counters.mutex);
  for (const auto& [thread, block] : counters.blocks) {
    block->messages.for_each([&](std::string_view type, std::uint32_t version, std::string_view,
                                 const message_counters& c) {
      stats_entry& e = messages[{std::string(type), version}];
      e.type = std::string(type);
      e.version = version;
      for (std::size_t r = 0; r < reason_count; ++r) {
        for (std::size_t a = 0; a < action_count; ++a) {
          e.outcomes[r][a] += c.outcomes[r * action_count + a].load(std::memory_order_relaxed);
        }
      }
      e.upcast_hops += c.upcast_hops.load(std::memory_order_relaxed);
      e.ignored_keys += c.ignored_keys.load(std::memory_order_relaxed);
      e.invalid_trace_context += c.invalid_trace_context.load(std::memory_order_relaxed);
    });
    block->aliases.for_each([&](std::string_view type, std::uint32_t version, std::string_view name,
                                const alias_counter& c) {
      aliases[{std::string(type), version, std::string(name)}] +=
          c.count.load(std::memory_order_relaxed);
    });
  }
  for (auto& [key, e] : messages) {
    if (e.total() != 0) s.messages.push_back(std::move(e));
  }
  for (auto& [key, n] : aliases) {
    if (n != 0) s.alias_reads.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
  }
  std::sort(s.messages.begin(), s.messages.end(), [](const auto& a, const auto& b) {
    return std::tie(a.type, a.version) < std::tie(b.type, b.version);
  });
  std::sort(s.alias_reads.begin(), s.alias_reads.end(), [](const auto& a, const auto& b) {
    return std::tie(a.type, a.version, a.name) < std::tie(b.type, b.version, b.name);
  });
  return s;
}

}  // namespace skew::detail

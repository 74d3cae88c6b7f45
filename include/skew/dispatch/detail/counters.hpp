// Lock-free counters keyed by (type, version, name), for the router's statistics. Dispatching
// threads only increment relaxed atomics; a new key claims a slot with one compare-and-swap.
// The table is bounded: once full, new keys share one overflow slot, so a producer inventing types
// cannot grow memory or a metrics backend's cardinality without limit.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <thread>

namespace skew::detail {

inline constexpr std::string_view overflow_label = "_other";

inline std::uint64_t counter_hash(std::string_view type, std::uint32_t version,
                                  std::string_view name) noexcept {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a: short keys, no need for more
  for (const char c : type) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  h = (h ^ 0xff) * 1099511628211ull;
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h ^ (std::uint64_t{version} * 0x9e3779b97f4a7c15ull);
}

template <class Counters, std::size_t Capacity>
class keyed_counters {
 public:
  static constexpr std::size_t max_text = 160;

  keyed_counters() noexcept {
    slot& overflow = slots_[Capacity];
    std::memcpy(overflow.text, overflow_label.data(), overflow_label.size());
    overflow.type_len = static_cast<std::uint16_t>(overflow_label.size());
    overflow.state.store(ready, std::memory_order_release);
  }

  Counters& find(std::string_view type, std::uint32_t version,
                 std::string_view name = {}) noexcept {
    if (type.size() + name.size() > max_text) return slots_[Capacity].counters;
    const std::uint64_t hash = counter_hash(type, version, name);
    for (std::size_t probe = 0; probe < Capacity; ++probe) {
      slot& s = slots_[(hash + probe) % Capacity];
      std::uint8_t state = s.state.load(std::memory_order_acquire);
      if (state == empty) {
        std::uint8_t expected = empty;
        if (s.state.compare_exchange_strong(expected, writing, std::memory_order_acquire)) {
          s.hash = hash;
          s.version = version;
          s.type_len = static_cast<std::uint16_t>(type.size());
          s.name_len = static_cast<std::uint16_t>(name.size());
          if (!type.empty()) std::memcpy(s.text, type.data(), type.size());
          if (!name.empty()) std::memcpy(s.text + type.size(), name.data(), name.size());
          s.state.store(ready, std::memory_order_release);
          return s.counters;
        }
        state = expected;
      }
      // Another thread is writing this slot's key: a few stores, so wait for them.
      while (state == writing) {
        std::this_thread::yield();
        state = s.state.load(std::memory_order_acquire);
      }
      if (s.hash == hash && s.version == version && s.type() == type && s.name() == name) {
        return s.counters;
      }
    }
    return slots_[Capacity].counters;
  }

  // Calls f(type, version, name, counters) for every key seen so far, the overflow slot last.
  template <class F>
  void for_each(F&& f) const {
    for (const slot& s : slots_) {
      if (s.state.load(std::memory_order_acquire) == ready)
        f(s.type(), s.version, s.name(), s.counters);
    }
  }

 private:
  static constexpr std::uint8_t empty = 0;
  static constexpr std::uint8_t writing = 1;
  static constexpr std::uint8_t ready = 2;

  struct slot {
    std::atomic<std::uint8_t> state{empty};
    std::uint16_t type_len = 0;
    std::uint16_t name_len = 0;
    std::uint32_t version = 0;
    std::uint64_t hash = 0;
    char text[max_text] = {};
    Counters counters{};

    std::string_view type() const noexcept { return {text, type_len}; }
    std::string_view name() const noexcept { return {text + type_len, name_len}; }
  };

  std::array<slot, Capacity + 1> slots_{};
};

}  // namespace skew::detail

// skew::process_duration_histogram: an observer that keeps how long messages took, from receipt
// to outcome, per type, version and outcome, as the Prometheus histogram
// `skew_process_duration_seconds` (buckets 5 ms to 10 s), beside to_prometheus(router.stats()).
//
//   skew::process_duration_histogram durations;
//   router.set_observer(&durations);
//   body = skew::to_prometheus(router.stats()) + durations.prometheus_text();
#pragma once

#include <skew/base/detail/prometheus.hpp>
#include <skew/dispatch/observer.hpp>
#include <skew/dispatch/outcome.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace skew {

class process_duration_histogram : public observer {
 public:
  // Upper bounds in seconds: Prometheus's default buckets, 5 ms to 10 s.
  static constexpr std::array<double, 11> bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                    0.5,   1.0,  2.5,   5.0,  10.0};
  // Series beyond this many (type, version, outcome) keys are counted under type "_other": types
  // come from the wire, and a metric's cardinality must not.
  static constexpr std::size_t max_series = 256;

  void on_process_end(const process_end& e) override { record(e.result, e.duration); }

  // One message's duration (what on_process_end records).
  void record(const outcome& o, std::chrono::nanoseconds took) {
    const double seconds = std::chrono::duration<double>(took).count();
    const std::uint32_t version = o.version.value_or(0);
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = series_.find(key_view{o.type, version, o.action});
    if (it == series_.end()) {
      const bool room = series_.size() < max_series;
      const std::string type = room ? std::string(o.type) : std::string("_other");
      it = series_.try_emplace(key{type, version, o.action}).first;
    }
    series& s = it->second;
    for (std::size_t b = 0; b < bounds.size(); ++b) {
      if (seconds <= bounds[b]) ++s.buckets[b];
    }
    ++s.count;
    s.sum += seconds;
  }

  // The Prometheus text exposition (0.0.4) of every series, cumulative buckets, `le="+Inf"`, sum
  // and count. `version` is "" when none was read.
  std::string prometheus_text(std::string_view prefix = "skew") const {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    const std::string name = std::string(prefix) + "_process_duration_seconds";
    out += "# HELP " + name +
           " Time from a message's receipt to its outcome, by type, schema version and outcome.\n";
    out += "# TYPE " + name + " histogram\n";
    for (const auto& [k, s] : series_) {
      std::string labels = "type=\"";
      detail::append_label_value(labels, k.type);
      labels += "\",version=\"";
      if (k.version != 0) labels += std::to_string(k.version);
      labels += "\",outcome=\"";
      labels += to_string(k.taken);
      labels += '"';
      for (std::size_t b = 0; b < bounds.size(); ++b) {
        out += name + "_bucket{" + labels + ",le=\"" + bound_text(bounds[b]) + "\"} " +
               std::to_string(s.buckets[b]) + '\n';
      }
      out += name + "_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(s.count) + '\n';
      out += name + "_sum{" + labels + "} " + std::to_string(s.sum) + '\n';
      out += name + "_count{" + labels + "} " + std::to_string(s.count) + '\n';
    }
    return out;
  }

 private:
  struct key {
    std::string type;
    std::uint32_t version = 0;
    action taken = action::ack;
  };
  struct key_view {
    std::string_view type;
    std::uint32_t version = 0;
    action taken = action::ack;
  };
  // Ordered by type, version, outcome; compares a key with a key_view without making a string.
  struct key_order {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      return std::tuple(std::string_view(a.type), a.version, a.taken) <
             std::tuple(std::string_view(b.type), b.version, b.taken);
    }
  };
  struct series {
    std::array<std::uint64_t, bounds.size()> buckets{};  // cumulative: each counts <= its bound
    std::uint64_t count = 0;
    double sum = 0;
  };

  static std::string bound_text(double b) {
    std::string t = std::to_string(b);  // "0.005000"
    while (t.back() == '0') t.pop_back();
    if (t.back() == '.') t.pop_back();
    return t;
  }

  mutable std::mutex mutex_;
  std::map<key, series, key_order> series_;
};

}  // namespace skew

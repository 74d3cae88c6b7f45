// skew::fleet_follower: an emitter that follows the fleet. Each read of the shared store (a
// skew::fleet) is offered to observe(); the emitter's version becomes the highest version it can
// write that every declared consumer group reads, inside the operator's limits:
//   - it rises only on fresh evidence: the same higher answer `rise_after` reads in a row;
//   - it falls at once when a reader of a lower version appears (a rollback);
//   - when the store cannot be read (observe_unreachable) or no version is read by every group,
//     it holds: never up without evidence.
// Every change is returned (and passed to the optional log callback) with the groups that blocked
// or allowed it. status() gives skew_emit_version{type} and skew_emit_blocked{type,group}, for
// fmt and Prometheus.
#pragma once

#include <skew/base/detail/prometheus.hpp>
#include <skew/rollout/emitter.hpp>
#include <skew/rollout/fleet.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <skew/base/detail/fmt.hpp>

namespace skew {

struct follow_settings {
  emission_limits limits{};
  unsigned rise_after = 3;  // consecutive reads that must agree before the version rises
};

struct emission_change {
  std::string type;
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  std::string why;  // which groups allowed or blocked it
};

// What a follower emits and which groups hold it down, as metrics.
struct emission_status {
  std::string type;
  std::uint32_t version = 0;            // skew_emit_version{type}
  std::vector<std::string> blocked_by;  // skew_emit_blocked{type,group} is 1 for these
  bool store_reachable = true;
};

template <message_family Family>
class fleet_follower {
 public:
  using log_function = std::function<void(const emission_change&)>;

  explicit fleet_follower(emitter<Family>& e, follow_settings settings = {}, log_function log = {})
      : emitter_(e), settings_(settings), log_(std::move(log)) {
    status_.type = std::string(Family::type_name);
    status_.version = e.version();
  }

  // One read of the store. Returns the change it made, if any.
  std::optional<emission_change> observe(const fleet& f) {
    const manifest_family writer = emitter_.manifest().families.front();
    const emission_choice choice = choose_emission(writer, f, settings_.limits);
    const std::uint32_t current = emitter_.version();
    std::vector<std::string> blocked;
    std::string blockers;
    for (const auto& [group, best] : choice.blocking) {
      blocked.push_back(group);
      if (!blockers.empty()) blockers += ", ";
      blockers += best ? fmt::format("{} (reads up to v{})", group, *best)
                       : fmt::format("{} (reads none of them)", group);
    }
    std::optional<emission_change> change;
    if (!choice.version) {
      streak_ = 0;
    } else if (*choice.version < current) {
      change = emission_change{status_.type, current, *choice.version,
                               "a reader of an older version appeared: " + blockers};
    } else if (*choice.version > current) {
      streak_ = *choice.version == candidate_ ? streak_ + 1 : 1;
      candidate_ = *choice.version;
      if (streak_ >= settings_.rise_after) {
        std::string groups;
        for (const auto& g : f.groups) groups += (groups.empty() ? "" : ", ") + g.group;
        change = emission_change{
            status_.type, current, *choice.version,
            fmt::format("every declared group ({}) reads v{} ({} reads in a row){}",
                        groups.empty() ? "none" : groups, *choice.version, streak_,
                        blockers.empty() ? "" : "; held below the highest by " + blockers)};
      }
    } else {
      streak_ = 0;
    }
    if (change) {
      streak_ = 0;
      (void)emitter_.set_version(change->to);
      if (log_) log_(*change);
    }
    std::lock_guard lock(mutex_);
    status_.version = emitter_.version();
    status_.blocked_by = std::move(blocked);
    status_.store_reachable = true;
    return change;
  }

  // The store could not be read: the version holds, and a rise in progress starts over.
  void observe_unreachable() {
    streak_ = 0;
    std::lock_guard lock(mutex_);
    status_.store_reachable = false;
  }

  // Safe to call from another thread (a metrics scrape) while observe() runs.
  emission_status status() const {
    std::lock_guard lock(mutex_);
    return status_;
  }

 private:
  emitter<Family>& emitter_;
  follow_settings settings_;
  log_function log_;
  unsigned streak_ = 0;
  std::uint32_t candidate_ = 0;
  mutable std::mutex mutex_;
  emission_status status_;
};

// Prometheus text exposition of followers' statuses:
//   skew_emit_version{type}          the version emitted now
//   skew_emit_blocked{type,group}    1 while that group holds the version down
inline std::string to_prometheus(const std::vector<emission_status>& statuses,
                                 std::string_view prefix = "skew") {
  std::string out = fmt::format(
      "# HELP {0}_emit_version The schema version a producer emits, by type.\n"
      "# TYPE {0}_emit_version gauge\n",
      prefix);
  for (const auto& s : statuses) {
    out += fmt::format("{}_emit_version{{type=\"", prefix);
    detail::append_label_value(out, s.type);
    out += fmt::format("\"}} {}\n", s.version);
  }
  out += fmt::format(
      "# HELP {0}_emit_blocked 1 while a consumer group holds a type's version down.\n"
      "# TYPE {0}_emit_blocked gauge\n",
      prefix);
  for (const auto& s : statuses) {
    for (const auto& g : s.blocked_by) {
      out += fmt::format("{}_emit_blocked{{type=\"", prefix);
      detail::append_label_value(out, s.type);
      out += "\",group=\"";
      detail::append_label_value(out, g);
      out += "\"} 1\n";
    }
  }
  return out;
}

}  // namespace skew

// "send-email v1 (held by mailers)" or "send-email v2"
template <>
struct fmt::formatter<skew::emission_status> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const skew::emission_status& s, FormatContext& ctx) const {
    auto out = fmt::format_to(ctx.out(), "{} v{}", s.type, s.version);
    if (!s.blocked_by.empty()) {
      out = fmt::format_to(out, " (held by ");
      for (std::size_t i = 0; i < s.blocked_by.size(); ++i) {
        out = fmt::format_to(out, "{}{}", i == 0 ? "" : ", ", s.blocked_by[i]);
      }
      out = fmt::format_to(out, ")");
    }
    if (!s.store_reachable) out = fmt::format_to(out, " [store unreachable: holding]");
    return out;
  }
};

// Version-aware redrive, independent of the store: what a dead letter says about itself, which
// letters the live consumers can read now, the dry run's table, the counters and the pace. The
// Kafka and Redis Streams redrives (adapters/kafka/redrive.hpp, adapters/redis/redrive.hpp) read
// and move the letters; the decisions are made here, alike for both.
//
// Each letter gets one verdict:
//   readable_now  its type and version are read by every live instance of the group that
//                 dead-lettered it (from the fleet's manifests), or by a given build's router:
//                 it goes back to the original topic or stream, addressed to that group only
//   not_yet       nobody that would receive it reads it yet: it stays
//   never         it cannot become readable (malformed, invalid payload or envelope, a retired
//                 version or one under the finalized floor, rejected by a handler), or it was
//                 redriven once and dead-lettered again: it is parked with its reasons
#pragma once

#include <skew/adapters/broker.hpp>
#include <skew/rollout/fleet.hpp>

#include <skew/base/detail/fmt.hpp>
#include <skew/base/detail/prometheus.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace skew {

// A dead letter as a redrive reads it: skew's own fields, or what another tool's dead letter
// carries (Spring Kafka's), and the envelope's type and version read from the message.
struct dead_letter {
  std::string reason;  // the reason's name (broker.hpp); empty when the writer gave none
  std::string error;   // the last error
  std::string group;   // the consumer group that dead-lettered it; empty when unknown
  std::uint32_t deliveries = 0;
  // Set when this letter is a redriven copy that was dead-lettered again: the first reason.
  std::string first_reason;
  // From the envelope; empty type or no version when the message has no readable header.
  std::string type;
  std::optional<std::uint32_t> version;
  std::string envelope_id;
};

enum class redrive_verdict : unsigned char { readable_now, not_yet, never };

constexpr std::string_view to_string(redrive_verdict v) noexcept {
  switch (v) {
    case redrive_verdict::readable_now:
      return "readable_now";
    case redrive_verdict::not_yet:
      return "not_yet";
    case redrive_verdict::never:
      return "never";
  }
  return "unknown";
}

struct redrive_decision {
  redrive_verdict verdict = redrive_verdict::not_yet;
  std::string why;  // for people: the table and the parked letter say it
};

// Who would read a redriven letter: the live instances of each group (from the fleet's
// manifests), or one build's router for every group.
class letter_readers {
 public:
  static letter_readers from_fleet(fleet f) {
    letter_readers r;
    r.fleet_ = std::move(f);
    return r;
  }
  // `router` must outlive the readers.
  template <class Router>
  static letter_readers from_router(const Router& router) {
    letter_readers r;
    r.build_ = [&router](std::string_view type, std::uint32_t v) {
      return router.can_handle(type, v);
    };
    return r;
  }

  // A build's manifest (what `router.manifest()` says it reads) for every group.
  static letter_readers from_manifest(manifest m) {
    letter_readers r;
    r.build_ = [m = std::move(m)](std::string_view type, std::uint32_t v) {
      const manifest_family* f = m.family(type);
      return f != nullptr && f->reads_version(v);
    };
    return r;
  }

  std::uint32_t floor_of(std::string_view type) const {
    return fleet_ ? fleet_->floor_of(type) : 0;
  }

  // Whether every live instance of `group` reads `type` v`version`, or why not.
  std::optional<std::string> why_not_read(std::string_view group, std::string_view type,
                                          std::uint32_t version) const {
    if (build_) {
      if (build_(type, version)) return std::nullopt;
      return fmt::format("the build does not read {} v{}", type, version);
    }
    if (!fleet_) return std::string("no readers given");
    for (const auto& g : fleet_->groups) {
      if (g.group != group) continue;
      if (g.live.empty()) return fmt::format("group {} has no live instance", group);
      for (const auto& m : g.live) {
        const manifest_family* f = m.family(type);
        if (f == nullptr || !f->reads_version(version)) {
          return fmt::format("{} in group {} does not read {} v{}",
                             m.build.empty() ? "an instance" : m.build, group, type, version);
        }
      }
      return std::nullopt;
    }
    return fmt::format("the fleet has no group {}", group);
  }

 private:
  std::optional<fleet> fleet_;
  std::function<bool(std::string_view, std::uint32_t)> build_;
};

// Reasons no later build can change: the message itself is wrong, or a handler refused it.
inline bool is_permanent_reason(std::string_view reason) noexcept {
  return reason == to_string(reason::malformed) || reason == to_string(reason::invalid_payload) ||
         reason == to_string(reason::invalid_envelope) ||
         reason == to_string(reason::retired_version) || reason == rejected_by_handler ||
         reason == no_envelope_field;
}

// The verdict on one letter. `group` is the group it would go back to (the letter's own, or the
// operator's choice when the letter names none).
inline redrive_decision classify(const dead_letter& letter, std::string_view group,
                                 const letter_readers& readers) {
  using enum redrive_verdict;
  if (!letter.first_reason.empty()) {
    return {never, fmt::format("dead-lettered again after a redrive: first {}, then {}",
                               letter.first_reason, letter.reason)};
  }
  if (is_permanent_reason(letter.reason)) {
    return {never, letter.error.empty() ? letter.reason : letter.error};
  }
  if (letter.type.empty() || !letter.version) {
    return {never, "the message has no readable type and schemaVersion"};
  }
  const std::uint32_t floor = readers.floor_of(letter.type);
  if (*letter.version < floor) {
    return {never, fmt::format("{} v{} is under the finalized floor v{}", letter.type,
                               *letter.version, floor)};
  }
  if (group.empty()) return {not_yet, "the letter names no group: choose one"};
  if (auto why = readers.why_not_read(group, letter.type, *letter.version)) {
    return {not_yet, std::move(*why)};
  }
  return {readable_now, {}};
}

// The dry run's table: letters counted by (group, type, version, reason, verdict).
class redrive_table {
 public:
  struct row {
    std::string group, type;
    std::optional<std::uint32_t> version;
    std::string reason;
    redrive_verdict verdict;
    std::uint64_t count;
  };

  void add(const dead_letter& letter, std::string_view group, redrive_verdict verdict) {
    const auto key = std::make_tuple(std::string(group), letter.type, letter.version.value_or(0),
                                     letter.version.has_value(), letter.reason, verdict);
    ++counts_[key];
  }

  std::vector<row> rows() const {
    std::vector<row> out;
    for (const auto& [key, count] : counts_) {
      const auto& [group, type, version, has_version, reason, verdict] = key;
      out.push_back({group, type, has_version ? std::optional(version) : std::nullopt, reason,
                     verdict, count});
    }
    return out;
  }

  // One line per row, aligned, for a person.
  std::string text() const {
    std::string out = fmt::format("{:<16} {:<20} {:>7} {:<22} {:>7}  {}\n", "group", "type",
                                  "version", "reason", "count", "verdict");
    for (const row& r : rows()) {
      out += fmt::format("{:<16} {:<20} {:>7} {:<22} {:>7}  {}\n", r.group.empty() ? "-" : r.group,
                         r.type.empty() ? "-" : r.type,
                         r.version ? fmt::format("v{}", *r.version) : std::string("-"),
                         r.reason.empty() ? "-" : r.reason, r.count, to_string(r.verdict));
    }
    return out;
  }

 private:
  std::map<std::tuple<std::string, std::string, std::uint32_t, bool, std::string, redrive_verdict>,
           std::uint64_t>
      counts_;
};

// A redrive's counts. Every letter read ends as exactly one of moved, parked, left or failed;
// to_move counts the letters found readable (moved + failed of those).
struct redrive_counts {
  std::uint64_t to_move = 0;
  std::uint64_t moved = 0;
  std::uint64_t parked = 0;
  std::uint64_t left = 0;
  std::uint64_t failed = 0;
};

// The counts in the Prometheus text exposition format, labelled by the dead-letter queue.
inline std::string prometheus_text(const redrive_counts& c, std::string_view queue) {
  std::string label = "queue=\"";
  detail::append_label_value(label, queue);
  label += '"';
  std::string out =
      "# HELP skew_redrive_letters Dead letters by what the redrive did with them.\n"
      "# TYPE skew_redrive_letters gauge\n";
  const std::pair<std::string_view, std::uint64_t> states[] = {{"to_move", c.to_move},
                                                               {"moved", c.moved},
                                                               {"parked", c.parked},
                                                               {"left", c.left},
                                                               {"failed", c.failed}};
  for (const auto& [state, n] : states) {
    out += fmt::format("skew_redrive_letters{{{},state=\"{}\"}} {}\n", label, state, n);
  }
  return out;
}

// Paces moves at `per_second` (0: no limit), without bursts beyond one record.
class redrive_pace {
 public:
  explicit redrive_pace(double per_second) : per_second_(per_second) {}

  // The wait before the next move; the caller sleeps it (redrives keep their loops testable).
  std::chrono::steady_clock::duration next(std::chrono::steady_clock::time_point now) {
    if (per_second_ <= 0) return {};
    const auto step = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / per_second_));
    if (next_ < now) next_ = now;
    const auto wait = next_ - now;
    next_ += step;
    return wait;
  }
  void wait_turn() {
    const auto wait = next(std::chrono::steady_clock::now());
    if (wait.count() > 0) std::this_thread::sleep_for(wait);
  }

 private:
  double per_second_;
  std::chrono::steady_clock::time_point next_{};
};

// What a redrive is asked to do, alike for every store.
struct redrive_options {
  bool dry_run = false;
  double rate = 0;         // moves per second; 0: no limit
  std::size_t canary = 0;  // move this many first and wait for their outcomes; 0: none
  std::chrono::milliseconds canary_timeout{60000};
  std::string group{};  // only this group's letters (and letters naming none, as this group's)
  // Called every `progress_every` letters and at the end, for a progress line.
  std::function<void(const redrive_counts&)> progress{};
  std::size_t progress_every = 100;
};

// How a redrive ended.
struct redrive_report {
  redrive_counts counts;
  redrive_table table;
  bool ok = true;  // false: the store failed or the canary did; error says which
  std::string error;
};

}  // namespace skew

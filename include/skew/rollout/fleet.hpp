// skew::fleet: the manifests of every consumer group a producer writes for, as one read of a
// shared store sees them, and what they allow: the highest version every group reads, the floor
// an operator finalized, and whether a build may start under that floor.
//
// A group reads a version of a type when all its live instances do. A group whose instances have
// all vanished keeps constraining through its last-known manifest until an operator retires it:
// a consumer that is down for a deploy still has its backlog to read. An instance whose manifest
// does not mention a type does not constrain that type (it does not consume it).
#pragma once

#include <skew/model/manifest.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <skew/base/detail/fmt.hpp>

namespace skew {

struct group_manifests {
  std::string group;
  std::vector<manifest> live;                 // one per live instance
  std::optional<manifest> last_known;         // the newest manifest the group published
  std::vector<std::string> live_instances{};  // the live instances' names, in live's order
};

struct fleet {
  std::vector<group_manifests> groups;
  // Finalized floors per type: producers emit no version below, consumers must read it.
  std::map<std::string, std::uint32_t, std::less<>> floors;

  std::uint32_t floor_of(std::string_view type) const {
    const auto it = floors.find(type);
    return it == floors.end() ? 0 : it->second;
  }

  // The group named `name`, added (with no manifest) when the fleet has not seen it yet.
  group_manifests& group(std::string_view name) {
    for (auto& g : groups) {
      if (g.group == name) return g;
    }
    groups.push_back(group_manifests{std::string(name), {}, std::nullopt});
    return groups.back();
  }
};

// Whether `g` reads version `v` of `type`: yes when none of its manifests consumes the type; no
// for a group with no manifest at all (declared, never seen: no evidence of what it reads).
inline bool group_reads(const group_manifests& g, std::string_view type, std::uint32_t v) {
  auto reads = [&](const manifest& m) {
    const manifest_family* f = m.family(type);
    return f == nullptr || f->reads.empty() || f->reads_version(v);
  };
  if (!g.live.empty()) return std::all_of(g.live.begin(), g.live.end(), reads);
  return g.last_known && reads(*g.last_known);
}

// An operator's bounds on what a producer emits.
struct emission_limits {
  std::uint32_t floor = 0;
  std::uint32_t ceiling = std::numeric_limits<std::uint32_t>::max();
};

struct emission_choice {
  std::optional<std::uint32_t> version;  // none: no writable version every group reads
  // The groups that hold the version below the highest the producer can write (within limits),
  // each with the highest version it reads of those.
  std::vector<std::pair<std::string, std::optional<std::uint32_t>>> blocking;
};

// The highest version of `writer` that every group of `f` reads, inside `limits` and at or above
// the type's finalized floor.
inline emission_choice choose_emission(const manifest_family& writer, const fleet& f,
                                       const emission_limits& limits = {}) {
  emission_choice choice;
  const std::uint32_t floor = std::max(limits.floor, f.floor_of(writer.type));
  std::vector<std::uint32_t> candidates;
  for (const std::uint32_t v : writer.writes) {
    if (v >= floor && v <= limits.ceiling) candidates.push_back(v);
  }
  std::sort(candidates.rbegin(), candidates.rend());
  for (const std::uint32_t v : candidates) {
    bool all = true;
    for (const auto& g : f.groups) all = all && group_reads(g, writer.type, v);
    if (all) {
      choice.version = v;
      break;
    }
  }
  if (candidates.empty() || choice.version == candidates.front()) return choice;
  for (const auto& g : f.groups) {
    if (group_reads(g, writer.type, candidates.front())) continue;
    std::optional<std::uint32_t> best;
    for (const std::uint32_t v : candidates) {
      if (group_reads(g, writer.type, v)) {
        best = v;
        break;
      }
    }
    choice.blocking.emplace_back(g.group, best);
  }
  return choice;
}

// Why `m` may not start under the fleet's finalized floors, or nothing: a consumer must read the
// floor of every type it consumes, since producers no longer emit anything older.
inline std::optional<std::string> floor_violation(const manifest& m, const fleet& f) {
  for (const auto& family : m.families) {
    const std::uint32_t floor = f.floor_of(family.type);
    if (floor == 0 || family.reads.empty()) continue;
    if (!family.reads_version(floor)) {
      return fmt::format(
          "{}: the fleet's floor is v{} (finalized), and this build reads v{}..v{}; deploy a "
          "build that reads v{}",
          family.type, floor, family.reads.front(), family.reads.back(), floor);
    }
  }
  return std::nullopt;
}

// Why the floor of `type` cannot be raised to `v`, or nothing: every group must read v.
inline std::optional<std::string> floor_blocked(const fleet& f, std::string_view type,
                                                std::uint32_t v) {
  std::string blocked;
  for (const auto& g : f.groups) {
    if (group_reads(g, type, v)) continue;
    if (!blocked.empty()) blocked += ", ";
    blocked += g.group;
  }
  if (blocked.empty()) return std::nullopt;
  return fmt::format("{} v{} is not read by group(s) {}", type, v, blocked);
}

}  // namespace skew

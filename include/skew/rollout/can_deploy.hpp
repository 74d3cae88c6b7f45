// skew::can_deploy: Pact's "can I deploy?" for queues. Given the manifests of what runs now and
// the manifest of a candidate build, it answers with reasons:
//   - a consumer candidate must read every version producers may emit of the types it consumes:
//     what each producer emits now (or, without that, every version it writes at or above the
//     floor) and every version still retained in the stream;
//   - a producer candidate must be able to write, of each type it writes, a version every
//     consumer group reads (a group reads it when all its instances do).
#pragma once

#include <skew/model/manifest.hpp>
#include <skew/rollout/fleet.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <skew/base/detail/fmt.hpp>

namespace skew {

// A (type, version) still in the stream, which a consumer deployed now would read.
struct retained_version {
  std::string type;
  std::uint32_t version = 0;
};

struct deploy_verdict {
  std::vector<std::string> reasons;  // empty: yes
  bool ok() const noexcept { return reasons.empty(); }
  explicit operator bool() const noexcept { return ok(); }
};

inline deploy_verdict can_deploy(
    std::span<const manifest> current, const manifest& candidate,
    std::span<const retained_version> retained = {},
    const std::map<std::string, std::uint32_t, std::less<>>& floors = {}) {
  deploy_verdict verdict;
  auto floor_of = [&](std::string_view type) {
    const auto it = floors.find(type);
    return it == floors.end() ? 0u : it->second;
  };
  // The candidate as a consumer.
  for (const auto& mine : candidate.families) {
    if (mine.reads.empty()) continue;
    auto require = [&](std::uint32_t v, std::string_view who) {
      if (v < floor_of(mine.type) || mine.reads_version(v)) return;
      const std::string reason =
          fmt::format("{} v{} is {}, and {} reads v{}..v{}", mine.type, v, who,
                      candidate.build.empty() ? "the candidate" : candidate.build,
                      mine.reads.front(), mine.reads.back());
      for (const auto& r : verdict.reasons) {
        if (r == reason) return;
      }
      verdict.reasons.push_back(reason);
    };
    for (const auto& m : current) {
      const manifest_family* theirs = m.family(mine.type);
      if (theirs == nullptr || theirs->writes.empty()) continue;
      const std::string who = fmt::format("written by {}", m.build.empty() ? m.service : m.build);
      if (theirs->emits) {
        require(*theirs->emits, who);
      } else {
        for (const std::uint32_t v : theirs->writes) require(v, who);
      }
    }
    for (const auto& r : retained) {
      if (r.type == mine.type) require(r.version, "still retained in the stream");
    }
  }
  // The candidate as a producer.
  fleet f;
  for (const auto& m : current) {
    if (m.group.empty()) continue;
    bool consumes = false;
    for (const auto& fam : m.families) consumes = consumes || !fam.reads.empty();
    if (!consumes) continue;
    auto it = std::find_if(f.groups.begin(), f.groups.end(),
                           [&](const group_manifests& g) { return g.group == m.group; });
    if (it == f.groups.end()) {
      f.groups.push_back(group_manifests{m.group, {}, std::nullopt});
      it = f.groups.end() - 1;
    }
    it->live.push_back(m);
  }
  for (const auto& [type, v] : floors) f.floors.emplace(type, v);
  for (const auto& mine : candidate.families) {
    if (mine.writes.empty()) continue;
    const emission_choice choice = choose_emission(mine, f);
    if (choice.version) continue;
    std::string groups;
    for (const auto& [group, best] : choice.blocking) {
      if (!groups.empty()) groups += ", ";
      groups += best ? fmt::format("{} (reads up to v{})", group, *best) : group;
    }
    verdict.reasons.push_back(
        fmt::format("{}: no version {} writes (v{}..v{}) is read by every "
                    "group: {}",
                    mine.type, candidate.build.empty() ? "the candidate" : candidate.build,
                    mine.writes.front(), mine.writes.back(), groups));
  }
  return verdict;
}

}  // namespace skew

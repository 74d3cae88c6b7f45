// skew fleet show, skew can-deploy, skew retire-group, skew raise-floor: the fleet's manifests
// for people and pipelines. Exit codes: 0 yes (or done), 1 no (refused), 2 usage or connection.
#pragma once

#include <skew/model/describe.hpp>
#include <skew/payload/decoder.hpp>
#include <skew/payload/encode.hpp>
#include <skew/rollout/can_deploy.hpp>

#include "command_line.hpp"
#include "stores.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace skew_tool {

// --json output: the fleet as a program reads it.
struct group_view {
  std::string group;
  std::vector<std::string> live_instances;  // each live instance: "<name> (<build>)"
  std::vector<skew::manifest> live;
  std::optional<skew::manifest> last_known;
};
SKEW_DESCRIBE(group_view, group, live_instances, live, last_known)
struct floor_view {
  std::string type;
  std::uint32_t floor = 0;
};
SKEW_DESCRIBE(floor_view, type, floor)
struct fleet_view {
  std::vector<group_view> groups;
  std::vector<floor_view> floors;
};
SKEW_DESCRIBE(fleet_view, groups, floors)
struct verdict_view {
  std::string candidate;
  bool ok = false;
  std::vector<std::string> reasons;
};
SKEW_DESCRIBE(verdict_view, candidate, ok, reasons)

inline int fail(std::string_view what) {
  fmt::print(stderr, "skew: {}\n", what);
  return 2;
}

inline std::optional<skew::manifest> read_manifest_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    fmt::print(stderr, "skew: cannot read {}\n", path);
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  skew::decoder d;
  auto m = d.decode<skew::manifest>(text.str());
  if (!m) {
    fmt::print(stderr, "skew: {} is not a manifest: {}\n", path, m.error());
    return std::nullopt;
  }
  return std::move(*m);
}

inline int fleet_show(const broker& b, bool json) {
  fleet_store store(b);
  const auto fleet = store.read_fleet();
  if (!fleet) return fail("cannot read the fleet: " + store.last_error());
  fleet_view view;
  for (const auto& g : fleet->groups) {
    group_view gv{g.group, {}, g.live, g.last_known};
    for (std::size_t i = 0; i < g.live.size(); ++i) {
      const std::string name = i < g.live_instances.size() ? g.live_instances[i] : "?";
      gv.live_instances.push_back(fmt::format("{} ({})", name, g.live[i].build));
    }
    view.groups.push_back(std::move(gv));
  }
  for (const auto& [type, v] : fleet->floors) view.floors.push_back({type, v});
  if (json) {
    fmt::print("{}\n", skew::encode(view).value_or("{}"));
    return 0;
  }
  if (view.groups.empty()) fmt::print("no group has published a manifest\n");
  for (const auto& g : fleet->groups) {
    fmt::print("group {}: {} live instance(s){}\n", g.group, g.live.size(),
               g.last_known ? fmt::format(", last known build {}", g.last_known->build) : "");
    for (std::size_t i = 0; i < g.live.size(); ++i) {
      const auto& m = g.live[i];
      std::string reads;
      for (const auto& f : m.families) {
        if (f.reads.empty()) continue;
        reads +=
            fmt::format("{}{} v{}", reads.empty() ? "" : "; ", f.type, fmt::join(f.reads, ", v"));
      }
      fmt::print("  {:<20} {:<28} reads {}\n",
                 i < g.live_instances.size() ? g.live_instances[i] : "?", m.build, reads);
    }
  }
  for (const auto& [type, v] : fleet->floors) fmt::print("floor {} v{}\n", type, v);
  return 0;
}

inline int can_deploy(const command_line& args, const std::optional<broker>& b, bool json) {
  const auto candidate = read_manifest_file(args.value_or("--candidate", ""));
  if (!candidate) return 2;
  std::vector<skew::manifest> current;
  std::vector<skew::retained_version> retained;
  std::map<std::string, std::uint32_t, std::less<>> floors;
  if (const auto files = args.value("--manifests")) {
    std::stringstream list(*files);
    for (std::string path; std::getline(list, path, ',');) {
      auto m = read_manifest_file(path);
      if (!m) return 2;
      current.push_back(std::move(*m));
    }
  } else if (b) {
    fleet_store store(*b);
    auto fleet = store.read_fleet();
    auto producers = store.read_producers();
    if (!fleet || !producers) return fail("cannot read the fleet: " + store.last_error());
    for (auto& g : fleet->groups) {
      for (auto& m : g.live) current.push_back(std::move(m));
    }
    for (auto& m : *producers) current.push_back(std::move(m));
    std::string error;
    auto kept = store.retained(error);
    if (!kept) return fail("cannot read the versions still retained: " + error);
    retained = std::move(*kept);
    for (const auto& [type, v] : fleet->floors) floors.emplace(type, v);
  } else {
    return fail("can-deploy needs --manifests a.json,b.json or a broker (--redis / --kafka)");
  }
  const skew::deploy_verdict verdict = skew::can_deploy(current, *candidate, retained, floors);
  const std::string name = candidate->build.empty() ? "candidate" : candidate->build;
  if (json) {
    fmt::print("{}\n", skew::encode(verdict_view{name, verdict.ok(), verdict.reasons}).value());
  } else {
    fmt::print("can-deploy {}: {}\n", name, verdict ? "yes" : "no");
    for (const auto& reason : verdict.reasons) fmt::print("  - {}\n", reason);
  }
  return verdict ? 0 : 1;
}

inline int retire_group(const broker& b, const std::string& group, bool force) {
  if (group.empty()) return fail("retire-group needs --group");
  fleet_store store(b);
  const auto fleet = store.read_fleet();
  if (!fleet) return fail("cannot read the fleet: " + store.last_error());
  bool known = false;
  for (const auto& g : fleet->groups) known = known || g.group == group;
  if (!known && !force) {
    fmt::print(stderr,
               "skew: the fleet has never seen group {} (a typo?); nothing retired. --force "
               "retires it anyway\n",
               group);
    return 1;
  }
  if (!store.retire_group(group)) return fail("cannot retire " + group + ": " + store.last_error());
  fmt::print("retired group {}: its last-known manifest no longer holds emission\n", group);
  return 0;
}

inline int raise_floor(const broker& b, const std::string& type, std::uint64_t version) {
  if (type.empty() || version == 0) return fail("raise-floor needs --type and --version");
  fleet_store store(b);
  if (!store.raise_floor(type, static_cast<std::uint32_t>(version))) {
    fmt::print(stderr, "skew: the floor of {} stays: {}\n", type, store.last_error());
    return 1;
  }
  fmt::print("the floor of {} is v{}\n", type, version);
  return 0;
}

}  // namespace skew_tool

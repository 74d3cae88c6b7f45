// skew::manifest: what one build reads and writes, per message type and version.
//
// A consumer's comes from its router (router.manifest()): the versions a handler is reached from
// and the retired floor. A producer's comes from its emitters (emitter.manifest()): the versions
// it can write through its downcast chain, and the one it emits now. Manifests are skew messages
// themselves (described below: skew::encode, decoder.decode<skew::manifest>, json_schema), so a
// shared store can hold the whole fleet's, and skew::fleet_follower (rollout/fleet_follower.hpp)
// can pick a version every live reader reads.
#pragma once

#include <skew/model/describe.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skew {

struct manifest_family {
  std::string type;
  // Versions a handler of this build is reached from, ascending (consumers).
  std::vector<std::uint32_t> reads;
  // Versions below this one are retired: dead-lettered, not read (consumers; 0 when none).
  std::uint32_t floor = 0;
  // Versions this build can write, ascending (producers).
  std::vector<std::uint32_t> writes;
  // The version a producer emits now.
  std::optional<std::uint32_t> emits;

  bool reads_version(std::uint32_t v) const noexcept {
    return std::find(reads.begin(), reads.end(), v) != reads.end();
  }
  bool writes_version(std::uint32_t v) const noexcept {
    return std::find(writes.begin(), writes.end(), v) != writes.end();
  }
  friend bool operator==(const manifest_family&, const manifest_family&) = default;
};

struct manifest {
  std::string service;  // e.g. "mailer"
  std::string build;    // the producer stamp of this build, e.g. "mailer@2026.12.1"
  std::string group;    // the consumer group its instances read in (consumers)
  std::vector<manifest_family> families;

  const manifest_family* family(std::string_view type) const noexcept {
    for (const auto& f : families) {
      if (f.type == type) return &f;
    }
    return nullptr;
  }
  manifest_family* family(std::string_view type) noexcept {
    for (auto& f : families) {
      if (f.type == type) return &f;
    }
    return nullptr;
  }
  // Adds another manifest's families (a producer with several emitters, a consumer with several
  // routers); a type in both keeps the union of its versions.
  manifest& merge(const manifest& other) {
    for (const auto& f : other.families) {
      manifest_family* mine = family(f.type);
      if (mine == nullptr) {
        families.push_back(f);
        continue;
      }
      auto unite = [](std::vector<std::uint32_t>& into, const std::vector<std::uint32_t>& from) {
        into.insert(into.end(), from.begin(), from.end());
        std::sort(into.begin(), into.end());
        into.erase(std::unique(into.begin(), into.end()), into.end());
      };
      unite(mine->reads, f.reads);
      unite(mine->writes, f.writes);
      mine->floor = std::max(mine->floor, f.floor);
      if (!mine->emits) mine->emits = f.emits;
    }
    return *this;
  }
  friend bool operator==(const manifest&, const manifest&) = default;
};

}  // namespace skew

// Only the type is required: a manifest from another skew release may lack the rest.
template <>
struct skew::describe<skew::manifest_family> {
  static constexpr auto fields =
      skew::fields(skew::member<&manifest_family::type>("type"),
                   skew::member<&manifest_family::reads>("reads").required(false),
                   skew::member<&manifest_family::floor>("floor").required(false),
                   skew::member<&manifest_family::writes>("writes").required(false),
                   skew::member<&manifest_family::emits>("emits"));
};
template <>
struct skew::describe<skew::manifest> {
  static constexpr auto fields =
      skew::fields(skew::member<&manifest::service>("service").required(false),
                   skew::member<&manifest::build>("build").required(false),
                   skew::member<&manifest::group>("group").required(false),
                   skew::member<&manifest::families>("families").required(false));
};

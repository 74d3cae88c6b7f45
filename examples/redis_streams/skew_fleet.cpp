// skew_fleet: the operator's and the deploy pipeline's view of a stream's fleet on Redis.
//
//   skew_fleet show          --stream S              live instances, last-known groups, floors
//   skew_fleet can-deploy    --stream S --candidate manifest.json
//   skew_fleet can-deploy    --manifests a.json,b.json --candidate manifest.json   (no Redis)
//   skew_fleet retire-group  --stream S --group G    its last-known manifest stops pinning
//   skew_fleet raise-floor   --stream S --type T --version V
//
// can-deploy answers "can this build go out now?" with reasons, and exits 0 (yes) or 1 (no). With
// Redis, the current fleet is every live consumer and producer manifest, and the versions still
// retained in the stream are read from its entries' headers. Other failures exit 2.
#include <skew/adapters/redis/connection.hpp>
#include <skew/adapters/redis/manifests.hpp>
#include <skew/envelope/peek.hpp>
#include <skew/rollout/can_deploy.hpp>

#include "arguments.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

std::optional<skew::manifest> read_manifest_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    fmt::print(stderr, "skew_fleet: cannot read {}\n", path);
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  skew::decoder d;
  auto m = d.decode<skew::manifest>(text.str());
  if (!m) {
    fmt::print(stderr, "skew_fleet: {} is not a manifest: {}\n", path, m.error());
    return std::nullopt;
  }
  return std::move(*m);
}

// The (type, version) of every entry still in the stream.
std::vector<skew::retained_version> retained_in(skew::redis::connection& redis,
                                                const std::string& stream) {
  std::set<std::pair<std::string, std::uint32_t>> seen;
  std::string from = "-";
  while (true) {
    skew::redis::reply page = redis.command({"XRANGE", stream, from, "+", "COUNT", "1000"});
    if (!page || page->type != REDIS_REPLY_ARRAY || page->elements == 0) {
      break;
    }
    for (std::size_t i = 0; i < page->elements; ++i) {
      const redisReply* fields = page->element[i]->element[1];
      for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
        if (skew::redis::reply_text(fields->element[f]) != "message") continue;
        if (auto h = skew::peek_header(skew::redis::reply_text(fields->element[f + 1]))) {
          seen.emplace(std::string(h->type), h->version);
        }
      }
    }
    from =
        "(" + std::string(skew::redis::reply_text(page->element[page->elements - 1]->element[0]));
  }
  std::vector<skew::retained_version> out;
  for (const auto& [type, version] : seen) out.push_back({type, version});
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr,
               "usage: skew_fleet show|can-deploy|retire-group|raise-floor [--name value]...\n");
    return 2;
  }
  const std::string command = argv[1];
  const demo::arguments args(argc - 1, argv + 1);
  const std::string stream = args.get("--stream", "send-email");
  const skew::redis::endpoint where{args.get("--host", "127.0.0.1"),
                                    static_cast<int>(args.number("--port", 6379))};
  skew::redis::manifest_store store(where, stream);

  if (command == "can-deploy") {
    const auto candidate = read_manifest_file(args.get("--candidate", ""));
    if (!candidate) return 2;
    std::vector<skew::manifest> current;
    std::vector<skew::retained_version> retained;
    std::map<std::string, std::uint32_t, std::less<>> floors;
    if (const std::string files = args.get("--manifests", ""); !files.empty()) {
      std::stringstream list(files);
      for (std::string path; std::getline(list, path, ',');) {
        auto m = read_manifest_file(path);
        if (!m) return 2;
        current.push_back(std::move(*m));
      }
    } else {
      auto fleet = store.read_fleet();
      auto producers = store.read_producers();
      skew::redis::connection redis(where);
      if (!fleet || !producers) {
        fmt::print(stderr, "skew_fleet: cannot read the fleet: {}\n", store.last_error());
        return 2;
      }
      for (auto& g : fleet->groups) {
        for (auto& m : g.live) current.push_back(std::move(m));
      }
      for (auto& m : *producers) current.push_back(std::move(m));
      retained = retained_in(redis, stream);
      for (const auto& [type, v] : fleet->floors) floors.emplace(type, v);
    }
    const skew::deploy_verdict verdict = skew::can_deploy(current, *candidate, retained, floors);
    fmt::print("can-deploy {}: {}\n", candidate->build.empty() ? "candidate" : candidate->build,
               verdict ? "yes" : "no");
    for (const auto& reason : verdict.reasons) fmt::print("  - {}\n", reason);
    return verdict ? 0 : 1;
  }
  if (command == "show") {
    auto fleet = store.read_fleet();
    if (!fleet) {
      fmt::print(stderr, "skew_fleet: cannot read the fleet: {}\n", store.last_error());
      return 2;
    }
    for (const auto& g : fleet->groups) {
      fmt::print("group {}: {} live instance(s){}\n", g.group, g.live.size(),
                 g.last_known ? fmt::format(", last known {}", g.last_known->build) : "");
      for (const auto& m : g.live) {
        for (const auto& f : m.families) {
          fmt::print("  {} reads {} v{}\n", m.build, f.type, fmt::join(f.reads, ", v"));
        }
      }
    }
    for (const auto& [type, v] : fleet->floors) fmt::print("floor {} v{}\n", type, v);
    return 0;
  }
  if (command == "retire-group") {
    const std::string group = args.get("--group", "");
    if (group.empty() || !store.retire_group(group)) {
      fmt::print(stderr, "skew_fleet: cannot retire '{}': {}\n", group, store.last_error());
      return 2;
    }
    fmt::print("retired group {}\n", group);
    return 0;
  }
  if (command == "raise-floor") {
    const std::string type = args.get("--type", "");
    const auto version = static_cast<std::uint32_t>(args.number("--version", 0));
    if (!store.raise_floor(type, version)) {
      fmt::print(stderr, "skew_fleet: floor of {} stays: {}\n", type, store.last_error());
      return 1;
    }
    fmt::print("floor of {} is v{}\n", type, version);
    return 0;
  }
  fmt::print(stderr, "skew_fleet: unknown command '{}'\n", command);
  return 2;
}

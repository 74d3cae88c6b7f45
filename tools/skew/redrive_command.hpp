// skew redrive: dead letters back to the group that dead-lettered them, once its live instances
// read them (adapters/redrive.hpp and the store's redrive). Readers come from the fleet's
// manifests, or from a build's manifest (--manifest FILE, what `<consumer> --print-manifest`
// writes). A progress line goes to standard error every 100 letters; SIGINT and SIGTERM stop the
// run between two letters (a SIGKILL loses nothing either: see the store's redrive).
#pragma once

#include <skew/adapters/redrive.hpp>

#if SKEW_TOOL_WITH_REDIS
#include <skew/adapters/redis/redrive.hpp>
#endif
#if SKEW_TOOL_WITH_KAFKA
#include <skew/adapters/kafka/redrive.hpp>
#endif

#include "command_line.hpp"
#include "fleet_commands.hpp"
#include "stores.hpp"

#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <string>

namespace skew_tool {

inline std::atomic<bool> redrive_stop{false};
extern "C" inline void request_redrive_stop(int) {
  redrive_stop.store(true);
}

struct redrive_row_view {
  std::string group, type;
  std::optional<std::uint32_t> version;
  std::string reason, verdict;
  std::uint64_t count = 0;
};
SKEW_DESCRIBE(redrive_row_view, group, type, version, reason, verdict, count)
struct redrive_view {
  bool ok = false;
  bool dry_run = false;
  std::string error;
  std::uint64_t to_move = 0, moved = 0, parked = 0, left = 0, failed = 0;
  std::vector<redrive_row_view> letters;
};
SKEW_DESCRIBE(redrive_view, ok, dry_run, error, to_move, moved, parked, left, failed, letters)

inline int redrive(const broker& b, command_line& args) {
  skew::redrive_options o;
  o.dry_run = args.flag("--dry-run");
  o.rate = static_cast<double>(args.number("--rate", 0));
  o.canary = args.number("--canary", 0);
  o.canary_timeout = std::chrono::seconds(args.number("--canary-timeout", 60));
  o.group = args.value_or("--group", "");
  const bool json = args.flag("--json");
  if (!args.error().empty()) return fail(args.error());
  std::optional<skew::letter_readers> readers;
  if (const auto path = args.value("--manifest")) {
    auto m = read_manifest_file(*path);
    if (!m) return 2;
    readers = skew::letter_readers::from_manifest(std::move(*m));
  } else {
    fleet_store store(b);
    auto fleet = store.read_fleet();
    if (!fleet) return fail("cannot read the fleet: " + store.last_error());
    readers = skew::letter_readers::from_fleet(std::move(*fleet));
  }
  if (!json) {
    o.progress = [](const skew::redrive_counts& c) {
      fmt::print(stderr, "redrive: moved {}, parked {}, left {}, failed {}\n", c.moved, c.parked,
                 c.left, c.failed);
    };
  }
  std::signal(SIGINT, request_redrive_stop);
  std::signal(SIGTERM, request_redrive_stop);
  skew::redrive_report report;
  std::string queue;
#if SKEW_TOOL_WITH_REDIS
  if (b.which == broker::kind::redis) {
    std::string host;
    int port = 0;
    if (!split_host_port(b.address, host, port)) host = b.address, port = 6379;
    skew::redis::redrive r({.where = {host, port}, .stream = b.name, .format = b.format});
    queue = r.settings().dead_letter_stream;
    report = r.run(*readers, o, &redrive_stop);
  }
#endif
#if SKEW_TOOL_WITH_KAFKA
  if (b.which == broker::kind::kafka) {
    skew::kafka::redrive r({.brokers = b.address,
                            .topic = b.name,
                            .format = b.format,
                            .config = {{"log_level", "2"}}});
    queue = r.settings().dead_letter_topic;
    report = r.run(*readers, o, &redrive_stop);
  }
#endif
  if (const auto path = args.value("--metrics")) {
    std::ofstream(*path) << skew::prometheus_text(report.counts, queue);
  }
  const auto& c = report.counts;
  if (json) {
    redrive_view v{report.ok, o.dry_run, report.error, c.to_move, c.moved,
                   c.parked,  c.left,    c.failed,     {}};
    for (const auto& r : report.table.rows()) {
      v.letters.push_back(
          {r.group, r.type, r.version, r.reason, std::string(skew::to_string(r.verdict)), r.count});
    }
    fmt::print("{}\n", skew::encode(v).value());
  } else {
    fmt::print("{}", report.table.text());
    if (o.dry_run) {
      fmt::print("dry run of {}: {} to move, {} to park, {} to leave; nothing moved\n", queue,
                 c.to_move, c.parked, c.left);
    } else {
      fmt::print("redrive of {}: {} to move, {} moved, {} parked, {} left, {} failed\n", queue,
                 c.to_move, c.moved, c.parked, c.left, c.failed);
    }
    if (!report.ok) fmt::print(stderr, "skew: {}\n", report.error);
  }
  if (!report.ok) return report.error.starts_with("canary") ? 1 : 2;
  return c.failed == 0 ? 0 : 1;
}

}  // namespace skew_tool

// skew capture and skew replay: "will N+1 read today's traffic?". capture writes a sample of a
// stream or topic as JSON Lines (dispatch/replay.hpp); replay runs the current and the candidate
// program on it (each with --skew-replay, see skew::replay_main) and compares their outcomes.
// replay exits 1 when a message the current build handles would be retried, dead-lettered or
// dropped by the candidate.
#pragma once

#include <skew/dispatch/replay.hpp>

#if SKEW_TOOL_WITH_REDIS
#include <skew/adapters/redis/connection.hpp>
#endif
#if SKEW_TOOL_WITH_KAFKA
#include <skew/adapters/kafka/inspect.hpp>
#endif

#include "command_line.hpp"
#include "stores.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace skew_tool {

inline std::optional<std::vector<skew::captured_message>> sample_of(const broker& b,
                                                                    std::size_t count,
                                                                    std::string& error) {
  std::vector<skew::captured_message> out;
#if SKEW_TOOL_WITH_REDIS
  if (b.which == broker::kind::redis) {
    std::string host;
    int port = 0;
    if (!split_host_port(b.address, host, port)) host = b.address, port = 6379;
    skew::redis::connection redis({host, port});
    skew::redis::reply page =
        redis.command({"XREVRANGE", b.name, "+", "-", "COUNT", std::to_string(count)});
    if (!page) {
      error = redis.error();
      return std::nullopt;
    }
    for (std::size_t i = page->elements; i-- > 0;) {  // oldest first
      const redisReply* entry = page->element[i];
      skew::captured_message m;
      m.source = b.name + "/" + std::string(skew::redis::reply_text(entry->element[0]));
      const redisReply* fields = entry->element[1];
      for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
        const std::string name(skew::redis::reply_text(fields->element[f]));
        std::string value(skew::redis::reply_text(fields->element[f + 1]));
        if (name == "message") {
          m.value = std::move(value);
        } else {
          m.headers.push_back({name, std::move(value)});
        }
      }
      out.push_back(std::move(m));
    }
  }
#endif
#if SKEW_TOOL_WITH_KAFKA
  if (b.which == broker::kind::kafka) {
    skew::kafka::inspector cluster(b.address, fleet_store::quiet_kafka());
    const auto records = cluster.records(b.name, count);
    if (!records) {
      error = cluster.error();
      return std::nullopt;
    }
    for (const auto& r : *records) {
      skew::captured_message m;
      m.source = fmt::format("{}/{}/{}", r.topic, r.partition, r.offset);
      for (const auto& [name, value] : r.headers) m.headers.push_back({name, value});
      m.key = r.key;
      m.value = r.value;
      out.push_back(std::move(m));
    }
  }
#endif
  return out;
}

inline int capture(const broker& b, std::size_t count, const std::string& path) {
  if (path.empty()) return fail("capture needs --out FILE");
  std::string error;
  const auto sample = sample_of(b, count, error);
  if (!sample) return fail("cannot read " + b.name + ": " + error);
  std::ofstream out(path);
  if (!out) return fail("cannot write " + path);
  for (const auto& m : *sample) {
    const auto line = skew::capture_line(m);
    if (!line) return fail(fmt::format("cannot write {}: {}", m.source, line.error()));
    out << *line << '\n';
  }
  out.close();
  if (!out) return fail("cannot write " + path);
  fmt::print("captured {} message(s) of {} to {}\n", sample->size(), b.name, path);
  return 0;
}

// Runs `program --skew-replay capture` (through the shell: the program may carry arguments) and
// reads its outcome lines.
inline std::optional<std::vector<skew::replay_outcome>> outcomes_of(const std::string& program,
                                                                    const std::string& capture) {
  const std::string command = program + " --skew-replay '" + capture + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    fmt::print(stderr, "skew: cannot run {}\n", program);
    return std::nullopt;
  }
  std::vector<skew::replay_outcome> out;
  skew::decoder d;
  std::string line;
  char buffer[4096];
  bool bad = false;
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    line += buffer;
    if (line.empty() || line.back() != '\n') continue;
    line.pop_back();
    auto o = d.decode<skew::replay_outcome>(line);
    if (!o) {
      fmt::print(stderr, "skew: {} printed a line that is not an outcome: {}\n", program, line);
      bad = true;
    } else {
      out.push_back(std::move(*o));
    }
    line.clear();
  }
  const int status = ::pclose(pipe);
  if (status != 0 || bad) {
    fmt::print(stderr, "skew: {} --skew-replay failed (status {})\n", program, status);
    return std::nullopt;
  }
  return out;
}

struct replay_row_view {
  std::string type;
  std::optional<std::uint32_t> version;
  std::string current, candidate;
  std::uint64_t count = 0;
  std::string example_id;
  bool regression = false;
};
SKEW_DESCRIBE(replay_row_view, type, version, current, candidate, count, example_id, regression)
struct replay_view {
  bool ok = false;
  std::vector<replay_row_view> rows;
};
SKEW_DESCRIBE(replay_view, ok, rows)

inline int replay(const std::string& capture, const std::string& current,
                  const std::string& candidate, bool json) {
  if (capture.empty() || current.empty() || candidate.empty()) {
    return fail("replay needs --capture FILE --current PROGRAM --candidate PROGRAM");
  }
  const auto now = outcomes_of(current, capture);
  const auto next = outcomes_of(candidate, capture);
  if (!now || !next) return 2;
  const skew::replay_comparison c = skew::compare_replays(*now, *next);
  if (!c.error.empty()) return fail(c.error);
  if (json) {
    replay_view v{c.ok(), {}};
    for (const auto& r : c.rows) {
      v.rows.push_back(
          {r.type, r.version, r.current, r.candidate, r.count, r.example_id, r.regression});
    }
    fmt::print("{}\n", skew::encode(v).value());
  } else {
    fmt::print("{}", c.text());
    std::uint64_t lost = 0;
    for (const auto& r : c.rows) lost += r.regression ? r.count : 0;
    if (c.ok()) {
      fmt::print("the candidate handles everything the current build handles ({} messages)\n",
                 now->size());
    } else {
      fmt::print("the candidate would not handle {} message(s) the current build handles\n", lost);
    }
  }
  return c.ok() ? 0 : 1;
}

}  // namespace skew_tool

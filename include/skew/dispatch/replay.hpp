// Traffic replay: "will build N+1 read today's traffic?". A sample of a topic or stream is
// captured to a file, one JSON line per broker message (headers, key, value: the capture format
// below), and each build runs it through its own router in a dry run (router::dry_run: decode,
// upcast, choose the handler, call none). compare_replays sets the two builds' outcomes side by
// side and names every message the current build handles that the candidate would retry, dead-
// letter or drop.
//
// A consumer program offers its router to the replay in one line at the top of main:
//
//   if (auto exit_code = skew::replay_main(router, argc, argv)) return *exit_code;
//
// and `<program> --skew-replay sample.jsonl` then prints one outcome line per captured message.
// The `skew replay` command runs the current and the candidate program that way and compares.
#pragma once

#include <skew/base/detail/base64.hpp>
#include <skew/dispatch/outcome.hpp>
#include <skew/envelope/binary_binding.hpp>
#include <skew/json/detail/utf8.hpp>
#include <skew/model/describe.hpp>
#include <skew/payload/decoder.hpp>
#include <skew/payload/encode.hpp>

#include <skew/base/detail/fmt.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace skew {

struct captured_header {
  std::string name;
  std::string value;
};
SKEW_DESCRIBE(captured_header, name, value)

// One broker message of a capture. A value that is not UTF-8 is carried in value_base64.
struct captured_message {
  std::string source;  // where it was: "<topic>/<partition>/<offset>" or "<stream>/<entry id>"
  std::vector<captured_header> headers;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::optional<std::string> value_base64;

  // The value's bytes, whichever way they were carried.
  std::optional<std::string> bytes() const {
    if (value) return value;
    if (value_base64) return detail::base64_decoded(*value_base64);
    return std::nullopt;
  }
};
SKEW_DESCRIBE(captured_message, source, headers, key, value, value_base64)

// A message as a capture line (no line feed).
inline result<std::string> capture_line(captured_message m) {
  if (m.value && !detail::valid_utf8(m.value->data(), m.value->size())) {
    m.value_base64 = detail::base64_encoded(*m.value);
    m.value.reset();
  }
  return encode(m);
}

// What one build's router would do with one captured message.
struct replay_outcome {
  std::string source;
  std::string type;
  std::optional<std::uint32_t> version;
  std::string action;  // to_string(action)
  std::string reason;  // to_string(reason)
  std::string id;
};
SKEW_DESCRIBE(replay_outcome, source, type, version, action, reason, id)

// Runs each message through `router` in a dry run: binary mode when its headers say so.
template <class Router>
std::vector<replay_outcome> replay(Router& router, std::span<const captured_message> messages,
                                   const binary_binding& binding = binary_binding::kafka()) {
  std::vector<replay_outcome> out;
  std::vector<message_header> headers;
  for (const captured_message& m : messages) {
    headers.clear();
    for (const auto& h : m.headers) headers.push_back({h.name, h.value});
    const std::string value = m.bytes().value_or("");
    std::optional<std::string_view> key;
    if (m.key) key = *m.key;
    const outcome o = is_binary_mode(headers, binding)
                          ? router.dry_run(headers, value, binding, key)
                          : router.dry_run(value);
    out.push_back({m.source, std::string(o.type), o.version, std::string(to_string(o.action)),
                   std::string(to_string(o.reason)), std::string(o.id)});
  }
  return out;
}

// The two builds' outcomes for the same capture, counted by (type, version, current outcome,
// candidate outcome). A regression is a message the current build handles (ack, handled) that
// the candidate would retry, dead-letter or drop.
struct replay_comparison {
  struct row {
    std::string type;
    std::optional<std::uint32_t> version;
    std::string current, candidate;  // "<action>/<reason>"
    std::uint64_t count = 0;
    std::string example_id;  // the first message's envelope id
    bool regression = false;
  };
  std::vector<row> rows;
  std::string error;  // the two outcome lists do not describe the same capture

  bool ok() const noexcept {
    if (!error.empty()) return false;
    for (const row& r : rows) {
      if (r.regression) return false;
    }
    return true;
  }

  std::string text() const {
    std::string out = fmt::format("{:<24} {:>7} {:<32} {:<32} {:>7}\n", "type", "version",
                                  "current", "candidate", "count");
    for (const row& r : rows) {
      out += fmt::format(
          "{:<24} {:>7} {:<32} {:<32} {:>7}{}\n", r.type.empty() ? "-" : r.type,
          r.version ? fmt::format("v{}", *r.version) : std::string("-"), r.current, r.candidate,
          r.count,
          r.regression ? fmt::format("  REGRESSION (e.g. id {})", r.example_id) : std::string());
    }
    if (!error.empty()) out += error + "\n";
    return out;
  }
};

inline replay_comparison compare_replays(std::span<const replay_outcome> current,
                                         std::span<const replay_outcome> candidate) {
  replay_comparison c;
  if (current.size() != candidate.size()) {
    c.error = fmt::format("the builds replayed {} and {} messages: not the same capture",
                          current.size(), candidate.size());
    return c;
  }
  using key = std::tuple<std::string, std::uint32_t, bool, std::string, std::string>;
  std::map<key, std::size_t> index;
  for (std::size_t i = 0; i < current.size(); ++i) {
    const replay_outcome& now = current[i];
    const replay_outcome& next = candidate[i];
    if (now.source != next.source) {
      c.error = fmt::format("message {} is {} for one build and {} for the other", i, now.source,
                            next.source);
      return c;
    }
    const std::string a = now.action + "/" + now.reason;
    const std::string b = next.action + "/" + next.reason;
    const key k{now.type, now.version.value_or(0), now.version.has_value(), a, b};
    auto [it, fresh] = index.emplace(k, c.rows.size());
    if (fresh) {
      const bool handled_now = now.action == "ack" && now.reason == "handled";
      const bool lost_next =
          next.action == "retry" || next.action == "dead_letter" || next.action == "drop";
      c.rows.push_back({now.type, now.version, a, b, 0, now.id, handled_now && lost_next});
    }
    ++c.rows[it->second].count;
  }
  return c;
}

// Reads a capture file; nothing (and `error` says which line) when it cannot.
inline std::optional<std::vector<captured_message>> read_capture(const std::string& path,
                                                                 std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::vector<captured_message> out;
  decoder d;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    auto m = d.decode<captured_message>(line);
    if (!m) {
      error = fmt::format("{}:{}: {}", path, n, m.error());
      return std::nullopt;
    }
    out.push_back(std::move(*m));
  }
  return out;
}

// `--skew-replay <capture>` in argv: replays the capture through `router`, prints one outcome
// line per message to standard output and returns the exit code (0, or 2 for an unreadable
// capture). Without it: nothing, and the program goes on.
template <class Router>
std::optional<int> replay_main(Router& router, int argc, char** argv,
                               const binary_binding& binding = binary_binding::kafka()) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) != "--skew-replay") continue;
    std::string error;
    const auto messages = read_capture(argv[i + 1], error);
    if (!messages) {
      std::fprintf(stderr, "skew replay: %s\n", error.c_str());
      return 2;
    }
    for (const replay_outcome& o : replay(router, *messages, binding)) {
      const auto line = encode(o);
      std::printf("%s\n", line ? line->c_str() : "{}");
    }
    return 0;
  }
  return std::nullopt;
}

}  // namespace skew

// adapters/redrive.hpp: the verdict on each dead letter, the dry run's table, the counters in
// Prometheus text and the pace, without a broker.
#include <skew/adapters/redrive.hpp>
#include <skew/dispatch/router.hpp>

#include <doctest/doctest.h>

#include <string>
#include <utility>

namespace redrive_test {

struct PingV1 {
  std::string from;
};
SKEW_DESCRIBE(PingV1, from)
struct PingV2 {
  std::string from;
  std::string note;
};
SKEW_DESCRIBE(PingV2, from, note)
inline PingV2 upcast(PingV1&& v) {
  return {std::move(v.from), {}};
}
using Ping = skew::message<"ping", skew::version<1, PingV1>, skew::version<2, PingV2>>;

}  // namespace redrive_test

namespace {

using redrive_test::Ping;
using redrive_test::PingV2;

skew::dead_letter letter(std::string reason, std::string type, std::optional<std::uint32_t> v,
                         std::string group = "mailers") {
  skew::dead_letter l;
  l.reason = std::move(reason);
  l.type = std::move(type);
  l.version = v;
  l.group = std::move(group);
  return l;
}

skew::manifest instance(std::string group, std::vector<std::uint32_t> reads,
                        std::string build = "b") {
  skew::manifest m;
  m.group = std::move(group);
  m.build = std::move(build);
  m.families.push_back({"ping", std::move(reads), 0, {}, {}});
  return m;
}

skew::fleet fleet_of(std::vector<skew::manifest> live) {
  skew::fleet f;
  for (auto& m : live) {
    auto it = std::find_if(f.groups.begin(), f.groups.end(),
                           [&](const auto& g) { return g.group == m.group; });
    if (it == f.groups.end()) {
      f.groups.push_back({m.group, {}, m});
      it = f.groups.end() - 1;
    }
    it->live.push_back(m);
  }
  return f;
}

}  // namespace

TEST_CASE("a letter is readable now only when every live instance of its group reads it") {
  using enum skew::redrive_verdict;
  const auto mixed = skew::letter_readers::from_fleet(
      fleet_of({instance("mailers", {1, 2}, "N+1"), instance("mailers", {1}, "N")}));
  const auto v2 = letter("unsupported_version", "ping", 2);
  const auto during = skew::classify(v2, "mailers", mixed);
  CHECK(during.verdict == not_yet);
  CHECK(during.why == "N in group mailers does not read ping v2");
  CHECK(skew::classify(letter("unsupported_version", "ping", 1), "mailers", mixed).verdict ==
        readable_now);

  const auto after = skew::letter_readers::from_fleet(
      fleet_of({instance("mailers", {1, 2}), instance("mailers", {1, 2})}));
  CHECK(skew::classify(v2, "mailers", after).verdict == readable_now);
  // Another group's instances do not count, and a group with no live instance reads nothing.
  CHECK(skew::classify(v2, "auditors", after).why == "the fleet has no group auditors");
  skew::fleet gone = fleet_of({instance("mailers", {1, 2})});
  gone.groups[0].live.clear();
  CHECK(skew::classify(v2, "mailers", skew::letter_readers::from_fleet(gone)).why ==
        "group mailers has no live instance");
  // An instance whose manifest does not name the type does not read it.
  skew::manifest other = instance("mailers", {1, 2});
  other.families[0].type = "pong";
  CHECK(
      skew::classify(v2, "mailers", skew::letter_readers::from_fleet(fleet_of({other}))).verdict ==
      not_yet);
  CHECK(skew::classify(v2, "", after).verdict == not_yet);
}

TEST_CASE("letters no build can change are never redriven, and neither is one that came back") {
  using enum skew::redrive_verdict;
  const auto readers = skew::letter_readers::from_fleet(fleet_of({instance("mailers", {1, 2})}));
  for (const char* reason : {"malformed", "invalid_payload", "invalid_envelope", "retired_version",
                             "rejected_by_handler", "no_envelope_field"}) {
    CAPTURE(reason);
    CHECK(skew::classify(letter(reason, "ping", 1), "mailers", readers).verdict == never);
  }
  auto again = letter("handler_failed", "ping", 2);
  again.first_reason = "unsupported_version";
  const auto d = skew::classify(again, "mailers", readers);
  CHECK(d.verdict == never);
  CHECK(d.why ==
        "dead-lettered again after a redrive: first unsupported_version, then handler_failed");
  // No readable header: nothing to judge it by.
  CHECK(skew::classify(letter("unknown_type", "", std::nullopt), "mailers", readers).verdict ==
        never);
  // Retries that ran out because a handler failed are redriven once the group reads them (the
  // outage may be over); an unnamed reason (another tool's letter) is judged by the envelope.
  CHECK(skew::classify(letter("handler_failed", "ping", 2), "mailers", readers).verdict ==
        readable_now);
  CHECK(skew::classify(letter("", "ping", 2), "mailers", readers).verdict == readable_now);
}

TEST_CASE("a version under the finalized floor is never redriven") {
  skew::fleet f = fleet_of({instance("mailers", {1, 2})});
  f.floors["ping"] = 2;
  const auto readers = skew::letter_readers::from_fleet(f);
  const auto d = skew::classify(letter("unsupported_version", "ping", 1), "mailers", readers);
  CHECK(d.verdict == skew::redrive_verdict::never);
  CHECK(d.why == "ping v1 is under the finalized floor v2");
  CHECK(skew::classify(letter("unsupported_version", "ping", 2), "mailers", readers).verdict ==
        skew::redrive_verdict::readable_now);
}

TEST_CASE("without manifests a build's router says what is readable") {
  skew::router<Ping> router;
  router.on<Ping>([](const PingV2&) { return skew::outcome::ack(); });
  const auto readers = skew::letter_readers::from_router(router);
  CHECK(skew::classify(letter("unknown_type", "ping", 2), "mailers", readers).verdict ==
        skew::redrive_verdict::readable_now);
  const auto d = skew::classify(letter("unsupported_version", "ping", 3), "mailers", readers);
  CHECK(d.verdict == skew::redrive_verdict::not_yet);
  CHECK(d.why == "the build does not read ping v3");
  CHECK(skew::classify(letter("unknown_type", "pong", 1), "mailers", readers).verdict ==
        skew::redrive_verdict::not_yet);
}

TEST_CASE("a build's manifest says what is readable, for every group") {
  skew::manifest m;
  m.families.push_back({"ping", {1, 2}, 0, {}, {}});
  const auto readers = skew::letter_readers::from_manifest(m);
  CHECK(skew::classify(letter("unsupported_version", "ping", 2), "any", readers).verdict ==
        skew::redrive_verdict::readable_now);
  CHECK(skew::classify(letter("unsupported_version", "ping", 3), "any", readers).verdict ==
        skew::redrive_verdict::not_yet);
  CHECK(skew::classify(letter("unknown_type", "pong", 1), "any", readers).verdict ==
        skew::redrive_verdict::not_yet);
}

TEST_CASE("the dry run's table counts letters by group, type, version, reason and verdict") {
  skew::redrive_table table;
  using enum skew::redrive_verdict;
  for (int i = 0; i < 3; ++i) table.add(letter("unknown_type", "ping", 2), "mailers", readable_now);
  table.add(letter("malformed", "", std::nullopt), "mailers", never);
  table.add(letter("unsupported_version", "ping", 3), "mailers", not_yet);
  const auto rows = table.rows();
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].type.empty());
  CHECK(rows[0].verdict == never);
  CHECK(rows[1].version == 2u);
  CHECK(rows[1].count == 3);
  CHECK(rows[2].reason == "unsupported_version");
  const std::string text = table.text();
  CHECK(text.find("mailers          ping                      v2 unknown_type                 3  "
                  "readable_now") != std::string::npos);
  CHECK(text.find("malformed") != std::string::npos);
  CHECK(text.starts_with("group"));
}

TEST_CASE("the counters in Prometheus text, one sample per state") {
  skew::redrive_counts c;
  c.to_move = 5;
  c.moved = 4;
  c.failed = 1;
  c.parked = 2;
  c.left = 7;
  const std::string text = skew::prometheus_text(c, "send\"email:dlq");
  CHECK(text.find("# TYPE skew_redrive_letters gauge\n") != std::string::npos);
  CHECK(text.find("skew_redrive_letters{queue=\"send\\\"email:dlq\",state=\"moved\"} 4\n") !=
        std::string::npos);
  CHECK(text.find("state=\"to_move\"} 5\n") != std::string::npos);
  CHECK(text.find("state=\"parked\"} 2\n") != std::string::npos);
  CHECK(text.find("state=\"left\"} 7\n") != std::string::npos);
  CHECK(text.find("state=\"failed\"} 1\n") != std::string::npos);
}

TEST_CASE("the pace spaces moves at the rate, and catches up no burst after a pause") {
  skew::redrive_pace pace(500);  // one move every 2 ms
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::seconds(10);
  CHECK(pace.next(t0).count() == 0);
  CHECK(pace.next(t0) == std::chrono::milliseconds(2));
  CHECK(pace.next(t0) == std::chrono::milliseconds(4));
  // A long pause (the caller was slow): the next move may go at once, the one after waits.
  const auto later = t0 + std::chrono::seconds(1);
  CHECK(pace.next(later).count() == 0);
  CHECK(pace.next(later) == std::chrono::milliseconds(2));
  skew::redrive_pace unlimited(0);
  CHECK(unlimited.next(t0).count() == 0);
  CHECK(unlimited.next(t0).count() == 0);
}

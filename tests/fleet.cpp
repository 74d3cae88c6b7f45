// Manifests (skew/model/manifest.hpp), what a fleet allows (skew/rollout/fleet.hpp), the emitter
// that follows it (skew/rollout/fleet_follower.hpp) and can-deploy (skew/rollout/can_deploy.hpp),
// without a store: the Redis add-on and the integration test drive the same code over a real one.
#include <skew/dispatch/router.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/evolve/schema.hpp>
#include <skew/payload/decoder.hpp>
#include <skew/rollout/can_deploy.hpp>
#include <skew/rollout/fleet_follower.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

namespace mail {
struct EmailV1 {
  std::string to;
};
SKEW_DESCRIBE(EmailV1, to)
struct EmailV2 {
  std::string to;
  std::string locale;
};
SKEW_DESCRIBE(EmailV2, to, locale)
struct EmailV3 {
  std::string to;
  std::string locale;
  bool html = false;
};
SKEW_DESCRIBE(EmailV3, to, locale, html)
inline EmailV2 upcast(EmailV1&& v) {
  return {std::move(v.to), "en"};
}
inline EmailV3 upcast(EmailV2&& v) {
  return {std::move(v.to), std::move(v.locale), false};
}
inline EmailV1 downcast(const EmailV2& v) {
  return {v.to};
}
inline EmailV2 downcast(const EmailV3& v) {
  return {v.to, v.locale};
}
using Email = skew::message<"email", EmailV1, EmailV2, EmailV3>;
using EmailN = skew::message<"email", EmailV1>;
using EmailN1 = skew::message<"email", EmailV1, EmailV2>;

struct InvoiceV2 {
  long cents = 0;
};
SKEW_DESCRIBE(InvoiceV2, cents)
using Invoice = skew::message<"invoice", skew::version<2, InvoiceV2>>;
}  // namespace mail

namespace {
skew::manifest consumer(std::string group, std::string build, std::vector<std::uint32_t> reads) {
  skew::manifest m;
  m.service = "mailer";
  m.build = std::move(build);
  m.group = std::move(group);
  m.families.push_back(skew::manifest_family{"email", std::move(reads), 1, {}, std::nullopt});
  return m;
}
skew::group_manifests live(std::string group, std::vector<skew::manifest> instances) {
  return skew::group_manifests{std::move(group), std::move(instances), std::nullopt};
}
}  // namespace

TEST_CASE("fleet: a router's manifest names what its handlers are reached from") {
  skew::router<mail::Email, mail::Invoice> latest;
  latest.on<mail::Email>([](const mail::EmailV3&) {});
  auto m = latest.manifest();
  REQUIRE(m.families.size() == 2);
  CHECK(m.families[0].type == "email");
  CHECK(m.families[0].reads == std::vector<std::uint32_t>{1, 2, 3});  // all upcast to v3
  CHECK(m.families[0].floor == 1);
  CHECK(m.families[1].type == "invoice");
  CHECK(m.families[1].reads.empty());  // no handler
  CHECK(m.families[1].floor == 2);     // v1 is retired

  skew::router<mail::Email> exact;
  exact.on<mail::Email, 2>([](const mail::EmailV2&) {});
  CHECK(exact.manifest().families[0].reads == std::vector<std::uint32_t>{2});
  exact.on<mail::Email, 1>([](const mail::EmailV1&) {});
  CHECK(exact.manifest().families[0].reads == std::vector<std::uint32_t>{1, 2});
}

TEST_CASE("fleet: an emitter's manifest names what it can write and what it emits") {
  skew::emitter<mail::Email> e({.produced_by = "mailer@3"});
  REQUIRE(e.set_version(2));
  auto m = e.manifest();
  CHECK(m.build == "mailer@3");
  REQUIRE(m.families.size() == 1);
  CHECK(m.families[0].writes == std::vector<std::uint32_t>{1, 2, 3});
  CHECK(m.families[0].emits == 2u);
  m.merge(consumer("g", "x", {1, 2}));
  CHECK(m.families[0].reads == std::vector<std::uint32_t>{1, 2});
}

TEST_CASE("fleet: a manifest is a skew message: encoded, decoded, with a schema") {
  skew::manifest m = consumer("mailers", "mailer@2", {1, 2});
  m.families.push_back(skew::manifest_family{"invoice", {}, 0, {2}, 2u});
  auto json = skew::encode(m);
  REQUIRE(json);
  skew::decoder d;
  auto back = d.decode<skew::manifest>(*json);
  REQUIRE(back);
  CHECK(*back == m);
  // Another release's manifest with fewer fields still reads.
  auto sparse = d.decode<skew::manifest>(R"({"families":[{"type":"email","extra":1}]})");
  REQUIRE(sparse);
  CHECK(sparse->families[0].reads.empty());
  auto bad = d.decode<skew::manifest>(R"({"families":[{"reads":[1]}]})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().path == "/families/0/type");
  const std::string schema = skew::json_schema<skew::manifest>();
  CHECK(schema.find(R"("required":["type"])") != std::string::npos);
}

TEST_CASE("fleet: the highest version every group reads") {
  skew::manifest_family writer{"email", {}, 0, {1, 2, 3}, 1u};
  skew::fleet f;
  f.groups.push_back(
      live("mailers", {consumer("mailers", "N+1", {1, 2}), consumer("mailers", "N+2", {1, 2, 3})}));
  f.groups.push_back(live("audit", {consumer("audit", "A", {1, 2, 3})}));
  auto c = skew::choose_emission(writer, f);
  CHECK(c.version == 2u);
  REQUIRE(c.blocking.size() == 1);
  CHECK(c.blocking[0].first == "mailers");
  CHECK(c.blocking[0].second == 2u);
  // Limits and a finalized floor bound it.
  CHECK(skew::choose_emission(writer, f, {.floor = 0, .ceiling = 1}).version == 1u);
  f.floors["email"] = 3;
  CHECK_FALSE(skew::choose_emission(writer, f).version.has_value());
  f.floors.clear();
  // A group whose instances vanished pins through its last-known manifest...
  f.groups[1].live.clear();
  f.groups[1].last_known = consumer("audit", "A-old", {1});
  CHECK(skew::choose_emission(writer, f).version == 1u);
  // ...and a declared group never seen pins everything.
  f.groups[1].last_known.reset();
  CHECK_FALSE(skew::choose_emission(writer, f).version.has_value());
  // Instances that do not consume the type do not constrain it.
  f.groups[1] = live("billing", {skew::manifest{"billing", "b", "billing", {}}});
  CHECK(skew::choose_emission(writer, f).version == 2u);
}

TEST_CASE("fleet: the follower rises on agreement, falls at once, holds without evidence") {
  skew::emitter<mail::Email> e;
  REQUIRE(e.set_version(1));
  std::vector<skew::emission_change> log;
  skew::fleet_follower<mail::Email> follower(
      e, {.limits = {}, .rise_after = 3},
      [&](const skew::emission_change& c) { log.push_back(c); });
  skew::fleet n;  // one build N instance left
  n.groups.push_back(
      live("mailers", {consumer("mailers", "N", {1}), consumer("mailers", "N+1", {1, 2, 3})}));
  skew::fleet n1;  // all on N+1
  n1.groups.push_back(live("mailers", {consumer("mailers", "N+1", {1, 2, 3})}));

  CHECK_FALSE(follower.observe(n));
  CHECK(e.version() == 1);
  CHECK(fmt::format("{}", follower.status()) == "email v1 (held by mailers)");
  CHECK_FALSE(follower.observe(n1));
  CHECK_FALSE(follower.observe(n1));
  CHECK(e.version() == 1);         // two reads agree: not yet
  follower.observe_unreachable();  // a gap in the evidence starts over
  CHECK(fmt::format("{}", follower.status()).ends_with("[store unreachable: holding]"));
  CHECK_FALSE(follower.observe(n1));
  CHECK_FALSE(follower.observe(n1));
  auto up = follower.observe(n1);
  REQUIRE(up);
  CHECK(up->from == 1);
  CHECK(up->to == 3);
  CHECK(up->why == "every declared group (mailers) reads v3 (3 reads in a row)");
  CHECK(e.version() == 3);
  CHECK(fmt::format("{}", follower.status()) == "email v3");
  // A rollback: an N instance joins again; the version falls on the first read.
  auto down = follower.observe(n);
  REQUIRE(down);
  CHECK(down->to == 1);
  CHECK(down->why.find("mailers (reads up to v1)") != std::string::npos);
  CHECK(e.version() == 1);
  CHECK(log.size() == 2);
  // Prometheus text.
  const std::string text = skew::to_prometheus({follower.status()});
  CHECK(text.find("skew_emit_version{type=\"email\"} 1\n") != std::string::npos);
  CHECK(text.find("skew_emit_blocked{type=\"email\",group=\"mailers\"} 1\n") != std::string::npos);
  CHECK(text.find("# TYPE skew_emit_version gauge\n") != std::string::npos);
  // No version every group reads (a floor above every reader): hold.
  skew::fleet floored = n;
  floored.floors["email"] = 2;
  CHECK_FALSE(follower.observe(floored));
  CHECK(e.version() == 1);
}

TEST_CASE("fleet: finalized floors and who may start under them") {
  skew::fleet f;
  f.groups.push_back(live("mailers", {consumer("mailers", "N+1", {1, 2})}));
  f.groups.push_back(skew::group_manifests{"audit", {}, consumer("audit", "A", {1})});
  CHECK(skew::floor_blocked(f, "email", 2) == "email v2 is not read by group(s) audit");
  CHECK_FALSE(skew::floor_blocked(f, "email", 1));
  f.groups.pop_back();  // audit retired
  CHECK_FALSE(skew::floor_blocked(f, "email", 2));
  f.floors["email"] = 2;
  CHECK_FALSE(skew::floor_violation(consumer("mailers", "N+1", {1, 2}), f));
  auto refused = skew::floor_violation(consumer("mailers", "N", {1}), f);
  REQUIRE(refused);
  CHECK(refused->find("email: the fleet's floor is v2 (finalized), and this build reads v1..v1") ==
        0);
}

TEST_CASE("fleet: can-deploy, for consumers and for producers") {
  skew::manifest producer;
  producer.build = "mail-producer@7";
  producer.families.push_back(skew::manifest_family{"email", {}, 0, {1, 2}, 2u});
  const std::vector<skew::manifest> current{producer, consumer("mailers", "N+1", {1, 2}),
                                            consumer("mailers", "N+1", {1, 2})};
  // A rollback to build N cannot read the v2 being emitted.
  auto rollback = skew::can_deploy(current, consumer("mailers", "N", {1}));
  REQUIRE_FALSE(rollback);
  REQUIRE(rollback.reasons.size() == 1);
  CHECK(rollback.reasons[0] == "email v2 is written by mail-producer@7, and N reads v1..v1");
  CHECK(skew::can_deploy(current, consumer("mailers", "N+2", {1, 2, 3})));
  // Versions still in the stream count too.
  const std::vector<skew::retained_version> retained{{"email", 1}};
  auto v2_only = skew::can_deploy(current, consumer("mailers", "N+3", {2}), retained);
  REQUIRE(v2_only.reasons.size() == 1);
  CHECK(v2_only.reasons[0].find("email v1 is still retained in the stream") == 0);
  // ...unless the floor says v1 is gone.
  CHECK(skew::can_deploy(current, consumer("mailers", "N+3", {2}), retained, {{"email", 2}}));
  // A producer that can only write v3 has no reader.
  skew::manifest v3_only;
  v3_only.build = "mail-producer@8";
  v3_only.families.push_back(skew::manifest_family{"email", {}, 0, {3}, std::nullopt});
  auto nobody = skew::can_deploy(current, v3_only);
  REQUIRE(nobody.reasons.size() == 1);
  CHECK(nobody.reasons[0] ==
        "email: no version mail-producer@8 writes (v3..v3) is read by every group: mailers");
  skew::manifest flexible = v3_only;
  flexible.families[0].writes = {2, 3};
  CHECK(skew::can_deploy(current, flexible));
}

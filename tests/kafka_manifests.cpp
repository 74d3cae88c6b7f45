// skew::kafka::manifest_store and what runs on it, against librdkafka's mock cluster: heartbeats,
// tombstones and TTLs, retired groups and floors, a producer that follows the fleet, and the
// emitter driving the Kafka producer in both content modes.
#include <skew/adapters/kafka.hpp>
#include <skew/adapters/kafka/manifests.hpp>
#include <skew/dispatch/router.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "kafka_support.hpp"

using namespace kafka_test;

namespace {

skew::manifest reads(std::string group, std::vector<std::uint32_t> versions,
                     std::string build = "b") {
  skew::manifest m;
  m.group = std::move(group);
  m.build = std::move(build);
  m.families.push_back({"job", std::move(versions), 0, {}, {}});
  return m;
}

std::size_t live_in(const skew::fleet& f, const std::string& group) {
  for (const auto& g : f.groups) {
    if (g.group == group) return g.live.size();
  }
  return 0;
}

const skew::kafka::properties quiet = {{"log_level", "2"}};

}  // namespace

TEST_CASE("heartbeats, tombstones and TTLs make the fleet, and retired groups stop pinning") {
  const std::string topic = "jobs-fleet";
  cluster c(topic);
  skew::kafka::manifest_store store(c.bootstrap, topic + ".manifests", quiet);
  REQUIRE(store.publish("n-1", reads("mailers", {1}, "N"), std::chrono::seconds(30)));
  REQUIRE(store.publish("n-2", reads("mailers", {1}, "N"), std::chrono::seconds(30)));
  REQUIRE(store.publish("a-1", reads("auditors", {1, 2}), std::chrono::milliseconds(1)));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto f = store.read_fleet();
  REQUIRE(f);
  CHECK(live_in(*f, "mailers") == 2);
  for (const auto& g : f->groups) {
    if (g.group != "mailers") continue;
    auto names = g.live_instances;
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"n-1", "n-2"});
  }
  CHECK(live_in(*f, "auditors") == 0);  // its TTL is past: stale
  // A graceful shutdown writes a tombstone; the group's last-known manifest stays.
  REQUIRE(store.remove("mailers", "n-2"));
  f = store.read_fleet();
  REQUIRE(f);
  CHECK(live_in(*f, "mailers") == 1);
  // The vanished auditors still hold v2 through their last-known manifest until retired...
  CHECK(skew::group_reads(f->groups[0], "job", 2));
  const std::vector<std::string> declared{"billing"};
  CHECK(store.read_fleet(declared)->groups.size() == 3);
  // ...and the floor cannot be raised to v2 while mailers read v1 only.
  CHECK_FALSE(store.raise_floor("job", 2));
  CHECK(store.last_error() == "job v2 is not read by group(s) mailers");
  REQUIRE(store.retire_group("auditors"));
  f = store.read_fleet();
  REQUIRE(f);
  for (const auto& g : f->groups) CHECK(g.group != "auditors");
  CHECK(store.raise_floor("job", 1));
  CHECK(store.read_fleet()->floor_of("job") == 1);
  CHECK(store.start_refusal(reads("mailers", {2}, "N+2")).value_or("").find("floor is v1") !=
        std::string::npos);
  CHECK_FALSE(store.start_refusal(reads("mailers", {1, 2})));
  REQUIRE(store.publish_producer("p-1", reads("", {}, "producer@1"), std::chrono::seconds(30)));
  REQUIRE(store.read_producers());
  CHECK(store.read_producers()->size() == 1);
}

TEST_CASE("a Kafka producer follows the fleet in the manifests topic, binary and structured") {
  const std::string topic = "jobs-follow";
  cluster c(topic);
  const std::string manifests = topic + ".manifests";
  skew::emitter<JobN1> emitter({.produced_by = "producer@2"}, skew::envelope_format::cloudevents());
  std::optional<skew::kafka::heartbeat> n(std::in_place, c.bootstrap, manifests, "n-1",
                                          reads("mailers", {1}, "N"), std::chrono::seconds(30),
                                          std::chrono::milliseconds(50), quiet);
  skew::negotiation_settings settings;
  settings.follow.rise_after = 1;
  settings.poll = std::chrono::milliseconds(50);
  skew::kafka::emission_negotiator<JobN1> follow(c.bootstrap, manifests, emitter, settings, {},
                                                 quiet);
  CHECK(emitter.version() == 1);
  CHECK(follow.status().blocked_by == std::vector<std::string>{"mailers"});

  skew::kafka::producer p(c.bootstrap, quiet);
  REQUIRE(p.send(topic, emitter, kafka_job::JobV2{"a", 5}, {.id = "j-1", .source = "/t"}));
  REQUIRE(p.send(topic, emitter, kafka_job::JobV2{"b", 5}, {.id = "j-2", .source = "/t"}, {},
                 skew::kafka::content_mode::structured));
  // N+1 replaces N: the emitter rises to v2.
  skew::kafka::heartbeat n1(c.bootstrap, manifests, "n1-1", reads("mailers", {1, 2}, "N+1"),
                            std::chrono::seconds(30), std::chrono::milliseconds(50), quiet);
  n.reset();
  CHECK(eventually([&] { return emitter.version() == 2; }, std::chrono::seconds(30)));
  REQUIRE(p.send(topic, emitter, kafka_job::JobV2{"c", 5}, {.id = "j-3", .source = "/t"}));
  REQUIRE(p.flush(std::chrono::seconds(30)));

  skew::kafka::inspector inspect(c.bootstrap, quiet);
  const auto records = inspect.records(topic);
  REQUIRE(records);
  REQUIRE(records->size() == 3);
  skew::router<JobN1> r;
  r.set_format(skew::envelope_format::cloudevents());
  r.on<JobN1>([](const kafka_job::JobV2&) { return skew::outcome::ack(); });
  std::vector<std::uint32_t> versions;
  for (const auto& rec : *records) {
    std::vector<skew::message_header> headers;
    for (const auto& [name, value] : rec.headers) headers.push_back({name, value});
    const skew::outcome o = skew::is_binary_mode(headers, skew::binary_binding::kafka())
                                ? r.dispatch(headers, *rec.value)
                                : r.dispatch(*rec.value);
    CHECK(o.reason == skew::reason::handled);
    CHECK(o.produced_by == "producer@2");
    versions.push_back(o.version.value_or(0));
  }
  CHECK(versions == std::vector<std::uint32_t>{1, 1, 2});
  CHECK((*records)[1].header("content-type") == "application/cloudevents+json; charset=UTF-8");
  CHECK_FALSE((*records)[1].header("ce_id"));  // structured: the event is the value
}

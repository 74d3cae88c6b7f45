// skew::kafka::redrive against librdkafka's mock cluster (kafka_support.hpp), and dead letters
// read back from skew's headers and from Spring Kafka's.
#include <skew/adapters/kafka.hpp>
#include <skew/adapters/kafka/redrive.hpp>
#include <skew/dispatch/router.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kafka_support.hpp"

using namespace kafka_test;

namespace {

struct job_router_n1 {
  skew::router<JobN1> router;
  std::mutex mutex;
  std::vector<std::string> handled;
  job_router_n1() {
    router.set_format(skew::envelope_format::cloudevents());
    router.on<JobN1>([this](const kafka_job::JobV2& j) {
      std::lock_guard lock(mutex);
      handled.push_back(j.name);
      return skew::outcome::ack();
    });
  }
  std::vector<std::string> names() {
    std::lock_guard lock(mutex);
    return handled;
  }
};

skew::kafka::stored_record spring_letter() {
  skew::kafka::stored_record r;
  r.topic = "orders.DLT";
  r.value = R"({"type":"job","schemaVersion":2,"id":"j-9","name":"x"})";
  r.headers = {{"kafka_dlt-original-topic", "orders"},
               {"kafka_dlt-original-partition", std::string("\0\0\0\x07", 4)},
               {"kafka_dlt-original-offset", std::string("\0\0\0\0\0\0\x01\x00", 8)},
               {"kafka_dlt-original-consumer-group", "billing"},
               {"kafka_dlt-exception-fqcn", "java.lang.IllegalStateException"},
               {"kafka_dlt-exception-message", "no handler"}};
  return r;
}

}  // namespace

TEST_CASE("big-endian headers as Java's ByteBuffer writes them") {
  CHECK(skew::kafka::big_endian(7, 4) == std::string("\0\0\0\x07", 4));
  CHECK(skew::kafka::big_endian(-1, 4) == std::string("\xff\xff\xff\xff", 4));
  CHECK(skew::kafka::big_endian(256, 8) == std::string("\0\0\0\0\0\0\x01\x00", 8));
  for (std::int64_t v : {0LL, 1LL, -1LL, 1733400000123LL, -9000000000LL}) {
    CHECK(skew::kafka::from_big_endian(skew::kafka::big_endian(v, 8)) == v);
  }
  CHECK(skew::kafka::from_big_endian(skew::kafka::big_endian(-2, 4)) == -2);
  CHECK_FALSE(skew::kafka::from_big_endian("abc"));
}

TEST_CASE("a dead letter Spring Kafka wrote is read: group, origin, error, and the envelope") {
  const skew::kafka::stored_letter s = skew::kafka::read_letter(spring_letter());
  CHECK(s.letter.group == "billing");
  CHECK(s.letter.error == "no handler");
  CHECK(s.letter.reason.empty());
  CHECK(s.letter.type == "job");
  CHECK(s.letter.version == 2u);
  CHECK(s.letter.envelope_id == "j-9");
  CHECK(s.original_topic == "orders");
  CHECK(s.original_partition == 7);
  CHECK(s.original_offset == 256);
  // Judged by its envelope: readable once the group reads job v2.
  job_router_n1 n1;
  CHECK(skew::classify(s.letter, s.letter.group, skew::letter_readers::from_router(n1.router))
            .verdict == skew::redrive_verdict::readable_now);
}

TEST_CASE("redrive: readable letters go back to their group alone, malformed ones are parked") {
  const std::string topic = "jobs-redrive";
  const std::string trace_parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  cluster c(topic);
  {
    skew::kafka::producer p(c.bootstrap, {{"log_level", "2"}});
    REQUIRE(p.send<JobN1>(topic, kafka_job::JobV2{"b", 1},
                          {.id = "id-b", .source = "/t", .traceparent = trace_parent}, "k"));
    REQUIRE(p.send_record(topic, std::string("k"), std::string("{not json"),
                          {{"ce_specversion", "1.0"}, {"ce_id", "x"}, {"ce_type", "job"}}));
    REQUIRE(p.flush(std::chrono::seconds(30)));
  }
  job_router n({});
  auto s = settings_for(c, topic);
  s.limits.max_skew_deliveries = 1;  // build N dead-letters what it cannot read at once
  skew::kafka::consumer build_n(n.router, s);
  REQUIRE(run_until(build_n, [&] { return build_n.stats().broker.dead_lettered == 2; }));

  job_router_n1 n1;
  const auto readers = skew::letter_readers::from_router(n1.router);
  skew::kafka::redrive redrive({.brokers = c.bootstrap,
                                .topic = topic,
                                .format = skew::envelope_format::cloudevents(),
                                .config = {{"log_level", "2"}}});
  const skew::redrive_report dry = redrive.run(readers, {.dry_run = true});
  CHECK(dry.ok);
  CHECK(dry.counts.to_move == 1);
  CHECK(dry.counts.parked == 1);
  CHECK(dry.counts.moved == 0);
  CHECK(read_all(c, topic + ".parked").empty());

  const skew::redrive_report run = redrive.run(readers, {});
  INFO(run.error);
  CHECK(run.ok);
  CHECK(run.counts.moved == 1);
  CHECK(run.counts.parked == 1);
  const auto parked = read_all(c, topic + ".parked");
  REQUIRE(parked.size() == 1);
  CHECK(parked[0].at("skew-reason") == "malformed");
  CHECK(parked[0].at("ce_id") == "x");
  const auto main = read_all(c, topic);
  REQUIRE(main.size() == 3);  // b, the malformed record, and b's copy
  CHECK(main[2].at("skew-redrive-group") == "workers");
  CHECK(main[2].at("skew-redrive-reason") == "unsupported_version");
  CHECK(main[2].at("skew-redrive-of") == topic + ".dlt/0/0");
  CHECK(main[2].at("ce_id") == "id-b");
  // The trace context the producer created it in, unchanged (event and transport).
  CHECK(main[2].at("ce_traceparent") == trace_parent);
  CHECK(main[2].at("traceparent") == trace_parent);
  CHECK(main[2].count("skew-reason") == 0);
  CHECK(main[2].count("kafka_dlt-original-topic") == 0);
  // Progress is the dead-letter group's offset: a second run has nothing to do.
  const skew::redrive_report again = redrive.run(readers, {});
  CHECK(again.counts.to_move + again.counts.parked + again.counts.left == 0);

  // N+1 replaces N in the group and reads the copy; another group acknowledges it unread.
  skew::kafka::consumer build_n1(n1.router, settings_for(c, topic));
  CHECK(run_until(build_n1, [&] { return n1.names().size() == 1; }));
  CHECK(n1.names() == std::vector<std::string>{"b"});
  job_router_n1 other;
  auto audit = settings_for(c, topic);
  audit.group = "auditors";
  audit.dead_letter_topic = topic + ".parked";  // its own malformed letter is not the test's
  skew::kafka::consumer auditors(other.router, audit);
  CHECK(run_until(auditors, [&] { return auditors.stats().broker.not_addressed == 1; }));
  CHECK(other.names() == std::vector<std::string>{"b"});  // the original only
}

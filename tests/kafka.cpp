// skew::kafka against librdkafka's mock cluster, in process: the outcome mapping of each retry
// mode, the headers skew writes, delivery limits, and what blocking retries do to order.
#include <skew/adapters/kafka.hpp>
#include <skew/dispatch/router.hpp>

#include <librdkafka/rdkafka_mock.h>

#include <doctest/doctest.h>

#include <algorithm>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kafka_support.hpp"

using namespace kafka_test;

TEST_CASE("settings without brokers, group or topic are refused before any client is made") {
  job_router r({});
  skew::kafka::consumer c(r.router, skew::kafka::consumer_settings{});
  CHECK_FALSE(c.ok());
  CHECK(c.error().find("topic") != std::string::npos);
  std::atomic<bool> stop{false};
  CHECK_FALSE(c.run(stop));
}

TEST_CASE("retry topic: a failing record leaves its partition and comes back when due") {
  const std::string topic = "jobs-a";
  cluster c(topic);
  produce(c, topic, {"a", "b", "c"});
  job_router r({{"b", 2}});
  skew::kafka::consumer consumer(r.router, settings_for(c, topic));
  REQUIRE(consumer.ok());
  CHECK(run_until(consumer, [&] { return r.names().size() == 3; }));
  // Not blocking: c was handled before b's third delivery.
  CHECK(r.names() == std::vector<std::string>{"a", "c", "b"});
  const skew::broker_counters n = consumer.stats().broker;
  CHECK(n.retried == 2);
  CHECK(n.redelivered == 2);
  CHECK(n.acked == 3);
  CHECK(n.dead_lettered == 0);
  const auto retries = read_all(c, topic + ".retry");
  REQUIRE(retries.size() == 2);
  CHECK(retries[0].at("skew-attempt") == "2");
  CHECK(retries[1].at("skew-attempt") == "3");
  CHECK(retries[0].at("skew-reason") == "handled");
  CHECK(retries[0].at("skew-group") == "workers");  // other groups sharing the topic skip it
  CHECK(retries[1].at("skew-original-topic") == topic);
  CHECK(retries[1].at("skew-original-offset") == "1");  // b's, kept through the retries
  CHECK(std::stoll(retries[0].at("skew-retry-due")) > 0);
  CHECK(retries[0].at("ce_id") == "id-1");  // the event itself travels unchanged
}

TEST_CASE("retries end in the dead-letter topic after max_deliveries, with where it came from") {
  const std::string topic = "jobs-b";
  cluster c(topic);
  produce(c, topic, {"ok", "doomed"});
  job_router r({{"doomed", 100}});
  auto s = settings_for(c, topic);
  s.limits.max_deliveries = 3;
  skew::kafka::consumer consumer(r.router, s);
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.dead_lettered == 1; }));
  const auto dead = read_all(c, topic + ".dlt");
  REQUIRE(dead.size() == 1);
  // The reason is a name; the deliveries, the last error and the group have their own headers.
  CHECK(dead[0].at("skew-reason") == "handled");
  CHECK(dead[0].at("skew-deliveries") == "3");
  CHECK(dead[0].at("skew-error") == "the handler asked to retry 'job' v1");
  CHECK(dead[0].at("skew-group") == "workers");
  CHECK(dead[0].at("skew-original-topic") == topic);
  CHECK(dead[0].at("skew-original-partition") == "0");
  CHECK(dead[0].at("skew-original-offset") == "1");
  // Spring Kafka's DeadLetterPublishingRecoverer headers, about the first record.
  CHECK(dead[0].at("kafka_dlt-original-topic") == topic);
  CHECK(dead[0].at("kafka_dlt-original-partition") == std::string("\0\0\0\0", 4));
  CHECK(dead[0].at("kafka_dlt-original-offset") == std::string("\0\0\0\0\0\0\0\1", 8));
  CHECK(dead[0].at("kafka_dlt-original-timestamp").size() == 8);
  CHECK(dead[0].at("kafka_dlt-original-timestamp-type") == "CreateTime");
  CHECK(dead[0].at("kafka_dlt-original-consumer-group") == "workers");
  CHECK(dead[0].at("kafka_dlt-exception-fqcn") == "skew::handled");
  CHECK(dead[0].at("kafka_dlt-exception-message") == "the handler asked to retry 'job' v1");
  CHECK(std::stoll(dead[0].at("skew-original-timestamp")) ==
        skew::kafka::from_big_endian(dead[0].at("kafka_dlt-original-timestamp")));
  // The router counted three retries; the adapter two, and one dead letter that exhausted them.
  CHECK(consumer.stats().broker.exhausted == 1);
  std::uint64_t router_retries = 0;
  for (const auto& m : consumer.stats().router.messages) {
    router_retries += m.count(skew::action::retry);
  }
  CHECK(router_retries == consumer.stats().broker.retried + consumer.stats().broker.exhausted);
  CHECK(consumer.stats().broker.retried == 2);
  CHECK(r.names() == std::vector<std::string>{"ok"});
}

TEST_CASE("consumer lag per partition: the group's uncommitted records, as Prometheus gauges") {
  const std::string topic = "jobs-lag";
  cluster c(topic);
  produce(c, topic, {"a", "b", "c"});
  job_router r({});
  skew::kafka::consumer consumer(r.router, settings_for(c, topic));
  REQUIRE(consumer.ok());
  const auto before = consumer.lag();  // the group has committed nothing: all three
  REQUIRE(before);
  REQUIRE(before->size() == 2);  // the topic's partition and its retry topic's
  CHECK((*before)[0].topic == topic);
  CHECK((*before)[0].lag() == 3);
  CHECK((*before)[1].topic == topic + ".retry");
  CHECK((*before)[1].lag() == 0);
  const std::string text = skew::kafka::lag_prometheus_text(*before, "workers");
  CHECK(text.find("# TYPE skew_kafka_consumer_lag gauge\n") != std::string::npos);
  CHECK(text.find(R"(skew_kafka_consumer_lag{group="workers",topic="jobs-lag",partition="0"} 3)") !=
        std::string::npos);
  // Once the records are handled and committed, none.
  CHECK(run_until(consumer, [&] {
    const auto now = consumer.lag();
    return r.names().size() == 3 && now && !now->empty() && (*now)[0].lag() == 0;
  }));
}

TEST_CASE("blocking retries keep the partition's order") {
  const std::string topic = "jobs-c";
  cluster c(topic);
  produce(c, topic, {"a", "b", "c", "d"});
  job_router r({{"b", 2}});
  auto s = settings_for(c, topic);
  s.retries = skew::kafka::retry_mode::blocking;
  skew::kafka::consumer consumer(r.router, s);
  CHECK(run_until(consumer, [&] { return r.names().size() == 4; }));
  CHECK(r.names() == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(consumer.stats().broker.retried == 2);
  CHECK(consumer.stats().broker.redelivered == 2);
  CHECK(read_all(c, topic + ".retry").empty());
}

TEST_CASE("a record that is not an event is dead-lettered with the router's reason and error") {
  const std::string topic = "jobs-d";
  cluster c(topic);
  skew::kafka::producer p(c.bootstrap, {{"log_level", "2"}});
  REQUIRE(p.send_record(topic, {}, std::string("{not json"),
                        {{"ce_specversion", "1.0"}, {"ce_id", "x"}, {"ce_type", "job"}}));
  REQUIRE(p.flush(std::chrono::seconds(10)));
  job_router r({});
  skew::kafka::consumer consumer(r.router, settings_for(c, topic));
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.dead_lettered == 1; }));
  const auto dead = read_all(c, topic + ".dlt");
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].at("skew-reason") == "malformed");
  CHECK_FALSE(dead[0].at("skew-error").empty());
  CHECK(dead[0].at("ce_id") == "x");
}

TEST_CASE("an offset is committed only once its retry record is acknowledged by the broker") {
  const std::string topic = "jobs-e";
  cluster c(topic, 2);
  produce(c, topic, {"a", "b", "c"});
  job_router r({{"b", 1}});
  auto s = settings_for(c, topic);
  s.batch = 3;
  skew::kafka::consumer consumer(r.router, s);
  rd_kafka_mock_broker_set_down(c.mock, 2);  // the retry topic's leader
  std::atomic<bool> stop{false};
  bool ran = false;
  std::thread t([&] { ran = consumer.run(stop); });
  CHECK(eventually([&] { return consumer.stats().broker.retried == 1 && r.names().size() == 2; }));
  // b's retry record cannot be written: nothing of the batch from b on is committed, however
  // long the consumer has to commit (a commit that did not wait would land within milliseconds).
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::int64_t while_down = committed(c, topic);
  CHECK(while_down < 2);
  rd_kafka_mock_broker_set_up(c.mock, 2);
  CHECK(eventually([&] { return r.names().size() == 3; }));
  CHECK(eventually([&] { return committed(c, topic) == 3; }));
  stop = true;
  t.join();
  CHECK(ran);
  CHECK(r.names() == std::vector<std::string>{"a", "c", "b"});
}

TEST_CASE("the idempotency hook acknowledges what was handled before, without dispatch") {
  const std::string topic = "jobs-f";
  cluster c(topic);
  produce(c, topic, {"a", "b", "c"});
  job_router r({});
  auto s = settings_for(c, topic);
  std::vector<std::string> asked;
  s.seen = [&](std::string_view id) {
    asked.emplace_back(id);
    return id == "id-1";
  };
  skew::kafka::consumer consumer(r.router, s);
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.acked == 3; }));
  CHECK(asked == std::vector<std::string>{"id-0", "id-1", "id-2"});
  CHECK(r.names() == std::vector<std::string>{"a", "c"});
  CHECK(consumer.stats().broker.duplicates == 1);
}

TEST_CASE("group events: the partitions assigned on joining, revoked on leaving") {
  const std::string topic = "jobs-g";
  cluster c(topic);
  produce(c, topic, {"a"});
  job_router r({});
  group_log log;
  std::vector<std::string> lines;
  auto s = settings_for(c, topic, &log);
  s.log = [&](std::string_view line) { lines.emplace_back(line); };
  skew::kafka::consumer consumer(r.router, s);
  CHECK(run_until(consumer, [&] { return r.names().size() == 1; }));
  std::lock_guard lock(log.mutex);
  REQUIRE(log.events.size() >= 2);
  const auto& first = log.events.front();
  CHECK(first.what == skew::kafka::group_event::kind::assigned);
  const std::vector<skew::kafka::topic_partition> both{{topic, 0}, {topic + ".retry", 0}};
  CHECK(first.partitions == both);
  CHECK(log.events.back().what == skew::kafka::group_event::kind::revoked);
  CHECK(log.events.back().partitions == both);
  REQUIRE(lines.size() == log.events.size());
  CHECK(lines.front() == "skew::kafka: group workers: assigned jobs-g[0], jobs-g.retry[0]");
}

TEST_CASE("a consumer made after another was destroyed in the same process gets the partitions") {
  // A service that restarts its consumer in process: nothing of the first may hold up the second.
  const std::string topic = "jobs-h";
  cluster c(topic);
  produce(c, topic, {"a", "b"});
  job_router first_router({});
  {
    group_log log;
    skew::kafka::consumer first(first_router.router, settings_for(c, topic, &log));
    CHECK(run_until(first, [&] { return first_router.names().size() == 2; }));
  }
  produce(c, topic, {"c"});
  job_router second_router({});
  group_log log;
  skew::kafka::consumer second(second_router.router, settings_for(c, topic, &log));
  const auto start = std::chrono::steady_clock::now();
  CHECK(run_until(second, [&] { return second_router.names().size() == 1; }));
  // The first left the group on stop. The mock holds a join that follows a leave for the
  // session timeout less a second (skew's default: 10 s; librdkafka's 45 s made it 44 s), so the
  // bound is one session timeout with room for a loaded machine.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  CHECK(second_router.names() == std::vector<std::string>{"c"});  // a and b were committed
}

TEST_CASE("two consumers on different topics side by side each process their own records") {
  const std::string one = "jobs-i";
  const std::string two = "jobs-j";
  cluster c(one);
  for (const std::string& t : {two, two + ".retry", two + ".dlt"}) {
    rd_kafka_mock_topic_create(c.mock, t.c_str(), 1, 1);
  }
  produce(c, one, {"i1", "i2"});
  produce(c, two, {"j1", "j2", "j3"});
  job_router r1({{"i2", 1}});
  job_router r2({{"j1", 1}});
  auto s2 = settings_for(c, two);
  s2.group = "others";
  skew::kafka::consumer c1(r1.router, settings_for(c, one));
  skew::kafka::consumer c2(r2.router, s2);
  std::atomic<bool> stop{false};
  bool ran1 = false;
  bool ran2 = false;
  std::thread t1([&] { ran1 = c1.run(stop); });
  std::thread t2([&] { ran2 = c2.run(stop); });
  CHECK(eventually([&] { return r1.names().size() == 2 && r2.names().size() == 3; }));
  stop = true;
  t1.join();
  t2.join();
  CHECK(ran1);
  CHECK(ran2);
  CHECK(r1.names() == std::vector<std::string>{"i1", "i2"});
  CHECK(r2.names() == std::vector<std::string>{"j2", "j3", "j1"});
  CHECK(c1.stats().broker.retried == 1);
  CHECK(c2.stats().broker.retried == 1);
}

TEST_CASE("a binary-mode record on a router without a CloudEvents format is dead-lettered") {
  // A record's headers are input: the consumer must go on to the records behind it.
  const std::string topic = "jobs-k";
  cluster c(topic);
  skew::kafka::producer p(c.bootstrap, {{"log_level", "2"}});
  REQUIRE(p.send_record(topic, {}, std::string(R"({"name":"x"})"),
                        {{"ce_specversion", "1.0"}, {"ce_id", "b-1"}, {"ce_type", "job"}}));
  REQUIRE(
      p.send_record(topic, {}, std::string(R"({"type":"job","schemaVersion":1,"name":"y"})"), {}));
  REQUIRE(p.flush(std::chrono::seconds(30)));
  skew::router<Job> router;  // flat envelopes
  std::vector<std::string> handled;
  router.on<Job>([&](const kafka_job::Job& j) { handled.push_back(j.name); });
  skew::kafka::consumer consumer(router, settings_for(c, topic));
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.acked == 1; }));
  CHECK(handled == std::vector<std::string>{"y"});
  CHECK(consumer.stats().broker.dead_lettered == 1);
  const auto dead = read_all(c, topic + ".dlt");
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].at("skew-reason") == "invalid_envelope");
  CHECK(dead[0].at("skew-error").find("unsupported_content_mode") != std::string::npos);
  CHECK(dead[0].at("ce_id") == "b-1");
}

TEST_CASE("binary mode on the cluster: the record key is the event's partitionkey") {
  const std::string topic = "jobs-key";
  cluster c(topic);
  skew::kafka::producer p(c.bootstrap, {{"log_level", "2"}});
  const std::vector<std::pair<std::string, std::string>> headers = {{"ce_specversion", "1.0"},
                                                                    {"ce_id", "k-1"},
                                                                    {"ce_source", "/t"},
                                                                    {"ce_type", "job"},
                                                                    {"ce_schemaversion", "1"}};
  REQUIRE(p.send_record(topic, std::string("tenant-4"), std::string(R"({"name":"x"})"), headers));
  REQUIRE(p.flush(std::chrono::seconds(30)));
  skew::router<Job> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::string partition_key = "(none)";
  router.on<Job>([&](const kafka_job::Job&, const skew::envelope_view& env) {
    partition_key = std::string(env.string_attribute("partitionkey").value_or("(absent)"));
  });
  skew::kafka::consumer consumer(router, settings_for(c, topic));
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.acked == 1; }));
  CHECK(partition_key == "tenant-4");
}

TEST_CASE("a producer's trace context reaches the handler and stays in retries and dead letters") {
  const std::string topic = "jobs-trace";
  const std::string parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  cluster c(topic);
  skew::kafka::producer p(c.bootstrap, {{"log_level", "2"}});
  REQUIRE(p.send<Job>(
      topic, kafka_job::Job{"x"},
      {.id = "t-1", .source = "/t", .traceparent = parent, .tracestate = "congo=t61rcWkgMzE"}));
  // A transport traceparent that is not W3C is counted and ignored.
  REQUIRE(p.send_record(topic, {}, std::string(R"({"name":"y"})"),
                        {{"ce_specversion", "1.0"},
                         {"ce_id", "t-2"},
                         {"ce_source", "/t"},
                         {"ce_type", "job"},
                         {"traceparent", "00-not-a-trace"}}));
  REQUIRE(p.flush(std::chrono::seconds(30)));
  skew::router<Job> router;
  router.set_format(skew::envelope_format::cloudevents());
  std::mutex mutex;
  std::vector<std::string> seen;  // creation trace id / transport trace id, per delivery of x
  router.on<Job>([&](const kafka_job::Job& j, const skew::envelope_view& env) {
    if (j.name != "x") return skew::outcome::ack();
    const auto created = env.creation_context();
    const auto& hop = env.transport_context;
    std::lock_guard lock(mutex);
    seen.push_back(std::string(created ? created->trace_id : "-") + "/" +
                   std::string(hop ? hop->trace_id : "-"));
    return skew::outcome::retry(std::chrono::milliseconds(20));
  });
  // The observer hook: a process span per delivery with the messaging facts, a settle per action.
  struct spans : skew::observer {
    std::mutex mutex;
    std::vector<std::string> processed, settled;
    void on_process_end(const skew::process_end& e) override {
      const skew::span_attributes a = skew::messaging_attributes(e);
      auto text = [&](std::string_view k) {
        const auto* at = a.find(k);
        return at != nullptr ? std::string(at->text) : std::string("-");
      };
      const auto* offset = a.find("messaging.kafka.offset");
      std::lock_guard lock(mutex);
      processed.push_back(
          text("messaging.system") + " " + text("messaging.destination.name") + " " +
          text("messaging.consumer.group.name") + " " + text("messaging.message.id") + " " +
          (offset != nullptr && offset->integer >= 0 ? "offset" : "-") + " " +
          (a.find("messaging.destination.partition.id") ? "partition" : "-") + " " +
          (e.creation_context ? std::string(e.creation_context->trace_id) : "-") + " " +
          (e.transport_context ? std::string(e.transport_context->trace_id) : "-"));
    }
    void on_settle(const skew::settle_event& e) override {
      std::lock_guard lock(mutex);
      settled.push_back(std::string(e.message_id) + ":" + std::string(skew::to_string(e.taken)));
    }
  } observed;
  router.set_observer(&observed);
  auto s = settings_for(c, topic);
  s.limits.max_deliveries = 2;
  skew::kafka::consumer consumer(router, s);
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.dead_lettered == 1; }));
  CHECK(consumer.stats().broker.invalid_trace_context == 1);
  {
    const std::string id = "4bf92f3577b34da6a3ce929d0e0e4736";
    std::lock_guard lock(observed.mutex);
    std::sort(observed.processed.begin(), observed.processed.end());
    CHECK(observed.processed ==
          std::vector<std::string>{
              "kafka " + topic + " " + s.group + " t-1 offset partition " + id + " " + id,
              "kafka " + topic + " " + s.group + " t-2 offset partition - -",
              "kafka " + topic + ".retry " + s.group + " t-1 offset partition " + id + " " + id});
    std::sort(observed.settled.begin(), observed.settled.end());
    CHECK(observed.settled == std::vector<std::string>{"t-1:dead_letter", "t-1:retry", "t-2:ack"});
  }
  {
    const std::string id = "4bf92f3577b34da6a3ce929d0e0e4736";
    std::lock_guard lock(mutex);
    CHECK(seen == std::vector<std::string>(2, id + "/" + id));
  }
  for (const std::string& t : {topic + ".retry", topic + ".dlt"}) {
    CAPTURE(t);
    const auto records = read_all(c, t);
    REQUIRE(records.size() == 1);
    CHECK(records[0].at("ce_traceparent") == parent);
    CHECK(records[0].at("ce_tracestate") == "congo=t61rcWkgMzE");
    CHECK(records[0].at("traceparent") == parent);
  }
}

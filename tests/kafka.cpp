// skew::kafka against librdkafka's mock cluster, in process: the outcome mapping of each retry
// mode, the headers skew writes, delivery limits, and what blocking retries do to order.
#include <skew/kafka.hpp>
#include <skew/router.hpp>

#include <librdkafka/rdkafka_mock.h>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kafka_test {
struct Job {
  std::string name;
};
SKEW_DESCRIBE(Job, name)
}  // namespace kafka_test

using Job = skew::message<"job", kafka_test::Job>;

namespace {

struct cluster {
  rd_kafka_t* rk = nullptr;
  rd_kafka_mock_cluster_t* mock = nullptr;
  std::string bootstrap;
  // One partition per topic. With two brokers, broker 1 leads the main topic and coordinates
  // the group, and broker 2 leads the retry and dead-letter topics.
  explicit cluster(const std::string& topic, int brokers = 1) {
    char error[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "2", error, sizeof error);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    mock = rd_kafka_mock_cluster_new(rk, brokers);
    for (const std::string& t : {topic, topic + ".retry", topic + ".dlt"}) {
      rd_kafka_mock_topic_create(mock, t.c_str(), 1, brokers);
      rd_kafka_mock_partition_set_leader(mock, t.c_str(), 0, t == topic ? 1 : brokers);
    }
    rd_kafka_mock_coordinator_set(mock, "group", "workers", 1);
    bootstrap = rd_kafka_mock_cluster_bootstraps(mock);
  }
  ~cluster() {
    rd_kafka_mock_cluster_destroy(mock);
    rd_kafka_destroy(rk);
  }
};

// Records the names handled, in order; fails a name the number of times `failures` says.
struct job_router {
  skew::router<Job> router;
  std::mutex mutex;
  std::vector<std::string> handled;
  std::map<std::string, int> failures;
  explicit job_router(std::map<std::string, int> fail) : failures(std::move(fail)) {
    router.set_format(skew::envelope_format::cloudevents());
    router.set_policy(skew::reason::handler_failed,
                      {skew::action::retry, std::chrono::milliseconds(50)});
    router.on<Job>([this](const kafka_test::Job& j) {
      std::lock_guard lock(mutex);
      if (failures[j.name] > 0) {
        --failures[j.name];
        return skew::outcome::retry(std::chrono::milliseconds(50));
      }
      handled.push_back(j.name);
      return skew::outcome::ack();
    });
  }
  std::vector<std::string> names() {
    std::lock_guard lock(mutex);
    return handled;
  }
};

skew::kafka::consumer_settings settings_for(const cluster& c, const std::string& topic) {
  skew::kafka::consumer_settings s;
  s.brokers = c.bootstrap;
  s.group = "workers";
  s.topic = topic;
  s.poll_timeout = std::chrono::milliseconds(20);
  s.consumer_config = {{"log_level", "2"}, {"topic.metadata.refresh.interval.ms", "500"}};
  s.producer_config = {{"log_level", "2"}};
  return s;
}

void produce(const cluster& c, const std::string& topic, const std::vector<std::string>& names) {
  skew::kafka::producer p(c.bootstrap, {{"log_level", "2"}});
  REQUIRE(p.ok());
  int n = 0;
  for (const auto& name : names) {
    const std::string id = "id-" + std::to_string(n++);
    REQUIRE(p.send<Job>(topic, kafka_test::Job{name}, {.id = id, .source = "/test"}, "one-key"));
  }
  REQUIRE(p.flush(std::chrono::seconds(10)));
}

template <class Condition>
bool eventually(Condition done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Runs `consumer` on a thread until `done` holds (or 30 s pass), then stops it.
template <class Consumer, class Condition>
bool run_until(Consumer& consumer, Condition done) {
  std::atomic<bool> stop{false};
  bool ran = false;
  std::thread t([&] { ran = consumer.run(stop); });
  const bool reached = eventually(done);
  stop = true;
  t.join();
  return reached && ran;
}

// The group's committed offset on partition 0 of `topic` (-1001 when none).
std::int64_t committed(const cluster& c, const std::string& topic) {
  std::string error;
  auto conf = skew::detail::make_kafka_conf(
      {{"bootstrap.servers", c.bootstrap}, {"group.id", "workers"}, {"log_level", "2"}}, error);
  auto rk = skew::detail::make_kafka_handle(RD_KAFKA_CONSUMER, std::move(conf), error);
  skew::detail::partition_list list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), 0);
  if (rd_kafka_committed(rk.get(), list.get(), 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) return -2;
  return list->elems[0].offset;
}

// The records of a topic, as header maps.
std::vector<std::map<std::string, std::string>> read_all(const cluster& c, const std::string& t) {
  std::string error;
  auto conf = skew::detail::make_kafka_conf(
      {{"bootstrap.servers", c.bootstrap}, {"group.id", "reader"}, {"log_level", "2"}}, error);
  auto rk = skew::detail::make_kafka_handle(RD_KAFKA_CONSUMER, std::move(conf), error);
  std::int64_t low = 0, high = 0;
  rd_kafka_query_watermark_offsets(rk.get(), t.c_str(), 0, &low, &high, 5000);
  skew::detail::partition_list list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), t.c_str(), 0)->offset = low;
  rd_kafka_assign(rk.get(), list.get());
  std::vector<std::map<std::string, std::string>> out;
  std::vector<skew::message_header> headers;
  while (static_cast<std::int64_t>(out.size()) < high - low) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 5000);
    if (m == nullptr) break;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      skew::detail::read_headers(m, headers);
      auto& row = out.emplace_back();
      for (const auto& h : headers) row[std::string(h.name)] = std::string(h.value);
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

}  // namespace

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
  CHECK(dead[0].at("skew-reason") == "handled after 3 deliveries");
  CHECK(dead[0].at("skew-original-topic") == topic);
  CHECK(dead[0].at("skew-original-partition") == "0");
  CHECK(dead[0].at("skew-original-offset") == "1");
  CHECK(consumer.stats().broker.retried == 2);
  CHECK(r.names() == std::vector<std::string>{"ok"});
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
  CHECK(eventually([&] { return consumer.stats().broker.retried == 1; }));
  // b's retry record cannot be written: nothing of the batch from b on is committed.
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

// What the Kafka tests share: librdkafka's mock cluster in process, a job family with its router,
// a producer of jobs, and a consumer run until a condition holds.
#pragma once

#include <skew/adapters/kafka.hpp>
#include <skew/dispatch/router.hpp>

#include <librdkafka/rdkafka_mock.h>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kafka_job {
struct Job {
  std::string name;
};
SKEW_DESCRIBE(Job, name)

// What build N+1 adds: v2 of the same type.
struct JobV2 {
  std::string name;
  int priority = 0;
};
SKEW_DESCRIBE(JobV2, name, priority)
inline JobV2 upcast(const Job& j) {
  return {j.name, 0};
}
inline Job downcast(const JobV2& j) {
  return {j.name};
}
}  // namespace kafka_job

using Job = skew::message<"job", kafka_job::Job>;
// Build N+1 reads v1 and v2.
using JobN1 =
    skew::message<"job", skew::version<1, kafka_job::Job>, skew::version<2, kafka_job::JobV2>>;

namespace kafka_test {

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
    for (const std::string& t : {topic, topic + ".retry", topic + ".dlt", topic + ".parked"}) {
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
    router.on<Job>([this](const kafka_job::Job& j) {
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

// Group events seen by a consumer, readable from the test's thread.
struct group_log {
  std::mutex mutex;
  std::vector<skew::kafka::group_event> events;
  std::size_t assigned_partitions() {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& e : events) {
      if (e.what == skew::kafka::group_event::kind::assigned) n += e.partitions.size();
    }
    return n;
  }
};

inline skew::kafka::consumer_settings settings_for(const cluster& c, const std::string& topic,
                                                   group_log* log = nullptr) {
  skew::kafka::consumer_settings s;
  s.brokers = c.bootstrap;
  s.group = "workers";
  s.topic = topic;
  s.poll_timeout = std::chrono::milliseconds(20);
  s.consumer_config = {{"log_level", "2"}};
  if (const char* debug = std::getenv("SKEW_KAFKA_DEBUG")) {
    s.consumer_config.insert(s.consumer_config.end(), {{"debug", debug}, {"log_level", "7"}});
  }
  s.producer_config = {{"log_level", "2"}};
  s.log = [](std::string_view) {};
  if (log != nullptr) {
    s.group_changed = [log](const skew::kafka::group_event& e) {
      std::lock_guard lock(log->mutex);
      log->events.push_back(e);
    };
  }
  return s;
}

inline void produce(const cluster& c, const std::string& topic,
                    const std::vector<std::string>& names) {
  skew::kafka::producer p(c.bootstrap, {{"log_level", "2"}});
  REQUIRE(p.ok());
  int n = 0;
  for (const auto& name : names) {
    const std::string id = "id-" + std::to_string(n++);
    REQUIRE(p.send<Job>(topic, kafka_job::Job{name}, {.id = id, .source = "/test"}, "one-key"));
  }
  REQUIRE(p.flush(std::chrono::seconds(30)));
}

// Waits for `done`. Every wait names its cause (an assignment, a record handled); the deadline
// only turns a hang into a failure, so it is far above anything a loaded machine needs.
template <class Condition>
bool eventually(Condition done, std::chrono::seconds deadline = std::chrono::seconds(90)) {
  const auto give_up = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Runs `consumer` on a thread until `done` holds, then stops it.
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

// The group's committed offset on partition 0 of `topic` (the partition's start when none; -2
// when the cluster cannot say).
inline std::int64_t committed(const cluster& c, const std::string& topic) {
  skew::kafka::inspector inspect(c.bootstrap);
  const auto partitions = inspect.lag("workers", topic);
  return partitions && !partitions->empty() ? partitions->front().committed : -2;
}

// The records of a topic, as header maps.
inline std::vector<std::map<std::string, std::string>> read_all(const cluster& c,
                                                                const std::string& t) {
  skew::kafka::inspector inspect(c.bootstrap);
  std::vector<std::map<std::string, std::string>> out;
  const auto records = inspect.records(t);
  if (!records) return out;
  for (const skew::kafka::stored_record& r : *records) {
    auto& row = out.emplace_back();
    for (const auto& [name, value] : r.headers) row[name] = value;
  }
  return out;
}

}  // namespace kafka_test

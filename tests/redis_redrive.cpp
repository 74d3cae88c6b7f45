// skew::redis::redrive against a real Redis (see redis_support.hpp): letters build N
// dead-lettered go back to their group once build N+1 reads them, the rest stay or are parked,
// other groups never see a redriven entry, and a canary stops a redrive whose copies come back.
#include <skew/adapters/redis/redrive.hpp>
#include <skew/adapters/redis/streams.hpp>
#include <skew/dispatch/router.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "redis_support.hpp"

using namespace redis_test;

namespace redis_task {
struct TaskV2 {
  std::string name;
  int priority = 0;
};
SKEW_DESCRIBE(TaskV2, name, priority)
inline TaskV2 upcast(const Task& t) {
  return {t.name, 0};
}
}  // namespace redis_task

// Build N+1 reads v2 as well.
using TaskN1 =
    skew::message<"task", skew::version<1, redis_task::Task>, skew::version<2, redis_task::TaskV2>>;

namespace {

struct task_router_n1 {
  skew::router<TaskN1> router;
  std::vector<std::string> handled;
  task_router_n1() {
    router.on<TaskN1>([this](const redis_task::TaskV2& t) {
      if (t.name == "refuse") return skew::outcome::dead_letter();
      handled.push_back(t.name);
      return skew::outcome::ack();
    });
  }
};

std::string task_v2(const std::string& id, const std::string& name) {
  return R"({"type":"task","schemaVersion":2,"id":")" + id + R"(","name":")" + name +
         R"(","priority":1})";
}

// A consumer running on its own thread until the object goes.
template <class Consumer>
class running {
 public:
  explicit running(Consumer& c) : thread_([this, &c] { c.run(stop_); }) {}
  ~running() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Build N (reads v1 only) dead-letters what it cannot read at once (no skew retries).
void dead_letter_with_build_n(const std::string& stream, std::size_t letters) {
  task_router n;
  auto s = settings_for(stream);
  s.limits.max_skew_deliveries = 1;
  skew::redis::stream_consumer consumer(n.router, s);
  REQUIRE(run_until(consumer, [&] { return consumer.stats().broker.dead_lettered == letters; }));
}

std::size_t length(skew::redis::connection& redis, const std::string& key) {
  skew::redis::reply r = redis.command({"XLEN", key});
  REQUIRE(r);
  return static_cast<std::size_t>(r->integer);
}

}  // namespace

TEST_CASE("readable letters go back to their group alone; the rest stay or are parked") {
  const std::string stream = stream_name("redrive");
  skew::redis::connection redis(redis_server().where());
  add(redis, stream, "message", task("1", "a"));
  add(redis, stream, "message", task_v2("2", "b"));
  add(redis, stream, "message", R"({"type":"report","schemaVersion":1,"id":"3"})");
  add(redis, stream, "message", "{not json");
  // A second group reads with build N+1 all along.
  task_router_n1 auditors;
  auto audit = settings_for(stream);
  audit.group = "auditors";
  audit.dead_letter_stream = stream + ":audit-dlq";  // the auditors' letters are not the test's
  skew::redis::stream_consumer auditor(auditors.router, audit);
  REQUIRE(run_until(auditor, [&] { return auditor.stats().broker.acked == 2; }));
  CHECK(auditors.handled == std::vector<std::string>{"a", "b"});
  dead_letter_with_build_n(stream, 3);

  task_router_n1 n1;
  const auto readers = skew::letter_readers::from_router(n1.router);
  skew::redis::redrive redrive({.where = redis_server().where(), .stream = stream});
  const skew::redrive_report dry = redrive.run(readers, {.dry_run = true});
  CHECK(dry.ok);
  CHECK(dry.counts.to_move == 1);
  CHECK(dry.counts.left == 1);
  CHECK(dry.counts.parked == 1);
  CHECK(dry.counts.moved == 0);
  CHECK(dry.table.text().find("task                      v2 unsupported_version          1  "
                              "readable_now") != std::string::npos);
  CHECK(length(redis, stream + ":dlq") == 3);  // nothing moved

  const skew::redrive_report moved = redrive.run(readers, {});
  CHECK(moved.ok);
  CHECK(moved.counts.moved == 1);
  CHECK(moved.counts.parked == 1);
  CHECK(moved.counts.left == 1);
  CHECK(length(redis, stream + ":dlq") == 1);  // the unknown type waits
  skew::redis::reply parked = redis.command({"XRANGE", stream + ":parked", "-", "+"});
  REQUIRE(parked);
  REQUIRE(parked->elements == 1);
  CHECK(fields_of(parked->element[0]).at("reason") == "malformed");
  CHECK(fields_of(parked->element[0]).at("parked-why").find("malformed") != std::string::npos);

  // N+1 replaces N in the group: it reads the copy; the auditors acknowledge it unread.
  auto s = settings_for(stream);
  skew::redis::stream_consumer workers(n1.router, s);
  CHECK(run_until(workers, [&] { return n1.handled.size() == 1; }));
  CHECK(n1.handled == std::vector<std::string>{"b"});
  CHECK(run_until(auditor, [&] { return auditor.stats().broker.not_addressed == 1; }));
  CHECK(auditors.handled == std::vector<std::string>{"a", "b"});

  // A second run finds nothing new to move: the letter left is judged again and stays.
  const skew::redrive_report again = redrive.run(readers, {});
  CHECK(again.counts.moved == 0);
  CHECK(again.counts.left == 1);
  (void)redis.command({"DEL", stream, stream + ":dlq", stream + ":parked", stream + ":audit-dlq"});
}

TEST_CASE("a canary whose copies are dead-lettered again stops the redrive; they are parked") {
  const std::string stream = stream_name("canary");
  skew::redis::connection redis(redis_server().where());
  for (int i = 0; i < 4; ++i) add(redis, stream, "message", task_v2(std::to_string(i), "refuse"));
  dead_letter_with_build_n(stream, 4);

  task_router_n1 n1;
  skew::redis::stream_consumer workers(n1.router, settings_for(stream));
  skew::redis::redrive redrive({.where = redis_server().where(), .stream = stream});
  const auto readers = skew::letter_readers::from_router(n1.router);
  {
    running live(workers);
    const skew::redrive_report r =
        redrive.run(readers, {.canary = 2, .canary_timeout = std::chrono::seconds(20)});
    CHECK_FALSE(r.ok);
    CHECK(r.counts.moved == 2);
    CHECK(r.error ==
          "canary: 2 of the first 2 letters were dead-lettered again; stopped (they "
          "will be parked)");
  }
  // Two letters never moved, two copies came back: the next run parks the copies with both
  // reasons (and, with the canary off, would move the rest).
  const skew::redrive_report next = redrive.run(readers, {.dry_run = true});
  CHECK(next.counts.parked == 2);
  CHECK(next.counts.to_move == 2);
  skew::redis::reply dlq = redis.command({"XRANGE", stream + ":dlq", "-", "+"});
  REQUIRE(dlq);
  std::size_t came_back = 0;
  for (std::size_t i = 0; i < dlq->elements; ++i) {
    const auto fields = fields_of(dlq->element[i]);
    if (fields.count("field:redrive-reason") == 0) continue;
    ++came_back;
    CHECK(fields.at("field:redrive-reason") == "unsupported_version");
    CHECK(fields.at("reason") == "rejected_by_handler");
  }
  CHECK(came_back == 2);
  (void)redis.command({"DEL", stream, stream + ":dlq", stream + ":parked"});
}

TEST_CASE("a redrive for one group leaves the other groups' letters") {
  const std::string stream = stream_name("onegroup");
  skew::redis::connection redis(redis_server().where());
  add(redis, stream, "message", task_v2("1", "b"));
  dead_letter_with_build_n(stream, 1);
  task_router_n1 n1;
  skew::redis::redrive redrive({.where = redis_server().where(), .stream = stream});
  const auto readers = skew::letter_readers::from_router(n1.router);
  const skew::redrive_report other = redrive.run(readers, {.group = "auditors"});
  CHECK(other.counts.moved == 0);
  CHECK(other.counts.left == 1);
  const skew::redrive_report mine = redrive.run(readers, {.group = "workers"});
  CHECK(mine.counts.moved == 1);
  CHECK(length(redis, stream + ":dlq") == 0);
  (void)redis.command({"DEL", stream, stream + ":dlq"});
}

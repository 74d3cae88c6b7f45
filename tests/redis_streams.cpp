// skew::redis::stream_consumer against a real Redis: the one at $SKEW_REDIS_PORT, or a private
// redis-server on a free port (skipped when neither exists). The rolling-deploy tests cover
// reclaiming and delivery limits under load; these check each mapping on its own.
#include <skew/adapters/redis/streams.hpp>
#include <skew/dispatch/router.hpp>

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace redis_test {
struct Task {
  std::string name;
};
SKEW_DESCRIBE(Task, name)
}  // namespace redis_test

using Task = skew::message<"task", redis_test::Task>;

namespace {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The Redis the tests use, and the server this process started, if any.
struct server {
  int port = 0;
  pid_t child = -1;
  server() {
    if (const char* p = std::getenv("SKEW_REDIS_PORT"); p != nullptr && *p != '\0') {
      port = std::atoi(p);
      return;
    }
    for (const char* path : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
      if (::access(path, X_OK) != 0) continue;
      port = free_port();
      child = ::fork();
      if (child == 0) {
        const std::string p = std::to_string(port);
        ::execl(path, path, "--port", p.c_str(), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--loglevel", "warning", static_cast<char*>(nullptr));
        ::_exit(127);
      }
      skew::redis::connection probe({"127.0.0.1", port, std::chrono::milliseconds(200)});
      for (int i = 0; i < 100 && !probe.command({"PING"}); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      return;
    }
  }
  ~server() {
    if (child > 0) {
      ::kill(child, SIGTERM);
      ::waitpid(child, nullptr, 0);
    }
  }
  skew::redis::endpoint where() const { return {"127.0.0.1", port}; }
};

server& redis_server() {
  static server s;
  if (s.port == 0) std::exit(77);  // no Redis: skipped
  return s;
}

struct task_router {
  skew::router<Task> router;
  std::vector<std::string> handled;
  task_router() {
    router.on<Task>([this](const redis_test::Task& t) {
      if (t.name == "refuse") return skew::outcome::dead_letter();
      handled.push_back(t.name);
      return skew::outcome::ack();
    });
  }
};

std::string stream_name(const char* test) {
  return std::string("skew-test-") + test + "-" + std::to_string(::getpid());
}

void add(skew::redis::connection& redis, const std::string& stream, const std::string& field,
         const std::string& value) {
  REQUIRE(redis.command({"XADD", stream, "*", field, value}));
}

std::string task(const std::string& id, const std::string& name) {
  return R"({"type":"task","schemaVersion":1,"id":")" + id + R"(","name":")" + name + R"("})";
}

// Runs the consumer until `done` holds (or 20 s pass).
template <class Consumer, class Condition>
bool run_until(Consumer& consumer, Condition done) {
  std::atomic<bool> stop{false};
  bool ran = false;
  std::thread t([&] { ran = consumer.run(stop); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const bool reached = done();
  stop = true;
  t.join();
  return reached && ran;
}

skew::redis::stream_settings settings_for(const std::string& stream) {
  skew::redis::stream_settings s;
  s.where = redis_server().where();
  s.stream = stream;
  s.group = "workers";
  s.consumer = "c1";
  s.retry_delay = std::chrono::milliseconds(50);
  s.block = std::chrono::milliseconds(20);
  return s;
}

}  // namespace

TEST_CASE("acknowledged in one batch; dead letters carry reason, error and payload; none pending") {
  const std::string stream = stream_name("map");
  skew::redis::connection redis(redis_server().where());
  add(redis, stream, "message", task("1", "a"));
  add(redis, stream, "message", "{not json");
  add(redis, stream, "message", task("3", "refuse"));
  add(redis, stream, "other", "no message here");
  add(redis, stream, "message", task("5", "b"));
  task_router r;
  skew::redis::stream_consumer consumer(r.router, settings_for(stream));
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.dead_lettered == 3; }));
  CHECK(r.handled == std::vector<std::string>{"a", "b"});
  const skew::broker_counters n = consumer.stats().broker;
  CHECK(n.acked == 2);
  CHECK(n.dead_lettered == 3);
  skew::redis::reply dlq = redis.command({"XRANGE", stream + ":dlq", "-", "+"});
  REQUIRE(dlq);
  REQUIRE(dlq->elements == 3);
  std::vector<std::string> reasons;
  for (std::size_t i = 0; i < dlq->elements; ++i) {
    const redisReply* fields = dlq->element[i]->element[1];
    for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
      if (skew::redis::reply_text(fields->element[f]) == "reason") {
        reasons.emplace_back(skew::redis::reply_text(fields->element[f + 1]));
      }
    }
  }
  CHECK(reasons ==
        std::vector<std::string>{"malformed", "rejected by handler", "no message field"});
  skew::redis::reply pending = redis.command({"XPENDING", stream, "workers"});
  REQUIRE(pending);
  CHECK(pending->element[0]->integer == 0);
  (void)redis.command({"DEL", stream, stream + ":dlq"});
}

TEST_CASE("retries are reclaimed and dead-lettered after max_deliveries") {
  const std::string stream = stream_name("limits");
  skew::redis::connection redis(redis_server().where());
  add(redis, stream, "message", R"({"type":"unknown-kind","schemaVersion":1,"id":"u"})");
  task_router r;
  auto s = settings_for(stream);
  s.limits.max_skew_deliveries = 3;
  skew::redis::stream_consumer consumer(r.router, s);
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.dead_lettered == 1; }));
  const skew::broker_counters n = consumer.stats().broker;
  CHECK(n.retried == 2);
  CHECK(n.redelivered == 2);
  skew::redis::reply dlq = redis.command({"XRANGE", stream + ":dlq", "-", "+"});
  REQUIRE(dlq);
  REQUIRE(dlq->elements == 1);
  const redisReply* fields = dlq->element[0]->element[1];
  CHECK(skew::redis::reply_text(fields->element[1]) == "unknown_type after 3 deliveries");
  (void)redis.command({"DEL", stream, stream + ":dlq"});
}

TEST_CASE("the idempotency hook acknowledges ids handled before, without dispatch") {
  const std::string stream = stream_name("seen");
  skew::redis::connection redis(redis_server().where());
  add(redis, stream, "message", task("1", "a"));
  add(redis, stream, "message", task("2", "b"));
  task_router r;
  auto s = settings_for(stream);
  s.seen = [](std::string_view id) { return id == "1"; };
  skew::redis::stream_consumer consumer(r.router, s);
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.acked == 2; }));
  CHECK(r.handled == std::vector<std::string>{"b"});
  CHECK(consumer.stats().broker.duplicates == 1);
  (void)redis.command({"DEL", stream});
}

TEST_CASE("without a stream, group or consumer name the consumer does not start") {
  task_router r;
  skew::redis::stream_consumer consumer(r.router, skew::redis::stream_settings{});
  std::atomic<bool> stop{false};
  CHECK_FALSE(consumer.run(stop));
  CHECK(consumer.error().find("stream") != std::string::npos);
}

// What the Redis tests share: the Redis they use (the one at $SKEW_REDIS_PORT, or a private
// redis-server on a free port; the test program exits 77, skipped, when neither exists), a task
// family with its router, and a consumer run until a condition holds.
#pragma once

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
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace redis_task {
struct Task {
  std::string name;
};
SKEW_DESCRIBE(Task, name)
}  // namespace redis_task

using Task = skew::message<"task", redis_task::Task>;

namespace redis_test {

inline int free_port() {
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

inline server& redis_server() {
  static server s;
  if (s.port == 0) std::exit(77);  // no Redis: skipped
  return s;
}

struct task_router {
  skew::router<Task> router;
  std::vector<std::string> handled;
  task_router() {
    router.on<Task>([this](const redis_task::Task& t) {
      if (t.name == "refuse") return skew::outcome::dead_letter();
      handled.push_back(t.name);
      return skew::outcome::ack();
    });
  }
};

inline std::string stream_name(const char* test) {
  return std::string("skew-test-") + test + "-" + std::to_string(::getpid());
}

inline void add(skew::redis::connection& redis, const std::string& stream, const std::string& field,
                const std::string& value) {
  REQUIRE(redis.command({"XADD", stream, "*", field, value}));
}

inline std::string task(const std::string& id, const std::string& name) {
  return R"({"type":"task","schemaVersion":1,"id":")" + id + R"(","name":")" + name + R"("})";
}

// A stream entry's fields by name.
inline std::map<std::string, std::string> fields_of(const redisReply* entry) {
  std::map<std::string, std::string> out;
  const redisReply* fields = entry->element[1];
  for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
    out.emplace(skew::redis::reply_text(fields->element[f]),
                skew::redis::reply_text(fields->element[f + 1]));
  }
  return out;
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

inline skew::redis::stream_settings settings_for(const std::string& stream) {
  skew::redis::stream_settings s;
  s.where = redis_server().where();
  s.stream = stream;
  s.group = "workers";
  s.consumer = "c1";
  s.retry_delay = std::chrono::milliseconds(50);
  s.block = std::chrono::milliseconds(20);
  return s;
}

}  // namespace redis_test

// skew::redis::stream_consumer against a real Redis: the one at $SKEW_REDIS_PORT, or a private
// redis-server on a free port (skipped when neither exists). The rolling-deploy tests cover
// reclaiming and delivery limits under load; these check each mapping on its own.
#include <skew/adapters/redis/streams.hpp>
#include <skew/dispatch/router.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "redis_support.hpp"

using namespace redis_test;

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
        std::vector<std::string>{"malformed", "rejected_by_handler", "no_envelope_field"});
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
  const auto fields = fields_of(dlq->element[0]);
  // The reason is a name; the deliveries and the last error have fields of their own.
  CHECK(fields.at("reason") == "unknown_type");
  CHECK(fields.at("deliveries") == "3");
  CHECK(fields.at("error") == "no family of this build has the type 'unknown-kind'");
  CHECK(fields.at("group") == "workers");
  CHECK(fields.at("consumer") == "c1");
  CHECK(fields.at("stream") == stream);
  // The router counted three retries; the adapter two retries and one exhausted dead letter.
  const auto stats = consumer.stats();
  std::uint64_t router_retries = 0;
  for (const auto& m : stats.router.messages) router_retries += m.count(skew::action::retry);
  CHECK(router_retries == stats.broker.retried + stats.broker.exhausted);
  CHECK(stats.broker.exhausted == 1);
  (void)redis.command({"DEL", stream, stream + ":dlq"});
}

TEST_CASE("a dead letter keeps the entry's other fields, and its source id") {
  const std::string stream = stream_name("fields");
  skew::redis::connection redis(redis_server().where());
  skew::redis::reply added =
      redis.command({"XADD", stream, "*", "traceparent",
                     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "message",
                     task("7", "refuse"), "tenant", "acme"});
  REQUIRE(added);
  task_router r;
  skew::redis::stream_consumer consumer(r.router, settings_for(stream));
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.dead_lettered == 1; }));
  skew::redis::reply dlq = redis.command({"XRANGE", stream + ":dlq", "-", "+"});
  REQUIRE(dlq);
  REQUIRE(dlq->elements == 1);
  const auto fields = fields_of(dlq->element[0]);
  CHECK(fields.at("reason") == "rejected_by_handler");
  CHECK(fields.at("deliveries") == "1");
  CHECK(fields.at("source-id") == skew::redis::reply_text(added.get()));
  CHECK(fields.at("payload") == task("7", "refuse"));
  CHECK(fields.at("field:traceparent") ==
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK(fields.at("field:tenant") == "acme");
  CHECK(fields.count("field:message") == 0);
  (void)redis.command({"DEL", stream, stream + ":dlq"});
}

TEST_CASE("an entry a redrive addressed to another group is acknowledged without dispatch") {
  const std::string stream = stream_name("addressed");
  skew::redis::connection redis(redis_server().where());
  REQUIRE(redis.command(
      {"XADD", stream, "*", "message", task("1", "mine"), "redrive-group", "workers"}));
  REQUIRE(redis.command(
      {"XADD", stream, "*", "message", task("2", "theirs"), "redrive-group", "auditors"}));
  add(redis, stream, "message", task("3", "everyone's"));
  task_router r;
  skew::redis::stream_consumer consumer(r.router, settings_for(stream));
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.acked == 3; }));
  CHECK(r.handled == std::vector<std::string>{"mine", "everyone's"});
  CHECK(consumer.stats().broker.not_addressed == 1);
  skew::redis::reply pending = redis.command({"XPENDING", stream, "workers"});
  REQUIRE(pending);
  CHECK(pending->element[0]->integer == 0);
  (void)redis.command({"DEL", stream});
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

TEST_CASE("the traceparent field is the transport hop's trace context; an invalid one is counted") {
  const std::string stream = stream_name("trace");
  const std::string parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  skew::redis::connection redis(redis_server().where());
  REQUIRE(redis.command({"XADD", stream, "*", "message", task("1", "traced"), "traceparent", parent,
                         "tracestate", "congo=t61rcWkgMzE"}));
  REQUIRE(redis.command(
      {"XADD", stream, "*", "message", task("2", "garbled"), "traceparent", "00-zz-zz-01"}));
  add(redis, stream, "message", task("3", "plain"));
  skew::router<Task> router;
  std::vector<std::string> seen;
  router.on<Task>([&](const redis_task::Task& t, const skew::envelope_view& env) {
    const auto& hop = env.transport_context;
    seen.push_back(t.name + ":" +
                   (hop ? std::string(hop->trace_id) + "/" + std::string(hop->tracestate) : "-"));
  });
  // The observer hook: a process span per entry with the stream and group, a settle per ack.
  struct spans : skew::observer {
    std::vector<std::string> processed;
    int acks = 0;
    void on_process_end(const skew::process_end& e) override {
      const skew::span_attributes a = skew::messaging_attributes(e);
      processed.push_back(std::string(a.find("messaging.system")->text) + " " +
                          std::string(a.find("messaging.destination.name")->text) + " " +
                          std::string(a.find("messaging.consumer.group.name")->text) + " " +
                          (e.transport_context ? "traced" : "-"));
    }
    void on_settle(const skew::settle_event& e) override {
      acks += e.taken == skew::action::ack ? 1 : 0;
    }
  } observed;
  router.set_observer(&observed);
  const auto s = settings_for(stream);
  skew::redis::stream_consumer consumer(router, s);
  CHECK(run_until(consumer, [&] { return consumer.stats().broker.acked == 3; }));
  CHECK(seen ==
        std::vector<std::string>{"traced:4bf92f3577b34da6a3ce929d0e0e4736/congo=t61rcWkgMzE",
                                 "garbled:-", "plain:-"});
  const std::string where = "redis " + stream + " " + s.group + " ";
  CHECK(observed.processed == std::vector<std::string>{where + "traced", where + "-", where + "-"});
  CHECK(observed.acks == 3);
  CHECK(consumer.stats().broker.invalid_trace_context == 1);
  (void)redis.command({"DEL", stream});
}

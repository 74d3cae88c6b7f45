// The consumer of the Redis Streams demo, on skew's Redis Streams adapter
// (skew/adapters/redis/streams.hpp). One source, two releases: compiled with SKEW_DEMO_BUILD=1 it
// is build N (reads send-email v1), with SKEW_DEMO_BUILD=2 build N+1 (reads v1, upcast, and v2).
// Several run in one consumer group; the adapter maps skew's outcomes onto the stream (XACK,
// XAUTOCLAIM retries, dead letters to <stream>:dlq with XACK in one MULTI, delivery limits with
// version-skew retries exempt unless --max-skew-deliveries is set).
//
// The handler is idempotent by envelope id, so at-least-once delivery (a killed consumer's entries
// are reclaimed and delivered again) still sends each email once. Outcome counts are recorded in
// Redis after each batch (<prefix>:outcomes:<build>) for operators and the test.
//
// Each instance publishes its manifest (what its router reads) as a heartbeat with a TTL
// (skew/adapters/redis/manifests.hpp), so that producers can follow the fleet, and refuses to start
// when it cannot read a floor an operator finalized. --reconnect keeps it running across a Redis
// restart.
#include <skew/adapters/redis/manifests.hpp>
#include <skew/adapters/redis/streams.hpp>
#include <skew/dispatch/replay.hpp>

#include "arguments.hpp"
#include "send_email.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

std::atomic<bool> stop_requested{false};
extern "C" void request_stop(int) {
  stop_requested.store(true);
}

// The side effect and its idempotency check in one atomic step: HSETNX claims the id, and only
// the first claim "sends" (appends to the sent list). A redelivered message changes nothing.
constexpr std::string_view send_once_script = R"lua(
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0)lua";

struct demo_settings {
  std::string record_prefix;  // <prefix>:handled, :sent, :outcomes:<build>
  // Time between the first side effect of a batch and its XACK, as a slow network would stretch
  // it. The test sets it on the consumer it kills, so that the SIGKILL lands in that window.
  long ack_delay_ms = 0;
};

// The demo's handler and records: the email "sent" once per id, and the outcome counts.
class mailer {
 public:
  mailer(const skew::redis::endpoint& where, std::string name, demo_settings s)
      : redis_(where), name_(std::move(name)), s_(std::move(s)) {
    const skew::policy retry{skew::action::retry, std::chrono::milliseconds(500)};
    router_.set_policy(skew::reason::unknown_type, retry);
    router_.set_policy(skew::reason::unsupported_version, retry);
    router_.set_policy(skew::reason::handler_failed, retry);
    router_.on<mail::SendEmail>([this](const mail::LatestSendEmail& m,
                                       const skew::envelope_view& env) { return send(m, env); });
#if SKEW_DEMO_BUILD >= 2
    router_.on<mail::SendSms>([this](const mail::SendSmsV1& m, const skew::envelope_view& env) {
      // s-<n> goes to user<n>@example.com too.
      if (!env.id.starts_with("s-") ||
          m.to != fmt::format("user{}@example.com", env.id.substr(2))) {
        return skew::outcome::dead_letter();
      }
      return record(env);
    });
#endif
  }

  mail::mailer_router& router() {
    return router_;
  }

  // What this build reads, for the fleet.
  skew::manifest manifest(const std::string& group) const {
    skew::manifest m = router_.manifest();
    m.service = "mailer";
    m.build = fmt::format("mailer@{}", mail::build_name);
    m.group = group;
    return m;
  }

  skew::consumer_hooks hooks() {
    return {[this](const skew::outcome& o, const skew::broker_decision& d) {
              ++counts_[fmt::format("{}.{}", skew::to_string(o.reason), skew::to_string(o.action))];
              if (d.exhausted) ++counts_["deliveries_exhausted"];
              if (first_of_batch_ && s_.ack_delay_ms > 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(s_.ack_delay_ms));
              }
              first_of_batch_ = false;
            },
            [this] { flush(); }};
  }

 private:
  skew::outcome send(const mail::LatestSendEmail& m, const skew::envelope_view& env) {
    // A downstream outage the demo can provoke: this domain's mail server never answers.
    if (m.to.ends_with("@unreachable.example")) return handler_failed();
    // Decoding mistakes would show here; they must not be "sent".
    if (!plausible(m, env)) return skew::outcome::dead_letter();
    return record(env);
  }

  // The side effect, once per id: who handled it, in which build, at which version.
  skew::outcome record(const skew::envelope_view& env) {
    const std::string record =
        fmt::format("{} {} {} v{}", name_, mail::build_name, env.type, env.version);
    const skew::redis::reply r =
        redis_.command({"EVAL", send_once_script, "2", s_.record_prefix + ":handled",
                        s_.record_prefix + ":sent", env.id, record});
    if (!r || r->type != REDIS_REPLY_INTEGER) return handler_failed();
    ++counts_[r->integer == 1 ? "sent" : "duplicate_delivery"];
    return skew::outcome::ack();
  }

  static skew::outcome handler_failed() {
    skew::outcome o;
    o.reason = skew::reason::handler_failed;  // the router applies the retry policy
    return o;
  }

  // The producer derives every field from the id: m-<n> goes to user<n>@example.com, in German
  // when n is a multiple of 3 and the message is v2 (v1 has no locale and upcasts to English).
  static bool plausible(const mail::LatestSendEmail& m, const skew::envelope_view& env) {
    if (!env.id.starts_with("m-")) return false;
    const std::string_view n = env.id.substr(2);
    if (m.to != fmt::format("user{}@example.com", n) || m.templateId != "welcome") return false;
#if SKEW_DEMO_BUILD >= 2
    const bool german =
        env.version >= 2 && std::strtol(std::string(n).c_str(), nullptr, 10) % 3 == 0;
    if (m.locale != (german ? "de" : "en")) return false;
#endif
    return true;
  }

  // The batch's outcome counts, added to the build's totals in one round trip.
  void flush() {
    first_of_batch_ = true;
    if (counts_.empty()) return;
    const std::string key = fmt::format("{}:outcomes:{}", s_.record_prefix, mail::build_name);
    std::vector<std::string> values;
    values.reserve(counts_.size());  // stable: the commands view them
    std::vector<std::vector<std::string_view>> commands;
    for (const auto& [field, n] : counts_) {
      values.push_back(std::to_string(n));
      commands.push_back({"HINCRBY", key, field, values.back()});
    }
    (void)redis_.pipeline(commands);  // counts a failed round trip loses are for display only
    counts_.clear();
  }

  skew::redis::connection redis_;  // reconnects by itself after a failure
  std::string name_;
  demo_settings s_;
  mail::mailer_router router_;
  std::map<std::string, long> counts_;
  bool first_of_batch_ = true;
};

}  // namespace

int main(int argc, char** argv) {
  const demo::arguments args(argc, argv);
  const skew::redis::endpoint where{args.get("--host", "127.0.0.1"),
                                    static_cast<int>(args.number("--port", 6379))};
  const std::string stream = args.get("--stream", "send-email");
  const std::string group = args.get("--group", "mailers");
  const std::string name = args.get("--name", "");
  mailer handler(where, name,
                 {.record_prefix = args.get("--record-prefix", stream),
                  .ack_delay_ms = args.number("--ack-delay-ms", 0)});
  // `--skew-replay capture.jsonl`: this build's dry run of a captured sample (skew replay).
  if (auto exit_code = skew::replay_main(handler.router(), argc, argv)) return *exit_code;
  if (args.get("--print-manifest", "") == "1") {  // for can-deploy checks in a pipeline
    fmt::print("{}\n", skew::encode(handler.manifest(group)).value());
    return 0;
  }
  if (name.empty()) {
    fmt::print(stderr, "usage: {} --name <consumer> [--port 6379] [--stream send-email] ...\n",
               argv[0]);
    return 2;
  }
  skew::redis::stream_consumer consumer(
      handler.router(),
      skew::redis::stream_settings{
          .where = where,
          .stream = stream,
          .group = group,
          .consumer = name,
          .retry_delay = std::chrono::milliseconds(args.number("--retry-delay-ms", 500)),
          .limits = {.max_deliveries =
                         static_cast<std::uint32_t>(args.number("--max-deliveries", 5)),
                     .max_skew_deliveries =
                         static_cast<std::uint32_t>(args.number("--max-skew-deliveries", 0))},
          .batch = static_cast<std::size_t>(args.number("--batch", 100)),
          .block = std::chrono::milliseconds(args.number("--block-ms", 100)),
          .hooks = handler.hooks(),
      });
  // A build that cannot read the finalized floor must not start: producers emit nothing older,
  // so it would dead-letter or retry everything it reads.
  skew::redis::manifest_store store(where, stream);
  if (auto refusal = store.start_refusal(handler.manifest(group))) {
    fmt::print(stderr, "consumer {} (build {}) refuses to start: {}\n", name, mail::build_name,
               *refusal);
    return 4;
  }
  // SIGTERM and SIGINT finish the batch in hand, acknowledge it and leave.
  std::signal(SIGTERM, request_stop);
  std::signal(SIGINT, request_stop);
  const bool reconnect = args.number("--reconnect", 0) != 0;
  const auto ttl = std::chrono::milliseconds(args.number("--heartbeat-ttl-ms", 3000));
  skew::redis::heartbeat beat(where, stream, name, handler.manifest(group), ttl);
  fmt::print("consumer {} (build {}) ready\n", name, mail::build_name);
  std::fflush(stdout);
  while (!consumer.run(stop_requested)) {
    fmt::print(stderr, "consumer {}: {}\n", name, consumer.error());
    if (!reconnect || stop_requested.load()) return 3;
    fmt::print(stderr, "consumer {}: reconnecting\n", name);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  fmt::print("consumer {} (build {}) stopping\n{}\n{}\n", name, mail::build_name,
             consumer.stats().router, consumer.stats().broker);
  return 0;
}

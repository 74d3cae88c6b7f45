// The consumer of the Kafka demo, on skew's Kafka adapter (skew/adapters/kafka.hpp). One source,
// two releases, as in the Redis demo: SKEW_DEMO_BUILD=1 is build N (reads send-email v1),
// SKEW_DEMO_BUILD=2 is build N+1 (reads v1, upcast, and v2). Several run in one consumer group.
//
// The adapter maps outcomes onto topics: a version this build cannot read goes to
// send-email.retry until a build that reads it takes it (or, with --max-skew-deliveries, to the
// dead-letter topic after that many deliveries); what cannot be read at all goes to
// send-email.dlt with its reason. Build N+1 also reads send-sms, a type build N lacks. With
// --heartbeat-ttl-ms each instance publishes its manifest to send-email.manifests.
//
// The handler is idempotent by envelope id: it claims the id in a ledger directory (a hard
// link under the id's name, an atomic step on a local filesystem), and only the first claim
// "sends". A redelivered message (its consumer died before committing) changes nothing.
#include <skew/adapters/kafka.hpp>
#include <skew/adapters/kafka/manifests.hpp>
#include <skew/dispatch/replay.hpp>
#include <skew/dispatch/router.hpp>

#include "arguments.hpp"
#include "send_email.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

namespace {

std::atomic<bool> stop_requested{false};
extern "C" void request_stop(int) {
  stop_requested.store(true);
}

// Claims `id` in the ledger with its record; false when it was claimed before. The record is
// written first and linked under the id's name, which fails if the name exists: a consumer
// killed at any point leaves either a complete claim or none (and perhaps a stray .tmp file).
bool claim(const std::string& ledger, const std::string& consumer, std::string_view id,
           const std::string& record) {
  const std::string tmp = fmt::format("{}/.tmp-{}", ledger, consumer);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  const bool written =
      ::write(fd, record.data(), record.size()) == static_cast<ssize_t>(record.size());
  ::close(fd);
  const bool claimed =
      written && ::link(tmp.c_str(), fmt::format("{}/{}", ledger, id).c_str()) == 0;
  ::unlink(tmp.c_str());
  return claimed;
}

}  // namespace

int main(int argc, char** argv) {
  const demo::arguments args(argc, argv);
  const std::string name = args.get("--name", "");
  const std::string ledger = args.get("--ledger", "");
  const auto retry_delay = std::chrono::milliseconds(args.number("--retry-delay-ms", 200));
  // Time each message takes after its side effect, as a slow downstream call would: the test
  // sets it on the consumer it kills, so that the SIGKILL lands between effects and the commit.
  const auto handle_delay = std::chrono::microseconds(args.number("--handle-delay-us", 0));

  mail::mailer_router router;
  router.set_format(skew::envelope_format::cloudevents());
  const skew::policy retry{skew::action::retry, retry_delay};
  router.set_policy(skew::reason::unknown_type, retry);
  router.set_policy(skew::reason::unsupported_version, retry);
  router.set_policy(skew::reason::handler_failed, retry);
  long duplicates = 0;
  // The side effect, once per id: who handled it, in which build, at which version.
  auto handle = [&](std::string_view to, const skew::envelope_view& env) {
    if (!to.ends_with("@example.com")) return skew::outcome::dead_letter();
    if (!claim(ledger, name, env.id,
               fmt::format("{} {} {} v{}\n", name, mail::build_name, env.type, env.version))) {
      ++duplicates;
    }
    return skew::outcome::ack();
  };
  router.on<mail::SendEmail>([&](const mail::LatestSendEmail& m, const skew::envelope_view& env) {
    return handle(m.to, env);
  });
#if SKEW_DEMO_BUILD >= 2
  router.on<mail::SendSms>(
      [&](const mail::SendSmsV1& m, const skew::envelope_view& env) { return handle(m.to, env); });
#endif
  // `--skew-replay capture.jsonl`: this build's dry run of a captured sample (skew replay).
  if (auto exit_code = skew::replay_main(router, argc, argv)) return *exit_code;
  const std::string group = args.get("--group", "mailers");
  const std::string topic = args.get("--topic", "send-email");
  skew::manifest manifest = router.manifest();
  manifest.service = "mailer";
  manifest.build = fmt::format("mailer@{}", mail::build_name);
  manifest.group = group;
  if (args.get("--print-manifest", "") == "1") {  // for can-deploy checks and redrives
    fmt::print("{}\n", skew::encode(manifest).value());
    return 0;
  }

  if (name.empty() || ledger.empty()) {
    fmt::print(stderr, "usage: {} --name <consumer> --ledger <dir> [--bootstrap host:port] ...\n",
               argv[0]);
    return 2;
  }
  const std::string brokers = args.get("--bootstrap", "127.0.0.1:9092");
  skew::kafka::consumer_settings settings{
      .brokers = brokers,
      .group = group,
      .topic = topic,
      .retry_delay = retry_delay,
      .limits = {.max_deliveries = static_cast<std::uint32_t>(args.number("--max-deliveries", 5)),
                 .max_skew_deliveries =
                     static_cast<std::uint32_t>(args.number("--max-skew-deliveries", 0))},
      .batch = static_cast<std::size_t>(args.number("--batch", 200)),
      // Static membership when the deployment gives each instance a stable name (a pod's).
      .instance_id = args.get("--instance-id", ""),
      .consumer_config = {{"client.id", name}, {"log_level", "3"}},
      .producer_config = {{"client.id", name + "-producer"}, {"log_level", "3"}},
  };
  // Group events go to standard error by default; the test reads them from there.
  skew::kafka::consumer<decltype(router)> consumer(router, settings);
  if (!consumer.ok()) {
    fmt::print(stderr, "consumer {}: {}\n", name, consumer.error());
    return 1;
  }
  std::signal(SIGTERM, request_stop);
  std::signal(SIGINT, request_stop);
  // With --heartbeat-ttl-ms: what this instance reads, in the fleet's manifests topic
  // (<topic>.manifests), for producers that follow the fleet and for redrives; a tombstone when
  // it stops.
  std::optional<skew::kafka::heartbeat> beat;
  if (const auto ttl = args.number("--heartbeat-ttl-ms", 0); ttl > 0) {
    beat.emplace(brokers, topic + ".manifests", name, manifest, std::chrono::milliseconds(ttl),
                 std::chrono::milliseconds{}, skew::kafka::properties{{"log_level", "2"}});
  }
  fmt::print("consumer {} (build {}) started\n", name, mail::build_name);
  std::fflush(stdout);
  const bool ok = consumer.run(stop_requested);
  const skew::consumer_stats stats = consumer.stats();
  fmt::print("stats {} {} {} duplicate_claims={} unsupported_version={}\n", name, mail::build_name,
             stats.broker, duplicates, stats.router.total(skew::reason::unsupported_version));
  if (!ok) fmt::print(stderr, "consumer {}: {}\n", name, consumer.error());
  return ok ? 0 : 1;
}

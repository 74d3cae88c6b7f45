// The consumer of the Kafka demo, on skew's Kafka adapter (skew/adapters/kafka.hpp). One source,
// two releases, as in the Redis demo: SKEW_DEMO_BUILD=1 is build N (reads send-email v1),
// SKEW_DEMO_BUILD=2 is build N+1 (reads v1, upcast, and v2). Several run in one consumer group.
//
// The adapter maps outcomes onto topics: a version this build cannot read goes to
// send-email.retry until a build that reads it takes it; what cannot be read at all goes to
// send-email.dlt with its reason.
//
// The handler is idempotent by envelope id: it claims the id in a ledger directory (a hard
// link under the id's name, an atomic step on a local filesystem), and only the first claim
// "sends". A redelivered message (its consumer died before committing) changes nothing.
#include <skew/adapters/kafka.hpp>
#include <skew/dispatch/router.hpp>

#include "arguments.hpp"
#include "send_email.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
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
  if (name.empty() || ledger.empty()) {
    fmt::print(stderr, "usage: {} --name <consumer> --ledger <dir> [--bootstrap host:port] ...\n",
               argv[0]);
    return 2;
  }
  const auto retry_delay = std::chrono::milliseconds(args.number("--retry-delay-ms", 200));
  // Time each message takes after its side effect, as a slow downstream call would: the test
  // sets it on the consumer it kills, so that the SIGKILL lands between effects and the commit.
  const auto handle_delay = std::chrono::microseconds(args.number("--handle-delay-us", 0));

  skew::router<mail::SendEmail> router;
  router.set_format(skew::envelope_format::cloudevents());
  const skew::policy retry{skew::action::retry, retry_delay};
  router.set_policy(skew::reason::unknown_type, retry);
  router.set_policy(skew::reason::unsupported_version, retry);
  router.set_policy(skew::reason::handler_failed, retry);
  long duplicates = 0;
  router.on<mail::SendEmail>(
      [&](const mail::LatestSendEmail& m, const skew::envelope_view& env) -> skew::outcome {
        if (!m.to.ends_with("@example.com")) return skew::outcome::dead_letter();
        if (!claim(ledger, name, env.id,
                   fmt::format("{} {} v{}\n", name, mail::build_name, env.version))) {
          ++duplicates;
        }
        return skew::outcome::ack();
      });

  skew::kafka::consumer_settings settings{
      .brokers = args.get("--bootstrap", "127.0.0.1:9092"),
      .group = args.get("--group", "mailers"),
      .topic = args.get("--topic", "send-email"),
      .retry_delay = retry_delay,
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
  fmt::print("consumer {} (build {}) started\n", name, mail::build_name);
  std::fflush(stdout);
  const bool ok = consumer.run(stop_requested);
  const skew::consumer_stats stats = consumer.stats();
  fmt::print("stats {} {} {} duplicate_claims={} unsupported_version={}\n", name, mail::build_name,
             stats.broker, duplicates, stats.router.total(skew::reason::unsupported_version));
  if (!ok) fmt::print(stderr, "consumer {}: {}\n", name, consumer.error());
  return ok ? 0 : 1;
}

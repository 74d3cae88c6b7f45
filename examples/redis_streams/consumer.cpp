// The consumer of the Redis Streams demo. One source, two releases: compiled with
// SKEW_DEMO_BUILD=1 it is build N (reads send-email v1), with SKEW_DEMO_BUILD=2 build N+1 (reads
// v1, upcast, and v2). Several run in one consumer group and map skew's outcomes onto streams:
//
//   ack, drop    XACK
//   retry        no XACK: the entry stays pending; once it has been idle for the retry delay, a
//                consumer (any build) takes it back with XAUTOCLAIM and dispatches it again
//   dead_letter  XADD to <stream>:dlq with the reason, the error and the original payload, and
//                XACK, in one MULTI so that a crash between the two cannot lose or double it
//
// A retry that keeps failing becomes a dead letter after --max-deliveries deliveries (Redis counts
// them in the pending entries list). Retries caused by version skew (unknown_type,
// unsupported_version) have their own limit, --max-skew-deliveries, off by default: a newer build
// will read them, and dead-lettering work during a deploy is what skew exists to prevent.
//
// The handler is idempotent by envelope id, so at-least-once delivery (a killed consumer's entries
// are reclaimed and delivered again) still sends each email once.
//
// Each instance publishes its manifest (what its router reads) as a heartbeat with a TTL
// (skew/redis_manifests.hpp), so that producers can follow the fleet, and refuses to start when
// it cannot read a floor an operator finalized. --reconnect keeps it running across a Redis
// restart.
#include <skew/redis_manifests.hpp>

#include "redis.hpp"
#include "send_email.hpp"

#include <fmt/core.h>

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

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void request_stop(int) {
  stop_requested = 1;
}

// The side effect and its idempotency check in one atomic step: HSETNX claims the id, and only
// the first claim "sends" (appends to the sent list). A redelivered message changes nothing.
constexpr std::string_view send_once_script = R"lua(
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0)lua";

struct settings {
  std::string stream;
  std::string group;
  std::string name;
  // Where the side effects and counters are recorded: <prefix>:handled, :sent, :outcomes:<build>.
  std::string record_prefix;
  long retry_delay_ms;
  long max_deliveries;
  long max_skew_deliveries;
  long batch;
  long block_ms;
  // Time between the handler's side effects and the XACK, as a slow network would stretch it.
  // The test sets it on the consumer it kills, so that the SIGKILL lands in that window.
  long ack_delay_ms;
};

class consumer {
 public:
  consumer(demo::connection& redis, settings s)
      : redis_(redis),
        s_(std::move(s)),
        handled_key_(s_.record_prefix + ":handled"),
        sent_key_(s_.record_prefix + ":sent"),
        dlq_key_(s_.stream + ":dlq"),
        counts_key_(fmt::format("{}:outcomes:{}", s_.record_prefix, mail::build_name)) {
    const skew::policy retry{skew::action::retry, std::chrono::milliseconds(s_.retry_delay_ms)};
    router_.set_policy(skew::reason::unknown_type, retry);
    router_.set_policy(skew::reason::unsupported_version, retry);
    router_.set_policy(skew::reason::handler_failed, retry);
    router_.on<mail::SendEmail>([this](const mail::LatestSendEmail& m,
                                       const skew::envelope_view& env) { return send(m, env); });
  }

  // What this build reads, for the fleet.
  skew::manifest manifest() const {
    skew::manifest m = router_.manifest();
    m.service = "mailer";
    m.build = fmt::format("mailer@{}", mail::build_name);
    m.group = s_.group;
    return m;
  }

  // Returns false when Redis went away: the process exits and its pending entries are reclaimed.
  bool run() {
    demo::reply created =
        redis_.command({"XGROUP", "CREATE", s_.stream, s_.group, "0", "MKSTREAM"});
    if (!created ||
        (demo::is_error(created.get()) && !demo::text(created.get()).starts_with("BUSYGROUP"))) {
      return failed("XGROUP CREATE", created.get());
    }
    fmt::print("consumer {} (build {}) ready\n", s_.name, mail::build_name);
    std::fflush(stdout);

    const std::string block = std::to_string(s_.block_ms);
    const std::string count = std::to_string(s_.batch);
    const std::string min_idle = std::to_string(s_.retry_delay_ms);
    std::string cursor = "0-0";
    auto next_claim = std::chrono::steady_clock::now();
    while (stop_requested == 0) {
      // Entries idle for the retry delay: retries, and whatever a killed consumer held.
      if (std::chrono::steady_clock::now() >= next_claim) {
        demo::reply claimed = redis_.command(
            {"XAUTOCLAIM", s_.stream, s_.group, s_.name, min_idle, cursor, "COUNT", count});
        if (demo::is_error(claimed.get()) || claimed->type != REDIS_REPLY_ARRAY ||
            claimed->elements < 2) {
          return failed("XAUTOCLAIM", claimed.get());
        }
        cursor = demo::text(claimed->element[0]);
        if (!process(claimed->element[1], true)) return false;
        if (cursor == "0-0") {  // a full pass over the pending list: rest a little
          next_claim = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(std::max(1L, s_.retry_delay_ms / 4));
        }
      }
      demo::reply read = redis_.command({"XREADGROUP", "GROUP", s_.group, s_.name, "COUNT", count,
                                         "BLOCK", block, "STREAMS", s_.stream, ">"});
      if (demo::is_error(read.get())) return failed("XREADGROUP", read.get());
      if (read->type == REDIS_REPLY_NIL) continue;  // nothing new within the block time
      if (read->type != REDIS_REPLY_ARRAY || read->elements < 1 || read->element[0]->elements < 2) {
        return failed("XREADGROUP", read.get());
      }
      if (!process(read->element[0]->element[1], false)) return false;
    }
    fmt::print("consumer {} (build {}) stopping\n{}\n", s_.name, mail::build_name, router_.stats());
    return true;
  }

 private:
  skew::outcome send(const mail::LatestSendEmail& m, const skew::envelope_view& env) {
    // A downstream outage the demo can provoke: this domain's mail server never answers.
    if (m.to.ends_with("@unreachable.example")) return handler_failed();
    // Decoding mistakes would show here; they must not be "sent".
    if (!plausible(m, env)) return skew::outcome::dead_letter();
    const std::string record = fmt::format("{} {} v{}", s_.name, mail::build_name, env.version);
    demo::reply r =
        redis_.command({"EVAL", send_once_script, "2", handled_key_, sent_key_, env.id, record});
    if (demo::is_error(r.get()) || r->type != REDIS_REPLY_INTEGER) return handler_failed();
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

  bool process(const redisReply* entries, bool reclaimed) {
    acks_.clear();
    for (std::size_t i = 0; i < entries->elements; ++i) {
      const redisReply* entry = entries->element[i];
      if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2) continue;
      const std::string_view id = demo::text(entry->element[0]);
      const redisReply* fields = entry->element[1];
      std::string_view message;
      bool found = false;
      for (std::size_t f = 0; fields->type == REDIS_REPLY_ARRAY && f + 1 < fields->elements;
           f += 2) {
        if (demo::text(fields->element[f]) == "message") {
          message = demo::text(fields->element[f + 1]);
          found = true;
        }
      }
      if (reclaimed) ++counts_["reclaimed"];
      if (!found) {
        if (!dead_letter(id, message, "no message field", "")) return false;
        continue;
      }

      const skew::outcome o = router_.dispatch(message);
      ++counts_[fmt::format("{}.{}", skew::to_string(o.reason), skew::to_string(o.action))];
      switch (o.action) {
        case skew::action::ack:
        case skew::action::drop:
          acks_.push_back(id);
          break;
        case skew::action::retry:
          if (reclaimed && !retry_again(id, message, o)) return false;
          break;
        case skew::action::dead_letter: {
          const std::string reason = o.reason == skew::reason::handled
                                         ? std::string("rejected by handler")
                                         : std::string(skew::to_string(o.reason));
          if (!dead_letter(id, message, reason, error_text(o))) return false;
          break;
        }
      }
    }
    return flush();
  }

  // A reclaimed entry to retry once more, unless it has been delivered too often.
  bool retry_again(std::string_view id, std::string_view message, const skew::outcome& o) {
    const bool skew_retry =
        o.reason == skew::reason::unknown_type || o.reason == skew::reason::unsupported_version;
    const long limit = skew_retry ? s_.max_skew_deliveries : s_.max_deliveries;
    if (limit <= 0) return true;
    demo::reply pending = redis_.command({"XPENDING", s_.stream, s_.group, id, id, "1"});
    if (demo::is_error(pending.get()) || pending->type != REDIS_REPLY_ARRAY) {
      return failed("XPENDING", pending.get());
    }
    if (pending->elements == 0) return true;        // acknowledged meanwhile
    const redisReply* entry = pending->element[0];  // [id, consumer, idle ms, deliveries]
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 4 ||
        entry->element[3]->type != REDIS_REPLY_INTEGER) {
      return failed("XPENDING", entry);
    }
    const long long deliveries = entry->element[3]->integer;
    if (deliveries < limit) return true;
    ++counts_["deliveries_exhausted"];
    return dead_letter(id, message,
                       fmt::format("{} after {} deliveries", skew::to_string(o.reason), deliveries),
                       error_text(o));
  }

  // The dead-letter entry's "error": the decoder's error, or what a throwing handler said.
  static std::string error_text(const skew::outcome& o) {
    if (o.error) return fmt::format("{}", *o.error);
    return std::string(o.handler_error);
  }

  bool dead_letter(std::string_view id, std::string_view message, std::string_view reason,
                   std::string_view error) {
    redis_.append({"MULTI"});
    redis_.append({"XADD", dlq_key_, "*", "reason", reason, "error", error, "payload", message,
                   "source-id", id, "consumer", s_.name});
    redis_.append({"XACK", s_.stream, s_.group, id});
    redis_.append({"EXEC"});
    demo::reply last;
    for (int i = 0; i < 4; ++i) {
      last = redis_.next_reply();
      if (demo::is_error(last.get())) return failed("dead letter", last.get());
    }
    if (last->type != REDIS_REPLY_ARRAY) return failed("dead letter EXEC", last.get());
    ++counts_["dead_lettered"];
    return true;
  }

  // One XACK for the batch's acknowledged entries, and the counters for operators and the test.
  bool flush() {
    std::vector<std::string_view> command;
    if (s_.ack_delay_ms > 0 && !acks_.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(s_.ack_delay_ms));
    }
    if (!acks_.empty()) {
      command = {"XACK", s_.stream, s_.group};
      command.insert(command.end(), acks_.begin(), acks_.end());
      redis_.append(command);
    }
    std::vector<std::string> values;
    values.reserve(counts_.size());
    for (const auto& [field, n] : counts_) {
      values.push_back(std::to_string(n));
      redis_.append({"HINCRBY", counts_key_, field, values.back()});
    }
    const std::size_t replies = (acks_.empty() ? 0 : 1) + counts_.size();
    counts_.clear();
    for (std::size_t i = 0; i < replies; ++i) {
      demo::reply r = redis_.next_reply();
      if (demo::is_error(r.get())) return failed("XACK/HINCRBY", r.get());
    }
    return true;
  }

  bool failed(std::string_view what, const redisReply* r) {
    fmt::print(stderr, "consumer {}: {} failed: {}\n", s_.name, what,
               r != nullptr ? demo::text(r) : redis_.error());
    return false;
  }

  demo::connection& redis_;
  settings s_;
  std::string handled_key_, sent_key_, dlq_key_, counts_key_;
  skew::router<mail::SendEmail> router_;
  std::vector<std::string_view> acks_;  // views into the batch's reply
  std::map<std::string, long> counts_;
};

}  // namespace

int main(int argc, char** argv) {
  const demo::arguments args(argc, argv);
  settings s{
      .stream = args.get("--stream", "send-email"),
      .group = args.get("--group", "mailers"),
      .name = args.get("--name", ""),
      .record_prefix = args.get("--record-prefix", args.get("--stream", "send-email")),
      .retry_delay_ms = args.number("--retry-delay-ms", 500),
      .max_deliveries = args.number("--max-deliveries", 5),
      .max_skew_deliveries = args.number("--max-skew-deliveries", 0),
      .batch = args.number("--batch", 100),
      .block_ms = args.number("--block-ms", 100),
      .ack_delay_ms = args.number("--ack-delay-ms", 0),
  };
  const skew::redis::endpoint where{args.get("--host", "127.0.0.1"),
                                    static_cast<int>(args.number("--port", 6379))};
  if (args.get("--print-manifest", "") == "1") {  // for can-deploy checks in a pipeline
    demo::connection none("", 0);
    consumer c(none, s);
    fmt::print("{}\n", skew::encode(c.manifest()).value());
    return 0;
  }
  if (s.name.empty()) {
    fmt::print(stderr, "usage: {} --name <consumer> [--port 6379] [--stream send-email] ...\n",
               argv[0]);
    return 2;
  }
  // SIGTERM and SIGINT finish the batch in hand, acknowledge it and leave.
  std::signal(SIGTERM, request_stop);
  std::signal(SIGINT, request_stop);
  const bool reconnect = args.number("--reconnect", 0) != 0;
  const auto ttl = std::chrono::milliseconds(args.number("--heartbeat-ttl-ms", 3000));
  std::optional<skew::redis::heartbeat> beat;
  while (true) {
    demo::connection redis(where.host, where.port);
    if (!redis.ok()) {
      fmt::print(stderr, "consumer {}: cannot connect to Redis: {}\n", s.name, redis.error());
      if (!reconnect || stop_requested != 0) return 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    consumer c(redis, s);
    if (!beat) {
      // A build that cannot read the finalized floor must not start: producers emit nothing
      // older, so it would dead-letter or retry everything it reads.
      skew::redis::manifest_store store(where, s.stream);
      if (auto refusal = store.start_refusal(c.manifest())) {
        fmt::print(stderr, "consumer {} (build {}) refuses to start: {}\n", s.name,
                   mail::build_name, *refusal);
        return 4;
      }
      beat.emplace(where, s.stream, s.name, c.manifest(), ttl);
    }
    if (c.run()) return 0;
    if (!reconnect || stop_requested != 0) return 3;
    fmt::print(stderr, "consumer {}: reconnecting\n", s.name);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// The producer of the Redis Streams demo: XADDs send-email envelopes to a stream, at the version
// its emitter holds. The version is a run-time flag: --version at start, then the Redis key
// <stream>:emit-version, read before every batch (a stand-in for a feature-flag service). Flipping
// it to 2 while build N consumers still run is the "early flip" the demo shows.
//
// With --follow-fleet 1 there is no flag: a skew::redis::emission_negotiator reads the consumers'
// manifests every --poll-ms and sets the version to the highest one every consumer group reads
// (--groups lists groups that must read even when none of their instances is live). Every change
// is printed as "emission <unix ms> v<from> -> v<to>: <why>". With --reconnect 1 a batch that
// Redis did not take (a restart) is sent again once it is back; consumers are idempotent by id.
//
// Valid messages have ids m-0 … m-<count-1>; every --malformed-every valid messages one broken
// message follows, and the hash <stream>:malformed records its stream entry id and kind, so a
// test can check that each one reached the dead-letter stream for the right reason.
#include <skew/adapters/redis/connection.hpp>
#include <skew/adapters/redis/manifests.hpp>

#include "arguments.hpp"
#include "send_email.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

struct malformed_message {
  std::string_view kind;
  std::string json;
};

// The broken messages a real queue sees: cut-off JSON, a wrong field type, an envelope without a
// type, and something that is not an envelope at all.
malformed_message make_malformed(long n, std::uint32_t version) {
  switch (n % 4) {
    case 0:
      return {"truncated",
              fmt::format(R"({{"type":"send-email","schemaVersion":{},"id":"bad-{}","to":)",
                          version, n)};
    case 1:
      return {"wrong-type",
              fmt::format(R"({{"type":"send-email","schemaVersion":{},"id":"bad-{}","to":42,)"
                          R"("templateId":"welcome","locale":"en"}})",
                          version, n)};
    case 2:
      return {"no-type", fmt::format(R"({{"schemaVersion":{},"id":"bad-{}","to":"x@example.com"}})",
                                     version, n)};
    default:
      return {"not-an-envelope", fmt::format(R"(["send-email",{},"bad-{}"])", version, n)};
  }
}

}  // namespace

namespace {

long long unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < list.size()) {
    const std::size_t comma = std::min(list.find(',', from), list.size());
    if (comma > from) out.push_back(list.substr(from, comma - from));
    from = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const demo::arguments args(argc, argv);
  const std::string stream = args.get("--stream", "send-email");
  const long count = args.number("--count", 1000);
  const long rate = args.number("--rate", 0);  // messages per second; 0: as fast as possible
  const long malformed_every = args.number("--malformed-every", 0);
  const long batch = args.number("--batch", 50);
  const bool follow = args.number("--follow-fleet", 0) != 0;
  const bool reconnect = args.number("--reconnect", 0) != 0;
  const skew::redis::endpoint where{args.get("--host", "127.0.0.1"),
                                    static_cast<int>(args.number("--port", 6379))};

  skew::redis::connection redis(where);
  if (!redis.command({"PING"})) {
    fmt::print(stderr, "producer: cannot connect to Redis: {}\n", redis.error());
    return 1;
  }

  skew::emitter<mail::SendEmail> emitter({.produced_by = "mail-producer@demo"});
  std::uint32_t version = static_cast<std::uint32_t>(args.number("--version", 1));
  if (!emitter.set_version(version)) {
    fmt::print(stderr, "producer: this build cannot emit send-email v{}\n", version);
    return 2;
  }
  std::optional<skew::redis::emission_negotiator<mail::SendEmail>> negotiator;
  if (follow) {
    skew::redis::negotiation_settings settings;
    settings.follow.rise_after = static_cast<unsigned>(args.number("--rise-after", 3));
    settings.declared_groups = split(args.get("--groups", "mailers"));
    settings.poll = std::chrono::milliseconds(args.number("--poll-ms", 1000));
    settings.instance = "producer";
    negotiator.emplace(where, stream, emitter, settings, [](const skew::emission_change& c) {
      fmt::print("emission {} v{} -> v{}: {}\n", unix_ms(), c.from, c.to, c.why);
      std::fflush(stdout);
    });
    fmt::print("producer: following the fleet, emitting {}\n", negotiator->status());
  }
  const std::string flag_key = stream + ":emit-version";
  const std::string malformed_key = stream + ":malformed";

  const auto start = std::chrono::steady_clock::now();
  long emitted[3] = {0, 0, 0};  // by version
  long malformed = 0;
  std::string id;
  std::vector<std::string> bodies;      // the batch's messages: the pipeline's commands view them
  std::vector<std::string_view> kinds;  // of the malformed messages in this batch, in order
  std::vector<bool> is_malformed;
  std::vector<std::uint32_t> versions;  // of the valid messages in this batch

  for (long first = 0; first < count; first += batch) {
    // Without the fleet, the flag may change between batches; the emitter refuses versions it
    // cannot write.
    if (skew::redis::reply flag = follow ? nullptr : redis.command({"GET", flag_key});
        flag && flag->type == REDIS_REPLY_STRING) {
      const auto wanted = static_cast<std::uint32_t>(std::strtoul(flag->str, nullptr, 10));
      if (wanted != version) {
        if (emitter.set_version(wanted)) {
          fmt::print("producer: emitting send-email v{} from m-{} on\n", wanted, first);
          version = wanted;
        } else {
          fmt::print(stderr, "producer: ignoring emit-version {}: not emittable\n", wanted);
        }
      }
    }

    kinds.clear();
    is_malformed.clear();
    versions.clear();
    bodies.clear();
    const long last = std::min(count, first + batch);
    for (long seq = first; seq < last; ++seq) {
      id = fmt::format("m-{}", seq);
      const mail::SendEmailV2 payload{fmt::format("user{}@example.com", seq), "welcome",
                                      seq % 3 == 0 ? "de" : "en"};
      const std::uint32_t v = emitter.version();  // the negotiator may change it at any time
      auto json = emitter.encode(payload, {.id = id});
      if (!json) {
        fmt::print(stderr, "producer: cannot encode {}: {}\n", id, json.error());
        return 1;
      }
      bodies.push_back(std::move(*json));
      is_malformed.push_back(false);
      versions.push_back(v);
      if (malformed_every > 0 && (seq + 1) % malformed_every == 0) {
        const malformed_message bad = make_malformed(malformed++, v);
        bodies.push_back(bad.json);
        is_malformed.push_back(true);
        kinds.push_back(bad.kind);
      }
    }
    std::vector<std::vector<std::string_view>> commands;
    for (const std::string& body : bodies)
      commands.push_back({"XADD", stream, "*", "message", body});
    const std::vector<skew::redis::reply> added = redis.pipeline(commands);
    // Every reply of the pipeline first; only then the bookkeeping commands.
    std::vector<std::string> malformed_ids;
    bool lost = added.size() != commands.size();
    if (lost) fmt::print(stderr, "producer: XADD failed: {}\n", redis.error());
    for (std::size_t i = 0; !lost && i < added.size(); ++i) {
      if (skew::redis::is_error_reply(added[i].get())) {
        fmt::print(stderr, "producer: XADD failed: {}\n", skew::redis::reply_text(added[i].get()));
        lost = true;
      } else if (is_malformed[i]) {
        malformed_ids.emplace_back(skew::redis::reply_text(added[i].get()));
      }
    }
    if (lost) {
      if (!reconnect) return 1;
      // Send the batch again once Redis is back (ids make the redelivery harmless).
      do {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      } while (!redis.command({"PING"}));
      fmt::print("producer: reconnected, sending m-{}..m-{} again\n", first, last - 1);
      first -= batch;
      continue;
    }
    for (const std::uint32_t v : versions) ++emitted[v];
    for (std::size_t i = 0; i < malformed_ids.size(); ++i) {
      if (!redis.command({"HSET", malformed_key, malformed_ids[i], kinds[i]})) {
        fmt::print(stderr, "producer: HSET failed: {}\n", redis.error());
        return 1;
      }
    }

    if (rate > 0) {  // pace the stream so that a deploy can happen while it flows
      std::this_thread::sleep_until(start + std::chrono::microseconds(last * 1'000'000 / rate));
    }
  }
  fmt::print("producer: {} valid messages (v1: {}, v2: {}) and {} malformed to '{}'\n", count,
             emitted[1], emitted[2], malformed, stream);
  if (negotiator) fmt::print("producer: emitting {}\n", negotiator->status());
  return 0;
}

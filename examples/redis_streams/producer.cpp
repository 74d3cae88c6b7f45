// The producer of the Redis Streams demo: XADDs send-email envelopes to a stream, at the version
// its emitter holds. The version is a run-time flag: --version at start, then the Redis key
// <stream>:emit-version, read before every batch (a stand-in for a feature-flag service). Flipping
// it to 2 while build N consumers still run is the "early flip" the demo shows.
//
// Valid messages have ids m-0 … m-<count-1>; every --malformed-every valid messages one broken
// message follows, and the hash <stream>:malformed records its stream entry id and kind, so a
// test can check that each one reached the dead-letter stream for the right reason.
#include "redis.hpp"
#include "send_email.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cstdint>
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

int main(int argc, char** argv) {
  const demo::arguments args(argc, argv);
  const std::string stream = args.get("--stream", "send-email");
  const long count = args.number("--count", 1000);
  const long rate = args.number("--rate", 0);  // messages per second; 0: as fast as possible
  const long malformed_every = args.number("--malformed-every", 0);
  const long batch = args.number("--batch", 50);

  demo::connection redis(args.get("--host", "127.0.0.1"),
                         static_cast<int>(args.number("--port", 6379)));
  if (!redis.ok()) {
    fmt::print(stderr, "producer: cannot connect to Redis: {}\n", redis.error());
    return 1;
  }

  skew::emitter<mail::SendEmail> emitter({.produced_by = "mail-producer@demo"});
  std::uint32_t version = static_cast<std::uint32_t>(args.number("--version", 1));
  if (!emitter.set_version(version)) {
    fmt::print(stderr, "producer: this build cannot emit send-email v{}\n", version);
    return 2;
  }
  const std::string flag_key = stream + ":emit-version";
  const std::string malformed_key = stream + ":malformed";

  const auto start = std::chrono::steady_clock::now();
  long emitted[3] = {0, 0, 0};  // by version
  long malformed = 0;
  std::string id, to, json;
  std::vector<std::string_view> kinds;  // of the malformed messages in this batch, in order
  std::vector<bool> is_malformed;

  for (long first = 0; first < count; first += batch) {
    // The flag may change between batches; the emitter refuses versions it cannot write.
    if (demo::reply flag = redis.command({"GET", flag_key});
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
    const long last = std::min(count, first + batch);
    for (long seq = first; seq < last; ++seq) {
      id = fmt::format("m-{}", seq);
      const mail::SendEmailV2 payload{fmt::format("user{}@example.com", seq), "welcome",
                                      seq % 3 == 0 ? "de" : "en"};
      json.clear();
      if (auto written = emitter.encode_to(json, payload, {.id = id}); !written) {
        fmt::print(stderr, "producer: cannot encode {}: {}\n", id, written.error());
        return 1;
      }
      redis.append({"XADD", stream, "*", "message", json});
      is_malformed.push_back(false);
      ++emitted[version];
      if (malformed_every > 0 && (seq + 1) % malformed_every == 0) {
        const malformed_message bad = make_malformed(malformed++, version);
        redis.append({"XADD", stream, "*", "message", bad.json});
        is_malformed.push_back(true);
        kinds.push_back(bad.kind);
      }
    }
    // Every reply of the pipeline first; only then the bookkeeping commands.
    std::vector<std::string> malformed_ids;
    for (const bool bad : is_malformed) {
      const demo::reply added = redis.next_reply();
      if (demo::is_error(added.get())) {
        fmt::print(stderr, "producer: XADD failed: {}\n",
                   added ? demo::text(added.get()) : redis.error());
        return 1;
      }
      if (bad) malformed_ids.emplace_back(demo::text(added.get()));
    }
    for (std::size_t i = 0; i < malformed_ids.size(); ++i) {
      if (demo::is_error(
              redis.command({"HSET", malformed_key, malformed_ids[i], kinds[i]}).get())) {
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
  return 0;
}

// Layer adapters/: brokers and stores: the outcome-to-broker vocabulary here, and one subfolder per
// client library (kafka/ needs librdkafka, redis/ needs hiredis) that nothing outside adapters/
// includes.
//
// What skew's outcomes mean to a broker, shared by the broker adapters (adapters/redis/streams.hpp,
// kafka.hpp) so that every adapter acts alike:
//
//   ack, drop    acknowledge: the message is done
//   retry        deliver it again later, until redelivery_limits say it has come back too often;
//                retries caused by version skew (unknown_type, unsupported_version) have their
//                own limit, none by default: a newer build will read them, and dead-lettering
//                work during a deploy is what skew exists to prevent
//   dead_letter  park it with the reason (a name), the error, the deliveries and the group, for
//                people and for skew's redrive (adapters/redrive.hpp)
//
// Each adapter takes a router and its broker's settings, runs until stopped, and reports the
// router's stats with its own counters (consumer_stats).
#pragma once

#include <skew/dispatch/observer.hpp>
#include <skew/dispatch/outcome.hpp>
#include <skew/dispatch/stats.hpp>
#include <skew/envelope/trace_context.hpp>

#include <skew/base/detail/fmt.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace skew {

// How many deliveries a message gets before a retry becomes a dead letter; 0 means no limit.
struct redelivery_limits {
  std::uint32_t max_deliveries = 5;
  std::uint32_t max_skew_deliveries = 0;
};

// Idempotency by envelope id, the user's hook: called before a message that has an id is
// dispatched; true means its effect is already done, and it is acknowledged without dispatch
// (counted as a duplicate). Handlers whose effect and record are one atomic step do not need it.
using already_handled = std::function<bool(std::string_view id)>;

enum class broker_step : unsigned char { acknowledge, retry, dead_letter };

// A handler that returned outcome::dead_letter() rejected the message: the dead letter's reason.
inline constexpr std::string_view rejected_by_handler = "rejected_by_handler";
// A broker message without the field or value that holds the envelope: the dead letter's reason.
inline constexpr std::string_view no_envelope_field = "no_envelope_field";

struct broker_decision {
  broker_step step = broker_step::acknowledge;
  // For a dead letter, why, as a name a program can match: the outcome's reason
  // (to_string(reason)), or rejected_by_handler.
  std::string reason;
  std::uint32_t deliveries = 1;  // the deliveries the message had, this one included
  bool exhausted = false;        // a retry that the delivery limit turned into a dead letter
};

// Optional hooks an adapter calls on its consuming thread: after each dispatch, with what the
// broker does about it (for metrics and logs), and after each batch is settled on the broker.
struct consumer_hooks {
  std::function<void(const outcome&, const broker_decision&)> dispatched;
  std::function<void()> batch_settled;
};

// Retries that only a newer build can end.
constexpr bool is_skew_retry(::skew::reason r) noexcept {
  return r == reason::unknown_type || r == reason::unsupported_version;
}

// What the broker does with delivery number `delivery` (1 for the first) of a message whose
// dispatch gave `o`.
inline broker_decision decide(const outcome& o, std::uint32_t delivery,
                              const redelivery_limits& limits) {
  switch (o.action) {
    case action::ack:
    case action::drop:
      return {broker_step::acknowledge, {}, delivery, false};
    case action::dead_letter:
      return {broker_step::dead_letter,
              std::string(o.reason == reason::handled ? rejected_by_handler : to_string(o.reason)),
              delivery, false};
    case action::retry:
      break;
  }
  const std::uint32_t limit =
      is_skew_retry(o.reason) ? limits.max_skew_deliveries : limits.max_deliveries;
  if (limit != 0 && delivery >= limit) {
    return {broker_step::dead_letter, std::string(to_string(o.reason)), delivery, true};
  }
  return {broker_step::retry, {}, delivery, false};
}

// A dead letter's error text, never empty: the decoder's error, what a throwing handler said, or
// what the router could not find.
inline std::string error_text(const outcome& o) {
  if (o.error) return fmt::format("{}", *o.error);
  if (!o.handler_error.empty()) return std::string(o.handler_error);
  const std::string version = o.version ? fmt::format(" v{}", *o.version) : std::string();
  switch (o.reason) {
    case reason::unknown_type:
      return fmt::format("no family of this build has the type '{}'", o.type);
    case reason::unsupported_version:
      return fmt::format("this build has no handler for '{}'{}", o.type, version);
    case reason::retired_version:
      return fmt::format("'{}'{} is older than this build reads", o.type, version);
    case reason::handled:
      if (o.action == action::retry) {
        return fmt::format("the handler asked to retry '{}'{}", o.type, version);
      }
      return fmt::format("the handler rejected '{}'{}", o.type, version);
    default:
      return std::string(to_string(o.reason));
  }
}

// An adapter's own counts, next to the router's. The router counts what each dispatch said; the
// adapter counts what it did on the broker. A retry outcome that reached the delivery limit is a
// retry to the router and a dead letter here (counted in both dead_lettered and exhausted), so:
//   router retries      = retried + exhausted
//   router dead letters = dead_lettered - exhausted - dead letters no dispatch made (an entry
//                         without the envelope field)
// The W3C Trace Context of the hop a message travels on: Kafka headers and Redis Streams fields
// of these names. Producers write them when the caller gives a context (envelope_fields).
namespace transport_header {
inline constexpr std::string_view traceparent = "traceparent";
inline constexpr std::string_view tracestate = "tracestate";
}  // namespace transport_header

struct broker_counters {
  std::uint64_t acked = 0;          // acknowledged (ack and drop, duplicates included)
  std::uint64_t retried = 0;        // sent back for a later delivery
  std::uint64_t dead_lettered = 0;  // parked in the dead-letter queue or topic
  std::uint64_t redelivered = 0;    // deliveries that were not a message's first
  std::uint64_t duplicates = 0;     // acknowledged because already_handled said so
  std::uint64_t exhausted = 0;      // dead letters whose retries ran out (in dead_lettered too)
  // Redriven records addressed to another group: acknowledged without dispatch (in acked too).
  std::uint64_t not_addressed = 0;
  // Messages whose transport `traceparent` is not a W3C one: dispatched without it.
  std::uint64_t invalid_trace_context = 0;
};

struct consumer_stats {
  router_stats router;
  broker_counters broker;
};

namespace detail {

// Written by the consuming thread, read by any: relaxed atomics, each number exact.
struct broker_counter_block {
  std::atomic<std::uint64_t> acked{0}, retried{0}, dead_lettered{0}, redelivered{0}, duplicates{0},
      exhausted{0}, not_addressed{0}, invalid_trace_context{0};

  static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
    c.fetch_add(n, std::memory_order_relaxed);
  }
  broker_counters snapshot() const noexcept {
    return {acked.load(std::memory_order_relaxed),
            retried.load(std::memory_order_relaxed),
            dead_lettered.load(std::memory_order_relaxed),
            redelivered.load(std::memory_order_relaxed),
            duplicates.load(std::memory_order_relaxed),
            exhausted.load(std::memory_order_relaxed),
            not_addressed.load(std::memory_order_relaxed),
            invalid_trace_context.load(std::memory_order_relaxed)};
  }
};

// The trace context of the hop a message arrived on, from a broker's `traceparent` and
// `tracestate` headers (Kafka) or fields (Redis Streams): nullopt when there is none, and when it
// is not a W3C traceparent, which is counted and otherwise ignored.
inline std::optional<trace_context> transport_hop(std::optional<std::string_view> traceparent,
                                                  std::optional<std::string_view> tracestate,
                                                  broker_counter_block& counters) noexcept {
  if (!traceparent) return std::nullopt;
  auto hop = parse_traceparent(*traceparent, tracestate.value_or(""));
  if (!hop) broker_counter_block::add(counters.invalid_trace_context);
  return hop;
}

// Tells the router's observer, if any, the broker action taken for a dispatched message: handed
// to the broker client (an ack queued for commit, a retry or dead-letter record queued for
// producing), which is when the adapter decides it.
inline void tell_settle(observer* watcher, const messaging_facts& facts, const outcome& o,
                        const broker_decision& d) {
  if (watcher == nullptr) return;
  action taken = action::ack;
  if (d.step == broker_step::retry) {
    taken = action::retry;
  } else if (d.step == broker_step::dead_letter) {
    taken = action::dead_letter;
  } else if (o.action == action::drop) {
    taken = action::drop;
  }
  watcher->on_settle(
      settle_event{facts, taken, o.reason, o.id, true, std::chrono::system_clock::now()});
}

}  // namespace detail
}  // namespace skew

template <>
struct fmt::formatter<skew::broker_counters> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const skew::broker_counters& c, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(),
                          "acked={} retried={} dead_lettered={} redelivered={} duplicates={} "
                          "exhausted={} not_addressed={} invalid_trace_context={}",
                          c.acked, c.retried, c.dead_lettered, c.redelivered, c.duplicates,
                          c.exhausted, c.not_addressed, c.invalid_trace_context);
  }
};

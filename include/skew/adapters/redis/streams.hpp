// skew on Redis Streams (hiredis; CMake target skew::redis): a consumer in a consumer group that
// dispatches every entry's `message` field through a router and maps the outcomes as broker.hpp
// says:
//
//   ack, drop    XACK, one per batch
//   retry        no XACK: the entry stays pending; once it has been idle for the retry delay, a
//                consumer (any build) takes it back with XAUTOCLAIM and dispatches it again.
//                Redis counts its deliveries, and redelivery_limits end the retries
//   dead_letter  XADD to <stream>:dlq (fields below) and XACK, in one MULTI, so that a crash
//                between the two can neither lose nor double it
//
// A dead-letter entry has the fields reason (a name, broker.hpp), error (the last error),
// deliveries, group, consumer, stream, source-id (the entry's id) and payload (its message field),
// and every other field of the entry under "field:<name>", so that a redrive
// (adapters/redis/redrive.hpp) restores the entry as it was.
//
// An entry with a redrive-group field was put back by a redrive for that group alone: the
// consumers of other groups acknowledge it without dispatch (broker_counters::not_addressed).
//
// Delivery is at least once: entries a dead consumer held are reclaimed after the retry delay, so
// handlers are idempotent (or use stream_settings::seen).
#pragma once

#include <skew/adapters/broker.hpp>
#include <skew/adapters/redis/connection.hpp>
#include <skew/envelope/peek.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skew::redis {

// The field names of a dead-letter entry, and the marks a redriven entry carries.
namespace dead_letter_field {
inline constexpr std::string_view reason = "reason";
inline constexpr std::string_view error = "error";
inline constexpr std::string_view deliveries = "deliveries";
inline constexpr std::string_view group = "group";
inline constexpr std::string_view consumer = "consumer";
inline constexpr std::string_view stream = "stream";
inline constexpr std::string_view source_id = "source-id";
inline constexpr std::string_view payload = "payload";
inline constexpr std::string_view original_prefix = "field:";  // + the entry's field name
}  // namespace dead_letter_field
namespace redrive_field {
inline constexpr std::string_view group = "redrive-group";    // the only group that reads it
inline constexpr std::string_view reason = "redrive-reason";  // why it was dead-lettered first
inline constexpr std::string_view of = "redrive-of";          // the dead letter's entry id
}  // namespace redrive_field

struct stream_settings {
  endpoint where{};
  std::string stream{};
  std::string group{};
  std::string consumer{};                      // this consumer's name in the group
  std::string dead_letter_stream{};            // empty: <stream>:dlq
  std::string field = "message";               // the entry field that holds the envelope
  std::chrono::milliseconds retry_delay{500};  // idle time before a pending entry is reclaimed
  redelivery_limits limits{};
  std::size_t batch = 100;
  std::chrono::milliseconds block{100};  // XREADGROUP's wait; below where.timeout
  already_handled seen{};
  consumer_hooks hooks{};
};

template <class Router>
class stream_consumer {
 public:
  stream_consumer(Router& router, stream_settings s)
      : router_(router), s_(std::move(s)), redis_(s_.where) {
    if (s_.dead_letter_stream.empty()) s_.dead_letter_stream = s_.stream + ":dlq";
  }

  // Consumes until `stop` is set, finishing the batch in hand. False when Redis failed (error()
  // says how); calling run again reconnects and goes on, since pending entries stay in the group.
  bool run(const std::atomic<bool>& stop) {
    if (s_.stream.empty() || s_.group.empty() || s_.consumer.empty()) {
      error_ = "skew::redis::stream_consumer needs a stream, a group and a consumer name";
      return false;
    }
    if (!redis_.command({"XGROUP", "CREATE", s_.stream, s_.group, "0", "MKSTREAM"}) &&
        !redis_.error().starts_with("BUSYGROUP")) {
      return failed("XGROUP CREATE");
    }
    const std::string count = std::to_string(s_.batch);
    const std::string block = std::to_string(s_.block.count());
    const std::string min_idle = std::to_string(s_.retry_delay.count());
    auto next_claim = std::chrono::steady_clock::now();
    while (!stop.load(std::memory_order_relaxed)) {
      // Entries idle for the retry delay: retries, and whatever a dead consumer held.
      if (std::chrono::steady_clock::now() >= next_claim) {
        reply claimed = redis_.command(
            {"XAUTOCLAIM", s_.stream, s_.group, s_.consumer, min_idle, cursor_, "COUNT", count});
        if (!claimed || claimed->type != REDIS_REPLY_ARRAY || claimed->elements < 2) {
          return failed("XAUTOCLAIM");
        }
        cursor_ = std::string(reply_text(claimed->element[0]));
        if (!process(claimed->element[1], true)) return false;
        if (cursor_ == "0-0") {  // a full pass over the pending entries: rest a little
          next_claim = std::chrono::steady_clock::now() +
                       std::max(std::chrono::milliseconds(1), s_.retry_delay / 4);
        }
      }
      reply read = redis_.command({"XREADGROUP", "GROUP", s_.group, s_.consumer, "COUNT", count,
                                   "BLOCK", block, "STREAMS", s_.stream, ">"});
      if (!read) return failed("XREADGROUP");
      if (read->type == REDIS_REPLY_NIL) continue;  // nothing new within the block time
      if (read->type != REDIS_REPLY_ARRAY || read->elements < 1 || read->element[0]->elements < 2) {
        return failed("XREADGROUP");
      }
      if (!process(read->element[0]->element[1], false)) return false;
    }
    return true;
  }

  consumer_stats stats() const { return {router_.stats(), counters_.snapshot()}; }
  const std::string& error() const noexcept { return error_; }

 private:
  bool process(const redisReply* entries, bool reclaimed) {
    acks_.clear();
    for (std::size_t i = 0; i < entries->elements; ++i) {
      const redisReply* entry = entries->element[i];
      if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2) continue;  // deleted entry
      const std::string_view id = reply_text(entry->element[0]);
      const redisReply* fields = entry->element[1];
      std::string_view message;
      bool found = false;
      std::string_view addressed_to;
      std::optional<std::string_view> traceparent, tracestate;
      for (std::size_t f = 0; fields->type == REDIS_REPLY_ARRAY && f + 1 < fields->elements;
           f += 2) {
        const std::string_view name = reply_text(fields->element[f]);
        if (name == s_.field) {
          message = reply_text(fields->element[f + 1]);
          found = true;
        } else if (name == redrive_field::group) {
          addressed_to = reply_text(fields->element[f + 1]);
        } else if (name == transport_header::traceparent) {
          traceparent = reply_text(fields->element[f + 1]);
        } else if (name == transport_header::tracestate) {
          tracestate = reply_text(fields->element[f + 1]);
        }
      }
      if (reclaimed) detail::broker_counter_block::add(counters_.redelivered);
      if (!addressed_to.empty() && addressed_to != s_.group) {
        detail::broker_counter_block::add(counters_.not_addressed);
        acknowledge(id);
        continue;
      }
      if (!found) {
        const broker_decision none{broker_step::dead_letter, std::string(no_envelope_field), 1,
                                   false};
        if (!dead_letter(id, fields, message, none, "the entry has no " + s_.field + " field")) {
          return false;
        }
        continue;
      }
      if (s_.seen) {
        const auto header = peek_header(message, router_.format());
        if (header && !header->id.empty() && s_.seen(header->id)) {
          detail::broker_counter_block::add(counters_.duplicates);
          acknowledge(id);
          continue;
        }
      }
      const messaging_facts facts{.system = "redis",
                                  .destination = s_.stream,
                                  .consumer_group = s_.group,
                                  .delivery_id = id};
      const messaging_scope scope(facts);
      const outcome o =
          router_.dispatch(message, detail::transport_hop(traceparent, tracestate, counters_));
      std::uint32_t delivery = 1;
      if (reclaimed && o.action == action::retry && !deliveries(id, delivery)) return false;
      const broker_decision d = decide(o, delivery, s_.limits);
      if (s_.hooks.dispatched) s_.hooks.dispatched(o, d);
      detail::tell_settle(router_.observer_hook(), facts, o, d);
      switch (d.step) {
        case broker_step::acknowledge:
          acknowledge(id);
          break;
        case broker_step::retry:  // stays pending until XAUTOCLAIM takes it again
          detail::broker_counter_block::add(counters_.retried);
          break;
        case broker_step::dead_letter:
          if (!dead_letter(id, fields, message, d, error_text(o))) return false;
          break;
      }
    }
    if (!acks_.empty()) {
      std::vector<std::string_view> command = {"XACK", s_.stream, s_.group};
      command.insert(command.end(), acks_.begin(), acks_.end());
      if (!redis_.command(command)) return failed("XACK");
    }
    if (s_.hooks.batch_settled) s_.hooks.batch_settled();
    return true;
  }

  void acknowledge(std::string_view id) {
    detail::broker_counter_block::add(counters_.acked);
    acks_.push_back(id);
  }

  // How often Redis has delivered the entry (XPENDING); a retry is decided on it.
  bool deliveries(std::string_view id, std::uint32_t& out) {
    reply pending = redis_.command({"XPENDING", s_.stream, s_.group, id, id, "1"});
    if (!pending || pending->type != REDIS_REPLY_ARRAY) return failed("XPENDING");
    if (pending->elements == 0) return true;        // acknowledged meanwhile
    const redisReply* entry = pending->element[0];  // [id, consumer, idle ms, deliveries]
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 4 ||
        entry->element[3]->type != REDIS_REPLY_INTEGER) {
      return failed("XPENDING");
    }
    out = static_cast<std::uint32_t>(std::max<long long>(1, entry->element[3]->integer));
    return true;
  }

  bool dead_letter(std::string_view id, const redisReply* fields, std::string_view message,
                   const broker_decision& d, std::string_view error) {
    namespace field = dead_letter_field;
    const std::string deliveries = std::to_string(d.deliveries);
    std::vector<std::string> names;  // field:<name>, owned while the command views them
    std::vector<std::string_view> add = {
        "XADD",      s_.dead_letter_stream, "*",        field::reason,    d.reason, field::error,
        error,       field::deliveries,     deliveries, field::group,     s_.group, field::consumer,
        s_.consumer, field::stream,         s_.stream,  field::source_id, id,       field::payload,
        message};
    if (fields->type == REDIS_REPLY_ARRAY) {
      names.reserve(fields->elements / 2);
      for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
        const std::string_view name = reply_text(fields->element[f]);
        if (name == s_.field) continue;
        names.push_back(std::string(field::original_prefix) + std::string(name));
        add.push_back(names.back());
        add.push_back(reply_text(fields->element[f + 1]));
      }
    }
    const std::vector<reply> replies =
        redis_.pipeline({{"MULTI"}, add, {"XACK", s_.stream, s_.group, id}, {"EXEC"}});
    if (replies.size() != 4 || replies[3]->type != REDIS_REPLY_ARRAY) {
      return failed("dead letter (MULTI/XADD/XACK/EXEC)");
    }
    detail::broker_counter_block::add(counters_.dead_lettered);
    if (d.exhausted) detail::broker_counter_block::add(counters_.exhausted);
    return true;
  }

  bool failed(std::string_view what) {
    error_ = std::string(what) + " failed: " + redis_.error();
    return false;
  }

  Router& router_;
  stream_settings s_;
  connection redis_;
  std::string cursor_ = "0-0";
  std::vector<std::string_view> acks_;  // views into the batch's reply
  std::string error_;
  detail::broker_counter_block counters_;
};

}  // namespace skew::redis

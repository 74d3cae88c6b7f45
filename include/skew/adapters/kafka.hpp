// skew on Kafka (librdkafka's C API; CMake target skew::kafka): a consumer that dispatches every
// record of a topic through a router and maps the outcomes as broker.hpp says, and (included
// from kafka/producer.hpp) a producer that writes messages in CloudEvents content modes.
//
//   ack, drop    store the offset; offsets are committed after each batch
//   retry        produce to <topic>.retry with skew-retry-due, skew-attempt, skew-reason and
//                skew-group headers, then commit; the group's consumers read the retry topic and
//                dispatch a record once it is due (pausing only that retry partition until
//                then); other groups that share the retry topic acknowledge it unread
//   dead_letter  produce to <topic>.dlt with skew-reason (a name), skew-error (the last error),
//                skew-deliveries, skew-group, the original topic, partition, offset and timestamp,
//                and the same facts under Spring Kafka's header names (kafka/dead_letter.hpp),
//                then commit
//
// A record with a skew-redrive-group header was put back by a redrive for that group alone: the
// consumers of other groups acknowledge it without dispatch (broker_counters::not_addressed).
//
// An offset is committed only once the retry or dead-letter record is acknowledged by the broker
// (acks=all, idempotent producer). Delivery is at least once: a consumer that dies before its
// commit leaves its batch to the next owner of the partition, so handlers are idempotent (or use
// consumer_settings::seen) and dead-letter readers may see a record twice (same original
// partition and offset).
//
// Ordering. With retry_mode::retry_topic a retried record leaves its partition: later records of
// the same key are handled before it. retry_mode::blocking keeps order: the partition is paused,
// sought back to the record and resumed after the delay, so nothing behind it moves meanwhile;
// its delivery count lives in the consumer and starts again after a rebalance. In that mode the
// retry topic is not read.
#pragma once

#include <skew/adapters/broker.hpp>
#include <skew/adapters/kafka/dead_letter.hpp>
#include <skew/adapters/kafka/detail/partitions.hpp>
#include <skew/adapters/kafka/inspect.hpp>
#include <skew/adapters/kafka/lag.hpp>
#include <skew/adapters/kafka/producer.hpp>
#include <skew/envelope/binary_mode.hpp>
#include <skew/envelope/peek.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skew::kafka {

enum class retry_mode : unsigned char { retry_topic, blocking };

struct consumer_settings {
  std::string brokers{};  // bootstrap.servers
  std::string group{};    // group.id
  std::string topic{};
  std::string retry_topic{};        // empty: <topic>.retry
  std::string dead_letter_topic{};  // empty: <topic>.dlt
  retry_mode retries = retry_mode::retry_topic;
  std::chrono::milliseconds retry_delay{500};  // for a retry whose outcome names no delay
  redelivery_limits limits{};
  std::size_t batch = 500;  // records dispatched between two commits
  std::chrono::milliseconds poll_timeout{100};
  // After stop: how long a batch may still wait for its retry and dead-letter records to be
  // acknowledged before the consumer leaves them uncommitted (to be delivered again).
  std::chrono::milliseconds stop_grace{10000};
  binary_binding binding = binary_binding::kafka();
  already_handled seen{};  // optional idempotency hook (broker.hpp)
  consumer_hooks hooks{};
  // Group membership for rolling deploys (see group_defaults below and the Kafka guide).
  // Static membership: a stable name per instance (a pod's name); a consumer restarted under the
  // same name within the session timeout gets its partitions back without a rebalance. Empty:
  // dynamic membership.
  std::string instance_id{};
  rebalance_protocol rebalancing = rebalance_protocol::eager;
  // Partitions assigned, revoked or lost, on the consuming thread; also written to `log`.
  std::function<void(const group_event&)> group_changed{};
  // The consumer's own log lines (group events, client errors). Empty: standard error.
  std::function<void(std::string_view)> log{};
  // More librdkafka properties, for the consuming and the producing client. They are applied
  // after skew's own, so they override them.
  properties consumer_config{};
  properties producer_config{};
};

template <class Router>
class consumer {
 public:
  consumer(Router& router, consumer_settings s) : router_(router), s_(std::move(s)) {
    if (s_.topic.empty() || s_.group.empty() || s_.brokers.empty()) {
      error_ = "skew::kafka::consumer needs brokers, a group and a topic";
      return;
    }
    if (s_.retry_topic.empty()) s_.retry_topic = s_.topic + ".retry";
    if (s_.dead_letter_topic.empty()) s_.dead_letter_topic = s_.topic + ".dlt";
    partitions_.emplace(
        s_.brokers, s_.group, s_.topic, s_.retry_topic,
        detail::kafka_group{s_.instance_id, s_.rebalancing, s_.group_changed, s_.log},
        s_.consumer_config, s_.producer_config);
  }

  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;

  // False when the clients could not be made; error() says why.
  bool ok() const noexcept { return partitions_ && partitions_->ok(); }
  const std::string& error() const noexcept { return partitions_ ? partitions_->error() : error_; }

  // Consumes until `stop` is set, then finishes its batch, commits and leaves the group. False
  // when the consumer could not start or the client failed for good.
  bool run(const std::atomic<bool>& stop) {
    if (!ok() || !partitions_->subscribe(s_.retries == retry_mode::retry_topic)) return false;
    std::vector<message_header> headers;
    while (!stop.load(std::memory_order_relaxed)) {
      partitions_->resume_due();
      if (!partitions_->next_batch(s_.batch, s_.poll_timeout)) return false;
      const auto& batch = partitions_->batch();
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (!partitions_->skipped(i)) handle(batch[i], headers);
      }
      partitions_->finish_batch(stop, s_.stop_grace);
      if (s_.hooks.batch_settled) s_.hooks.batch_settled();
    }
    partitions_->close();
    return true;
  }

  consumer_stats stats() const { return {router_.stats(), counters_.snapshot()}; }
  // The group's lag on every partition of the topic and of its retry topic, asked of the cluster
  // (kafka/inspect.hpp; kafka/lag.hpp writes it for Prometheus). Any thread; nothing when the
  // cluster cannot say.
  std::optional<std::vector<partition_lag>> lag() const {
    inspector cluster(s_.brokers, s_.consumer_config);
    auto lags = cluster.lag(s_.group, s_.topic);
    if (!lags || s_.retries != retry_mode::retry_topic) return lags;
    auto retries = cluster.lag(s_.group, s_.retry_topic);
    if (!retries) return std::nullopt;
    lags->insert(lags->end(), retries->begin(), retries->end());
    return lags;
  }

 private:
  void handle(const rd_kafka_message_t* m, std::vector<message_header>& headers) {
    detail::read_headers(m, headers);
    const std::string_view value(static_cast<const char*>(m->payload), m->len);
    const bool from_retry_topic = partitions_->is_retry_topic(m);
    std::uint32_t delivery = 1;
    if (from_retry_topic) {
      const auto due = detail::header_number(headers, header::retry_due).value_or(0);
      if (due > detail::unix_ms_now()) {
        partitions_->hold(m, std::chrono::milliseconds(due - detail::unix_ms_now()));
        return;
      }
      delivery =
          static_cast<std::uint32_t>(detail::header_number(headers, header::attempt).value_or(2));
    } else if (s_.retries == retry_mode::blocking) {
      delivery = partitions_->blocking_delivery(m);
    }
    if (delivery > 1) detail::broker_counter_block::add(counters_.redelivered);
    // Another group's retry (groups reading one topic share its retry topic), or a record a
    // redrive put back for another group: theirs to handle.
    const auto retry_of = from_retry_topic ? detail::find_header(headers, header::group)
                                           : std::optional<std::string_view>();
    if (const auto to = detail::find_header(headers, header::redrive_group);
        (to && *to != s_.group) || (retry_of && *retry_of != s_.group)) {
      detail::broker_counter_block::add(counters_.not_addressed);
      acknowledge(m);
      return;
    }

    const bool binary = is_binary_mode(headers, s_.binding);
    if (s_.seen && is_seen(headers, value, binary)) {
      detail::broker_counter_block::add(counters_.duplicates);
      acknowledge(m);
      return;
    }
    std::optional<std::string_view> key;
    if (m->key != nullptr) key.emplace(static_cast<const char*>(m->key), m->key_len);
    const auto hop = detail::transport_hop(
        detail::find_header(headers, transport_header::traceparent),
        detail::find_header(headers, transport_header::tracestate), counters_);
    const messaging_facts facts{.system = "kafka",
                                .destination = rd_kafka_topic_name(m->rkt),
                                .consumer_group = s_.group,
                                .partition = m->partition,
                                .offset = m->offset};
    const messaging_scope scope(facts);
    const outcome o = binary ? router_.dispatch(headers, value, s_.binding, key, hop)
                             : router_.dispatch(value, hop);
    const broker_decision d = decide(o, delivery, s_.limits);
    if (s_.hooks.dispatched) s_.hooks.dispatched(o, d);
    detail::tell_settle(router_.observer_hook(), facts, o, d);
    switch (d.step) {
      case broker_step::acknowledge:
        acknowledge(m);
        break;
      case broker_step::retry: {
        detail::broker_counter_block::add(counters_.retried);
        const auto delay = o.retry_delay.count() > 0 ? o.retry_delay : s_.retry_delay;
        if (s_.retries == retry_mode::blocking && !from_retry_topic) {
          partitions_->hold(m, delay);
          break;
        }
        partitions_->produce_after(m, retry_record(m, headers, o, delivery + 1, delay));
        break;
      }
      case broker_step::dead_letter:
        detail::broker_counter_block::add(counters_.dead_lettered);
        if (d.exhausted) detail::broker_counter_block::add(counters_.exhausted);
        partitions_->produce_after(m, dead_letter_record(m, headers, d, error_text(o)));
        break;
    }
  }

  bool is_seen(const std::vector<message_header>& headers, std::string_view value, bool binary) {
    std::string_view id;
    if (binary) {
      id = detail::find_header(headers, std::string(s_.binding.attribute_prefix) + "id")
               .value_or("");
    } else if (auto h = peek_header(value, router_.format())) {
      id = h->id;
    }
    return !id.empty() && s_.seen(id);
  }

  void acknowledge(const rd_kafka_message_t* m) {
    detail::broker_counter_block::add(counters_.acked);
    partitions_->done(m);
  }

  // The original record, its key, value and headers, with skew's headers replaced (a redrive's
  // marks are kept: they say which group the record is for).
  detail::outgoing_record copy_of(const rd_kafka_message_t* m,
                                  const std::vector<message_header>& headers,
                                  const std::string& topic) {
    detail::outgoing_record r;
    r.topic = topic;
    if (m->key != nullptr) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) r.value.emplace(static_cast<const char*>(m->payload), m->len);
    for (const auto& h : headers) {
      if (h.is_null) continue;  // absent, as the bindings read it
      if (!h.name.starts_with("skew-") || h.name.starts_with(header::redrive_prefix)) {
        r.headers.emplace_back(h.name, h.value);
      }
    }
    // Where it came from first: kept through retries.
    const bool retried = partitions_->is_retry_topic(m);
    auto original = [&](std::string_view name, std::string value) {
      const auto kept = detail::find_header(headers, name);
      r.headers.emplace_back(name, retried && kept ? std::string(*kept) : std::move(value));
    };
    original(header::original_topic, rd_kafka_topic_name(m->rkt));
    original(header::original_partition, std::to_string(m->partition));
    original(header::original_offset, std::to_string(m->offset));
    original(header::original_timestamp, std::to_string(rd_kafka_message_timestamp(m, nullptr)));
    return r;
  }

  detail::outgoing_record retry_record(const rd_kafka_message_t* m,
                                       const std::vector<message_header>& headers, const outcome& o,
                                       std::uint32_t next_delivery,
                                       std::chrono::milliseconds delay) {
    detail::outgoing_record r = copy_of(m, headers, s_.retry_topic);
    r.headers.emplace_back(header::retry_due,
                           std::to_string(detail::unix_ms_now() + delay.count()));
    r.headers.emplace_back(header::attempt, std::to_string(next_delivery));
    r.headers.emplace_back(header::reason, std::string(to_string(o.reason)));
    r.headers.emplace_back(header::group, s_.group);
    return r;
  }

  // skew's headers, then Spring Kafka's for the same facts (about the first record, through
  // retries), without Spring headers the original record may carry.
  detail::outgoing_record dead_letter_record(const rd_kafka_message_t* m,
                                             const std::vector<message_header>& headers,
                                             const broker_decision& d, std::string error) {
    detail::outgoing_record r = copy_of(m, headers, s_.dead_letter_topic);
    std::erase_if(r.headers, [](const auto& h) { return h.first.starts_with("kafka_dlt-"); });
    auto kept = [&](std::string_view name) {
      for (const auto& [n, v] : r.headers) {
        if (n == name) return v;
      }
      return std::string();
    };
    const auto number = [&](std::string_view name) {
      return std::strtoll(kept(name).c_str(), nullptr, 10);
    };
    const std::string topic = kept(header::original_topic);
    const std::int64_t partition = number(header::original_partition);
    const std::int64_t offset = number(header::original_offset);
    const std::int64_t timestamp = number(header::original_timestamp);
    r.headers.emplace_back(header::reason, d.reason);
    r.headers.emplace_back(header::error, error);
    r.headers.emplace_back(header::deliveries, std::to_string(d.deliveries));
    r.headers.emplace_back(header::group, s_.group);
    r.headers.emplace_back(spring_header::original_topic, topic);
    r.headers.emplace_back(spring_header::original_partition, big_endian(partition, 4));
    r.headers.emplace_back(spring_header::original_offset, big_endian(offset, 8));
    r.headers.emplace_back(spring_header::original_timestamp, big_endian(timestamp, 8));
    r.headers.emplace_back(spring_header::original_timestamp_type, "CreateTime");
    r.headers.emplace_back(spring_header::original_consumer_group, s_.group);
    r.headers.emplace_back(spring_header::exception_fqcn, "skew::" + d.reason);
    r.headers.emplace_back(spring_header::exception_message, std::move(error));
    return r;
  }

  Router& router_;
  consumer_settings s_;
  std::string error_;
  std::optional<detail::kafka_partitions> partitions_;
  detail::broker_counter_block counters_;
};

}  // namespace skew::kafka

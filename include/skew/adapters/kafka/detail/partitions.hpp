// The Kafka consumer's bookkeeping below the outcome mapping: the consuming and producing
// clients, the batch in hand, what became of each record of it, partitions paused until a
// record is due, and the commit that ends a batch once every record it produced is on the broker.
#pragma once

#include <skew/adapters/kafka/detail/client.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

namespace skew::detail {

class kafka_partitions {
 public:
  kafka_partitions(const std::string& brokers, const std::string& group, std::string topic,
                   std::string retry_topic, kafka_group membership,
                   const kafka_properties& consumer_config, const kafka_properties& producer_config)
      : topic_(std::move(topic)),
        retry_topic_(std::move(retry_topic)),
        group_(group),
        membership_(std::move(membership)) {
    kafka_properties c = {{"bootstrap.servers", brokers},
                          {"group.id", group},
                          {"enable.auto.commit", "false"},
                          {"enable.auto.offset.store", "false"},
                          {"auto.offset.reset", "earliest"}};
    const kafka_properties defaults = group_defaults(membership_);
    c.insert(c.end(), defaults.begin(), defaults.end());
    c.insert(c.end(), consumer_config.begin(), consumer_config.end());
    kafka_conf cc = make_kafka_conf(c, error_);
    if (!cc) return;
    rd_kafka_conf_set_opaque(cc.get(), this);
    rd_kafka_conf_set_rebalance_cb(cc.get(), &kafka_partitions::rebalance);
    kafka_properties p = {{"bootstrap.servers", brokers}, {"enable.idempotence", "true"}};
    p.insert(p.end(), producer_config.begin(), producer_config.end());
    kafka_conf pc = make_kafka_conf(p, error_);
    if (!pc) return;
    rd_kafka_conf_set_dr_msg_cb(pc.get(), &record_delivery);
    producer_ = make_kafka_handle(RD_KAFKA_PRODUCER, std::move(pc), error_);
    if (!producer_) return;
    consumer_ = make_kafka_handle(RD_KAFKA_CONSUMER, std::move(cc), error_);
    if (consumer_) rd_kafka_poll_set_consumer(consumer_.get());
  }
  ~kafka_partitions() { drop_batch(); }
  kafka_partitions(const kafka_partitions&) = delete;
  kafka_partitions& operator=(const kafka_partitions&) = delete;

  bool ok() const noexcept { return consumer_ != nullptr && producer_ != nullptr; }
  const std::string& error() const noexcept { return error_; }

  // The main topic, and the retry topic when retries go there.
  bool subscribe(bool with_retry_topic) {
    partition_list topics(rd_kafka_topic_partition_list_new(2));
    rd_kafka_topic_partition_list_add(topics.get(), topic_.c_str(), RD_KAFKA_PARTITION_UA);
    if (with_retry_topic) {
      rd_kafka_topic_partition_list_add(topics.get(), retry_topic_.c_str(), RD_KAFKA_PARTITION_UA);
    }
    return check(rd_kafka_subscribe(consumer_.get(), topics.get()));
  }

  // Up to `n` records: waits up to `timeout` for the first. False on a fatal client error.
  bool next_batch(std::size_t n, std::chrono::milliseconds timeout) {
    drop_batch();
    int wait = static_cast<int>(timeout.count());
    while (batch_.size() < n) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), wait);
      if (m == nullptr) break;
      wait = 0;
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const bool fatal = m->err == RD_KAFKA_RESP_ERR__FATAL;
        error_ = rd_kafka_message_errstr(m);
        rd_kafka_message_destroy(m);
        if (fatal) return false;
        continue;
      }
      batch_.push_back(m);
      generations_.push_back(generation_);
    }
    return true;
  }
  const std::vector<rd_kafka_message_t*>& batch() const noexcept { return batch_; }

  bool is_retry_topic(const rd_kafka_message_t* m) const {
    return rd_kafka_topic_name(m->rkt) == retry_topic_;
  }

  // Whether the batch's record `i` is skipped: fetched before a rebalance took its partition, or
  // behind a held record of its partition.
  bool skipped(std::size_t i) const {
    if (generations_[i] != generation_) return true;
    const auto it = progress_.find(key_of(batch_[i]));
    return it != progress_.end() && it->second.held;
  }

  // Records done: their offsets may be committed, after `record` is delivered if there is one.
  void done(const rd_kafka_message_t* m) { settle(m, nullptr); }
  void produce_after(const rd_kafka_message_t* m, outgoing_record record) {
    records_.push_back(std::move(record));
    produce_record(producer_.get(), records_.back());
    settle(m, &records_.back());
  }

  // The record waits: its partition pauses, goes back to it and resumes after `delay`.
  void hold(const rd_kafka_message_t* m, std::chrono::milliseconds delay) {
    progress_[key_of(m)].held = true;
    partition_list at(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(at.get(), rd_kafka_topic_name(m->rkt), m->partition)->offset =
        m->offset;
    (void)check(rd_kafka_pause_partitions(consumer_.get(), at.get()));
    if (rd_kafka_error_t* e = rd_kafka_seek_partitions(consumer_.get(), at.get(), 5000)) {
      error_ = rd_kafka_error_string(e);
      rd_kafka_error_destroy(e);
    }
    paused_[key_of(m)] = std::chrono::steady_clock::now() + delay;
  }
  void resume_due() {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = paused_.begin(); it != paused_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      partition_list at(rd_kafka_topic_partition_list_new(1));
      rd_kafka_topic_partition_list_add(at.get(), it->first.first.c_str(), it->first.second);
      (void)check(rd_kafka_resume_partitions(consumer_.get(), at.get()));
      it = paused_.erase(it);
    }
  }

  // Blocking retries: which delivery of this record this is, counted by this consumer.
  std::uint32_t blocking_delivery(const rd_kafka_message_t* m) {
    return ++deliveries_[{rd_kafka_topic_name(m->rkt), m->partition, m->offset}];
  }

  // Waits until every retry and dead-letter record of the batch is acknowledged, sending failed
  // ones again, then commits each partition up to its first record whose outcome is not on the
  // broker. Once `stop` is set it waits at most `grace` more: what is not acknowledged by then
  // stays uncommitted, and its records are delivered again to the partition's next owner.
  template <class Stop>
  void finish_batch(const Stop& stop, std::chrono::milliseconds grace) {
    std::optional<std::chrono::steady_clock::time_point> give_up;
    while (true) {
      rd_kafka_flush(producer_.get(), 100);
      bool pending = false;
      bool failed = false;
      for (auto& r : records_) {
        if (r.delivered) continue;
        pending = true;
        if (!r.in_flight) {
          error_ = rd_kafka_err2str(r.error);
          failed = true;
          produce_record(producer_.get(), r);
        }
      }
      if (!pending) break;
      if (stop.load()) {
        const auto now = std::chrono::steady_clock::now();
        if (!give_up) give_up = now + grace;
        if (now >= *give_up) break;
      }
      if (failed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    partition_list offsets(rd_kafka_topic_partition_list_new(static_cast<int>(progress_.size())));
    for (const auto& [key, p] : progress_) {
      std::int64_t next = -1;
      for (const auto& [offset, record] : p.settled) {
        if (record != nullptr && !record->delivered) break;
        next = offset + 1;
      }
      if (next >= 0) {
        rd_kafka_topic_partition_list_add(offsets.get(), key.first.c_str(), key.second)->offset =
            next;
      }
    }
    if (offsets->cnt > 0) (void)check(rd_kafka_commit(consumer_.get(), offsets.get(), 0));
    progress_.clear();
    records_.clear();
  }

  void close() {
    drop_batch();
    rd_kafka_consumer_close(consumer_.get());
    rd_kafka_flush(producer_.get(), 5000);
  }

 private:
  using partition_key = std::pair<std::string, std::int32_t>;
  struct progress {
    std::vector<std::pair<std::int64_t, const outgoing_record*>> settled;  // in offset order
    bool held = false;
  };

  static partition_key key_of(const rd_kafka_message_t* m) {
    return {rd_kafka_topic_name(m->rkt), m->partition};
  }

  void settle(const rd_kafka_message_t* m, const outgoing_record* record) {
    progress_[key_of(m)].settled.emplace_back(m->offset, record);
    if (!deliveries_.empty()) {  // blocking retries only: no key built per record otherwise
      deliveries_.erase({rd_kafka_topic_name(m->rkt), m->partition, m->offset});
    }
  }

  bool check(rd_kafka_resp_err_t err) {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    error_ = rd_kafka_err2str(err);
    return false;
  }

  void drop_batch() {
    for (rd_kafka_message_t* m : batch_) rd_kafka_message_destroy(m);
    batch_.clear();
    generations_.clear();
  }

  // Tells the group_changed hook and the log which partitions came or went.
  void report(kafka::group_event::kind what, const rd_kafka_topic_partition_list_t* partitions) {
    kafka::group_event event{what, {}};
    std::string line = "skew::kafka: group " + group_ + ": " + std::string(kafka::to_string(what));
    for (int i = 0; i < partitions->cnt; ++i) {
      event.partitions.push_back({partitions->elems[i].topic, partitions->elems[i].partition});
      line += (i == 0 ? " " : ", ") + event.partitions.back().topic + "[" +
              std::to_string(event.partitions.back().partition) + "]";
    }
    if (partitions->cnt == 0) line += " no partitions";
    if (membership_.log) {
      membership_.log(line);
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    if (membership_.changed) membership_.changed(event);
  }

  // Revoked partitions leave the batch (another consumer owns them now) and their pauses and
  // counts are forgotten; nothing of them is settled, since a batch commits before the next poll.
  static void rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<kafka_partitions*>(opaque);
    const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->report(kafka::group_event::kind::assigned, partitions);
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions)) {
          rd_kafka_error_destroy(e);
        }
      } else {
        rd_kafka_assign(rk, partitions);
      }
      return;
    }
    self->report(rd_kafka_assignment_lost(rk) ? kafka::group_event::kind::lost
                                              : kafka::group_event::kind::revoked,
                 partitions);
    ++self->generation_;
    for (int i = 0; i < partitions->cnt; ++i) {
      const partition_key key{partitions->elems[i].topic, partitions->elems[i].partition};
      self->paused_.erase(key);
      std::erase_if(self->deliveries_, [&](const auto& d) {
        return std::get<0>(d.first) == key.first && std::get<1>(d.first) == key.second;
      });
    }
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions)) {
        rd_kafka_error_destroy(e);
      }
    } else {
      rd_kafka_assign(rk, nullptr);
    }
  }

  std::string topic_, retry_topic_;
  std::string group_;
  kafka_group membership_;
  std::string error_;
  kafka_handle producer_;  // destroyed after the consumer
  kafka_handle consumer_;
  std::vector<rd_kafka_message_t*> batch_;
  std::vector<std::uint64_t> generations_;  // the rebalance generation each record came in
  std::uint64_t generation_ = 0;
  std::map<partition_key, progress> progress_;
  std::deque<outgoing_record> records_;  // stable addresses: each is a message's opaque
  std::map<partition_key, std::chrono::steady_clock::time_point> paused_;
  std::map<std::tuple<std::string, std::int32_t, std::int64_t>, std::uint32_t> deliveries_;
};

}  // namespace skew::detail

// The redrive on Kafka: reads <topic>.dlt from its consumer group's committed offsets up to the
// end each partition had when the run began, judges each letter with adapters/redrive.hpp, and
//   readable_now  produces it to the original topic (key, value and headers as they were, without
//                 skew's and Spring's dead-letter headers) with skew-redrive-group,
//                 skew-redrive-reason and skew-redrive-of
//   never         produces it to <topic>.parked with every header and skew-parked-why
//   not_yet       produces it again at the end of the dead-letter topic, unchanged: it stays, and
//                 the group can commit past it
// then commits the dead-letter group's offset past it once what it produced is acknowledged
// (acks=all, idempotent). Progress is that committed offset: a redrive killed and started again
// loses no letter; the letters it had moved but not yet committed are moved again, and the
// consumers' idempotency hook (same envelope id) absorbs those copies. The partitions are assigned,
// not subscribed: run one redrive per dead-letter topic at a time.
//
// A canary moves the first N letters, waits until the group they went to has committed past every
// copy, and stops the run if any copy was dead-lettered again.
#pragma once

#include <skew/adapters/kafka/dead_letter.hpp>
#include <skew/adapters/kafka/detail/client.hpp>
#include <skew/adapters/kafka/inspect.hpp>
#include <skew/adapters/redrive.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace skew::kafka {

struct redrive_settings {
  std::string brokers{};
  std::string topic{};                 // the original topic
  std::string dead_letter_topic{};     // empty: <topic>.dlt
  std::string parked_topic{};          // empty: <topic>.parked
  std::string group = "skew-redrive";  // the dead-letter topic's group: its offsets are progress
  envelope_format format{};            // the envelopes' layout, to read type and version
  binary_binding binding = binary_binding::kafka();
  properties config{};  // more librdkafka properties for both clients
  std::chrono::milliseconds timeout{10000};
  std::size_t batch = 100;  // letters between two commits
};

class redrive {
 public:
  explicit redrive(redrive_settings s) : s_(std::move(s)) {
    if (s_.dead_letter_topic.empty()) s_.dead_letter_topic = s_.topic + ".dlt";
    if (s_.parked_topic.empty()) s_.parked_topic = s_.topic + ".parked";
  }

  const redrive_settings& settings() const noexcept { return s_; }

  redrive_report run(const letter_readers& readers, const redrive_options& o,
                     const std::atomic<bool>* stop = nullptr) {
    redrive_report report;
    inspector cluster(s_.brokers, s_.config, s_.timeout);
    const auto positions = cluster.lag(s_.group, s_.dead_letter_topic);
    if (!positions)
      return failed(report, "reading " + s_.dead_letter_topic + ": " + cluster.error());
    if (!o.dry_run && !make_producer(report)) return report;
    detail::kafka_handle consumer = make_consumer(report);
    if (!consumer) return report;
    detail::partition_list assignment(
        rd_kafka_topic_partition_list_new(static_cast<int>(positions->size())));
    std::map<std::int32_t, std::int64_t> end;  // per partition: where this run stops
    std::size_t open = 0;                      // partitions not read to that end yet
    for (const partition_lag& p : *positions) {
      if (p.lag() <= 0) continue;
      rd_kafka_topic_partition_list_add(assignment.get(), p.topic.c_str(), p.partition)->offset =
          p.committed;
      end[p.partition] = p.end;
      ++open;
    }
    if (open > 0 && rd_kafka_assign(consumer.get(), assignment.get()) != 0) {
      return failed(report, "assign failed");
    }
    redrive_pace pace(o.rate);
    canary_.clear();
    bool canary_done = o.canary == 0 || o.dry_run;
    std::vector<message_header> scratch;
    std::map<std::int32_t, std::int64_t> next_offset;  // to commit after the batch
    std::size_t seen = 0;
    while (open > 0 && (stop == nullptr || !stop->load())) {
      rd_kafka_message_t* m =
          rd_kafka_consumer_poll(consumer.get(), static_cast<int>(s_.timeout.count()));
      if (m == nullptr) return failed(report, "no letter within the timeout");
      auto partition_end = end.find(m->partition);
      const bool mine = partition_end != end.end();
      const bool letter =
          mine && m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset < partition_end->second;
      if (mine && (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF ||
                   (letter && m->offset + 1 >= partition_end->second))) {
        end.erase(partition_end);  // read to where this run stops (compaction may skip offsets)
        --open;
      }
      if (!letter) {
        rd_kafka_message_destroy(m);
        continue;
      }
      stored_letter s = read_letter(detail::stored(m, scratch), s_.format, s_.binding);
      rd_kafka_message_destroy(m);
      const std::string group = group_of(s.letter, o);
      next_offset[s.record.partition] = s.record.offset + 1;
      if (group.empty() && !o.group.empty()) {  // another group's: stays
        ++report.counts.left;
        if (!o.dry_run) keep(s);
      } else {
        const redrive_decision d = classify(s.letter, group, readers);
        report.table.add(s.letter, group, d.verdict);
        if (d.verdict == redrive_verdict::readable_now) {
          ++report.counts.to_move;
          if (!o.dry_run) {
            pace.wait_turn();
            move(s, group, !canary_done);
          }
        } else if (d.verdict == redrive_verdict::never) {
          ++report.counts.parked;
          if (!o.dry_run) park(s, d.why);
        } else {
          ++report.counts.left;
          if (!o.dry_run) keep(s);
        }
      }
      const bool canary_full = !canary_done && canary_.size() == o.canary;
      if (!o.dry_run && (out_.size() >= s_.batch || open == 0 || canary_full)) {
        if (!settle(consumer.get(), next_offset, report)) return report;
      }
      if (canary_full) {
        canary_done = true;
        if (!canary_landed(cluster, o, report)) return report;
      }
      if (o.progress && ++seen % o.progress_every == 0) o.progress(report.counts);
    }
    if (!o.dry_run && !settle(consumer.get(), next_offset, report)) return report;
    if (!canary_done && !canary_.empty()) (void)canary_landed(cluster, o, report);
    rd_kafka_consumer_close(consumer.get());
    if (o.progress) o.progress(report.counts);
    return report;
  }

 private:
  static std::string group_of(const dead_letter& l, const redrive_options& o) {
    if (l.group.empty()) return o.group;
    if (!o.group.empty() && l.group != o.group) return {};
    return l.group;
  }
  std::string redrive_of(const stored_letter& s) const {
    return s_.dead_letter_topic + "/" + std::to_string(s.record.partition) + "/" +
           std::to_string(s.record.offset);
  }

  void queue(detail::outgoing_record r) {
    out_.push_back(std::move(r));
    detail::produce_record(producer_.get(), out_.back());
  }
  static detail::outgoing_record copy(const stored_letter& s, std::string topic) {
    detail::outgoing_record r;
    r.topic = std::move(topic);
    r.key = s.record.key;
    r.value = s.record.value;
    return r;
  }
  void move(const stored_letter& s, const std::string& group, bool in_canary) {
    detail::outgoing_record r = copy(s, s.original_topic.empty() ? s_.topic : s.original_topic);
    for (const auto& [name, value] : s.record.headers) {
      if (!name.starts_with("skew-") && !name.starts_with("kafka_dlt-")) {
        r.headers.emplace_back(name, value);
      }
    }
    r.headers.emplace_back(header::redrive_group, group);
    r.headers.emplace_back(header::redrive_reason, s.letter.reason);
    r.headers.emplace_back(header::redrive_of, redrive_of(s));
    if (in_canary) canary_.push_back({redrive_of(s), group, r.topic, -1, -1});
    queue(std::move(r));
  }
  void park(const stored_letter& s, const std::string& why) {
    detail::outgoing_record r = copy(s, s_.parked_topic);
    r.headers = s.record.headers;
    r.headers.emplace_back(header::parked_why, why);
    queue(std::move(r));
  }
  void keep(const stored_letter& s) {
    detail::outgoing_record r = copy(s, s_.dead_letter_topic);
    r.headers = s.record.headers;
    queue(std::move(r));
  }

  // Waits until everything produced is acknowledged, then commits the letters read.
  bool settle(rd_kafka_t* consumer, const std::map<std::int32_t, std::int64_t>& next,
              redrive_report& report) {
    const auto deadline = std::chrono::steady_clock::now() + s_.timeout;
    while (true) {
      rd_kafka_flush(producer_.get(), 100);
      bool pending = false;
      for (auto& r : out_) {
        if (r.delivered) continue;
        pending = true;
        if (!r.in_flight) detail::produce_record(producer_.get(), r);
      }
      if (!pending) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        report.counts.failed += report.counts.to_move - report.counts.moved;
        failed(report, "records not acknowledged within the timeout");
        return false;
      }
    }
    for (const auto& r : out_) {
      if (r.topic == s_.parked_topic || r.topic == s_.dead_letter_topic) continue;
      ++report.counts.moved;
      for (auto& c : canary_) {  // where the canary's copies landed
        if (c.offset < 0 && has_header(r, header::redrive_of, c.letter)) {
          c.partition = r.partition;
          c.offset = r.offset;
        }
      }
    }
    out_.clear();
    if (next.empty()) return true;
    detail::partition_list offsets(
        rd_kafka_topic_partition_list_new(static_cast<int>(next.size())));
    for (const auto& [partition, offset] : next) {
      rd_kafka_topic_partition_list_add(offsets.get(), s_.dead_letter_topic.c_str(), partition)
          ->offset = offset;
    }
    if (const auto err = rd_kafka_commit(consumer, offsets.get(), 0)) {
      failed(report, std::string("commit failed: ") + rd_kafka_err2str(err));
      return false;
    }
    return true;
  }

  static bool has_header(const detail::outgoing_record& r, std::string_view name,
                         std::string_view value) {
    for (const auto& [n, v] : r.headers) {
      if (n == name && v == value) return true;
    }
    return false;
  }

  // Waits until each copy's group has committed past it on the original topic, then looks for
  // copies dead-lettered again (their skew-redrive-of names the canary's letters).
  bool canary_landed(inspector& cluster, const redrive_options& o, redrive_report& report) {
    const auto deadline = std::chrono::steady_clock::now() + o.canary_timeout;
    for (const canary_copy& c : canary_) {
      while (true) {
        bool past = false;
        if (const auto lag = cluster.lag(c.group, c.topic)) {
          for (const partition_lag& p : *lag)
            past = past || (p.partition == c.partition && p.committed > c.offset);
        }
        if (past) break;
        if (std::chrono::steady_clock::now() >= deadline) {
          failed(report, fmt::format("canary: group {} did not settle the first {} letters "
                                     "within {} ms",
                                     c.group, canary_.size(), o.canary_timeout.count()));
          return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    const auto letters = cluster.records(s_.dead_letter_topic);
    if (!letters) {
      failed(report, "canary: cannot read " + s_.dead_letter_topic + ": " + cluster.error());
      return false;
    }
    std::size_t again = 0;
    for (const stored_record& r : *letters) {
      const auto of = r.header(header::redrive_of);
      if (!of || !r.header(header::reason)) continue;
      for (const canary_copy& c : canary_) again += c.letter == *of ? 1 : 0;
    }
    if (again == 0) return true;
    failed(report, fmt::format("canary: {} of the first {} letters were dead-lettered again; "
                               "stopped (they will be parked)",
                               again, canary_.size()));
    return false;
  }

  detail::kafka_handle make_consumer(redrive_report& report) {
    properties p = {{"bootstrap.servers", s_.brokers}, {"group.id", s_.group},
                    {"enable.auto.commit", "false"},   {"enable.auto.offset.store", "false"},
                    {"enable.partition.eof", "true"},  {"auto.offset.reset", "earliest"}};
    p.insert(p.end(), s_.config.begin(), s_.config.end());
    std::string error;
    detail::kafka_conf conf = detail::make_kafka_conf(p, error);
    detail::kafka_handle h =
        conf ? detail::make_kafka_handle(RD_KAFKA_CONSUMER, std::move(conf), error) : nullptr;
    if (!h) failed(report, error);
    return h;
  }
  bool make_producer(redrive_report& report) {
    properties p = {{"bootstrap.servers", s_.brokers}, {"enable.idempotence", "true"}};
    p.insert(p.end(), s_.config.begin(), s_.config.end());
    std::string error;
    detail::kafka_conf conf = detail::make_kafka_conf(p, error);
    if (conf) {
      rd_kafka_conf_set_dr_msg_cb(conf.get(), &detail::record_delivery);
      producer_ = detail::make_kafka_handle(RD_KAFKA_PRODUCER, std::move(conf), error);
    }
    if (!producer_) failed(report, error);
    return producer_ != nullptr;
  }

  static redrive_report& failed(redrive_report& r, std::string why) {
    r.ok = false;
    r.error = std::move(why);
    return r;
  }

  // A copy the canary waits for: the letter it came from, its group, and where it landed.
  struct canary_copy {
    std::string letter, group, topic;
    std::int32_t partition;
    std::int64_t offset;
  };

  redrive_settings s_;
  std::vector<canary_copy> canary_;
  detail::kafka_handle producer_;
  std::deque<detail::outgoing_record> out_;  // stable addresses: each is a message's opaque
};

}  // namespace skew::kafka

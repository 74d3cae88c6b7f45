// skew::kafka::inspector: what a consumer group and its topics hold, read from the cluster for
// operators and tests: a group's committed offsets against each partition's end (its lag), and
// every record a topic holds, with key, value and headers (a dead-letter topic read back).
//
//   skew::kafka::inspector cluster("127.0.0.1:9092");
//   for (const auto& p : *cluster.lag("mailers", "send-email")) print(p.topic, p.partition,
//   p.lag()); for (const auto& r : *cluster.records("send-email.dlt"))
//   print(r.header(kafka::header::reason));
#pragma once

#include <skew/adapters/kafka/detail/client.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skew::kafka {

// A group's position on one partition: committed is where it resumes (the partition's start
// when the group committed nothing there), end the offset the next record will get.
struct partition_lag {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t committed = 0;
  std::int64_t end = 0;
  std::int64_t lag() const noexcept { return end - committed; }
};

// One record as the topic holds it. A header without a value is absent from `headers`.
struct stored_record {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;  // empty: a tombstone
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header of that name.
  std::optional<std::string_view> header(std::string_view name) const noexcept {
    for (const auto& [n, v] : headers) {
      if (n == name) return std::string_view(v);
    }
    return std::nullopt;
  }
};

}  // namespace skew::kafka

namespace skew::detail {
// A consumed message as a stored_record; `headers` is scratch space.
inline kafka::stored_record stored(const rd_kafka_message_t* m,
                                   std::vector<message_header>& headers) {
  kafka::stored_record r;
  r.topic = rd_kafka_topic_name(m->rkt);
  r.partition = m->partition;
  r.offset = m->offset;
  if (m->key != nullptr) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) r.value.emplace(static_cast<const char*>(m->payload), m->len);
  read_headers(m, headers);
  for (const message_header& h : headers) {
    if (!h.is_null) r.headers.emplace_back(h.name, h.value);
  }
  return r;
}
}  // namespace skew::detail

namespace skew::kafka {

class inspector {
 public:
  // `extra`: more librdkafka properties for the clients it makes (security settings and the like).
  explicit inspector(std::string bootstrap, properties extra = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : bootstrap_(std::move(bootstrap)), extra_(std::move(extra)), timeout_(timeout) {}

  // The last failure's description (empty after a success).
  const std::string& error() const noexcept { return error_; }

  // `group`'s lag on every partition of `topic`; nothing when the cluster cannot say.
  std::optional<std::vector<partition_lag>> lag(std::string_view group, std::string_view topic) {
    detail::kafka_handle rk = client(group);
    if (!rk) return std::nullopt;
    const std::optional<std::int32_t> n = partitions(rk.get(), topic);
    if (!n) return std::nullopt;
    const std::string name(topic);
    detail::partition_list list(rd_kafka_topic_partition_list_new(*n));
    for (std::int32_t p = 0; p < *n; ++p) {
      rd_kafka_topic_partition_list_add(list.get(), name.c_str(), p);
    }
    if (!succeeded(rd_kafka_committed(rk.get(), list.get(), timeout_ms()))) return std::nullopt;
    std::vector<partition_lag> out;
    for (std::int32_t p = 0; p < *n; ++p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (!watermarks(rk.get(), name, p, low, high)) return std::nullopt;
      const std::int64_t committed = list->elems[p].offset < 0 ? low : list->elems[p].offset;
      out.push_back({name, p, committed, high});
    }
    return out;
  }

  // Every record of `topic` (or the last `last` of each partition, when not 0), partition by
  // partition, up to the end each partition had when the call began; nothing when the cluster
  // cannot say or a record does not arrive within the timeout. Offsets a compacted topic no
  // longer holds are skipped.
  std::optional<std::vector<stored_record>> records(std::string_view topic, std::size_t last = 0) {
    detail::kafka_handle rk = client("skew-inspector");
    if (!rk) return std::nullopt;
    const std::optional<std::int32_t> n = partitions(rk.get(), topic);
    if (!n) return std::nullopt;
    const std::string name(topic);
    detail::partition_list list(rd_kafka_topic_partition_list_new(*n));
    std::vector<std::int64_t> end(static_cast<std::size_t>(*n));
    std::size_t open = 0;  // partitions not read to their end yet
    for (std::int32_t p = 0; p < *n; ++p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (!watermarks(rk.get(), name, p, low, high)) return std::nullopt;
      if (last != 0) low = std::max(low, high - static_cast<std::int64_t>(last));
      end[static_cast<std::size_t>(p)] = high;
      if (high <= low) continue;
      ++open;
      rd_kafka_topic_partition_list_add(list.get(), name.c_str(), p)->offset = low;
    }
    if (open > 0 && !succeeded(rd_kafka_assign(rk.get(), list.get()))) return std::nullopt;
    std::vector<stored_record> out;
    std::vector<message_header> headers;
    while (open > 0) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), timeout_ms());
      if (m == nullptr) {
        error_ = "no record within the timeout; " + std::to_string(open) + " partitions not read";
        return std::nullopt;
      }
      const auto p = static_cast<std::size_t>(m->partition);
      const bool at_end = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF ||
                          (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset + 1 >= end[p]);
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset < end[p]) {
        out.push_back(detail::stored(m, headers));
      }
      if (at_end && end[p] >= 0) {
        end[p] = -1;  // done
        --open;
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk.get());
    error_.clear();
    return out;
  }

 private:
  int timeout_ms() const noexcept { return static_cast<int>(timeout_.count()); }

  bool succeeded(rd_kafka_resp_err_t err) {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    error_ = rd_kafka_err2str(err);
    return false;
  }

  // A partition's first offset and the offset its next record will get.
  bool watermarks(rd_kafka_t* rk, const std::string& topic, std::int32_t partition,
                  std::int64_t& low, std::int64_t& high) {
    return succeeded(
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &low, &high, timeout_ms()));
  }

  detail::kafka_handle client(std::string_view group) {
    properties p = {{"bootstrap.servers", bootstrap_},
                    {"group.id", std::string(group)},
                    {"enable.auto.commit", "false"},
                    {"enable.partition.eof", "true"},
                    {"log_level", "3"}};
    p.insert(p.end(), extra_.begin(), extra_.end());
    detail::kafka_conf conf = detail::make_kafka_conf(p, error_);
    return conf ? detail::make_kafka_handle(RD_KAFKA_CONSUMER, std::move(conf), error_) : nullptr;
  }

  std::optional<std::int32_t> partitions(rd_kafka_t* rk, std::string_view topic) {
    const std::string name(topic);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, name.c_str(), nullptr);
    std::optional<std::int32_t> n;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, timeout_ms());
    if (succeeded(err)) {
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        n = md->topics[0].partition_cnt;
      } else {
        error_ = "no topic " + name;
      }
      rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(t);
    return n;
  }

  std::string bootstrap_;
  properties extra_;
  std::chrono::milliseconds timeout_;
  std::string error_;
};

}  // namespace skew::kafka

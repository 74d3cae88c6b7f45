// The pieces of librdkafka's C API the Kafka adapter uses: owned handles, configuration from
// name/value pairs, message headers as views, and records produced with their delivery tracked,
// so that an offset is committed only once what its message became is on the broker.
#pragma once

#include <librdkafka/rdkafka.h>

#include <skew/envelope/binary_binding.hpp>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skew::kafka {

// How a group moves partitions between its members. eager (librdkafka's default assignors):
// every member gives up all its partitions at each rebalance. cooperative (cooperative-sticky):
// only the partitions that move are revoked. librdkafka cannot mix the two in one group, so a
// group changes protocol only when none of its members runs: keep eager in a group that older
// builds still read.
enum class rebalance_protocol : unsigned char { eager, cooperative };

struct topic_partition {
  std::string topic;
  std::int32_t partition = 0;
  friend bool operator==(const topic_partition&, const topic_partition&) = default;
};

// A change of the partitions a consumer owns. lost: taken without a revoke (the session timed
// out), so another member may already be handling them.
struct group_event {
  enum class kind : unsigned char { assigned, revoked, lost };
  kind what = kind::assigned;
  std::vector<topic_partition> partitions;
};

// librdkafka configuration properties as name/value pairs, e.g. {{"fetch.min.bytes", "1"}}.
using properties = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view to_string(group_event::kind k) noexcept {
  switch (k) {
    case group_event::kind::assigned:
      return "assigned";
    case group_event::kind::revoked:
      return "revoked";
    case group_event::kind::lost:
      return "lost";
  }
  return "unknown";
}

}  // namespace skew::kafka

namespace skew::detail {

struct kafka_handle_deleter {
  void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
};
using kafka_handle = std::unique_ptr<rd_kafka_t, kafka_handle_deleter>;

struct kafka_conf_deleter {
  void operator()(rd_kafka_conf_t* c) const noexcept { rd_kafka_conf_destroy(c); }
};
using kafka_conf = std::unique_ptr<rd_kafka_conf_t, kafka_conf_deleter>;

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

using kafka_properties = kafka::properties;

// What a consumer needs to know of its group beyond the librdkafka properties.
struct kafka_group {
  std::string instance_id;
  kafka::rebalance_protocol protocol = kafka::rebalance_protocol::eager;
  std::function<void(const kafka::group_event&)> changed;
  std::function<void(std::string_view)> log;
};

// skew's consumer properties for rolling deploys, applied before the user's own. A session
// timeout of 10 s (librdkafka's default is 45 s): a member that died without leaving holds its
// partitions, and holds up the rebalance that lets a restarted or new member in, until it
// expires. Heartbeats every second, well inside it. With an instance id, static membership.
inline kafka_properties group_defaults(const kafka_group& g) {
  kafka_properties p = {{"session.timeout.ms", "10000"}, {"heartbeat.interval.ms", "1000"}};
  if (g.protocol == kafka::rebalance_protocol::cooperative) {
    p.emplace_back("partition.assignment.strategy", "cooperative-sticky");
  }
  if (!g.instance_id.empty()) p.emplace_back("group.instance.id", g.instance_id);
  return p;
}

// A configuration with every property set, or null with `error` saying which one failed.
inline kafka_conf make_kafka_conf(const kafka_properties& properties, std::string& error) {
  kafka_conf conf(rd_kafka_conf_new());
  char text[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), text, sizeof text) !=
        RD_KAFKA_CONF_OK) {
      error = name + ": " + text;
      return nullptr;
    }
  }
  return conf;
}

// Takes ownership of `conf` when it succeeds, as rd_kafka_new does.
inline kafka_handle make_kafka_handle(rd_kafka_type_t type, kafka_conf conf, std::string& error) {
  char text[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), text, sizeof text);
  if (rk == nullptr) {
    error = text;
    return nullptr;
  }
  (void)conf.release();
  return kafka_handle(rk);
}

// A message's headers as views (valid while the message lives). A header without a value is
// marked null (the bindings read it as absent).
inline void read_headers(const rd_kafka_message_t* m, std::vector<message_header>& out) {
  out.clear();
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  for (std::size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    if (value == nullptr) {
      out.push_back({name, {}, true});
    } else {
      out.push_back({name, std::string_view(static_cast<const char*>(value), size)});
    }
  }
}

inline std::optional<std::string_view> find_header(const std::vector<message_header>& headers,
                                                   std::string_view name) noexcept {
  for (const auto& h : headers) {
    if (h.name == name && !h.is_null) return h.value;
  }
  return std::nullopt;
}

inline std::optional<std::int64_t> header_number(const std::vector<message_header>& headers,
                                                 std::string_view name) noexcept {
  const auto text = find_header(headers, name);
  if (!text) return std::nullopt;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc{} || end != text->data() + text->size()) return std::nullopt;
  return n;
}

inline std::int64_t unix_ms_now() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A record to produce, owned until the broker has acknowledged it: a failed delivery is sent
// again from here.
struct outgoing_record {
  std::string topic;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
  bool delivered = false;
  std::int32_t partition = -1;  // where the broker stored it, once delivered
  std::int64_t offset = -1;
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;  // of the last attempt
  bool in_flight = false;
};

// librdkafka's delivery report callback: set with rd_kafka_conf_set_dr_msg_cb on producers that
// pass an outgoing_record as each message's opaque.
inline void record_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* record = static_cast<outgoing_record*>(m->_private);
  if (record == nullptr) return;
  record->in_flight = false;
  record->error = m->err;
  record->delivered = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
  record->partition = m->partition;
  record->offset = m->offset;
}

// Queues `record` on `producer`; false with `record.error` set when the client refuses it. A
// full local queue is waited out.
inline bool produce_record(rd_kafka_t* producer, outgoing_record& record) {
  while (true) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(record.headers.size());
    for (const auto& [name, value] : record.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    // The macros cast their arguments without parentheses: plain names only.
    const void* key = record.key ? record.key->data() : nullptr;
    const std::size_t key_size = record.key ? record.key->size() : 0;
    void* value = record.value ? record.value->data() : nullptr;
    const std::size_t value_size = record.value ? record.value->size() : 0;
    const char* topic = record.topic.c_str();
    outgoing_record* opaque = &record;
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key_size),
        RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {  // the message owns the headers now
      record.in_flight = true;
      return true;
    }
    rd_kafka_headers_destroy(headers);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      record.error = err;
      return false;
    }
    rd_kafka_poll(producer, 50);
  }
}

}  // namespace skew::detail

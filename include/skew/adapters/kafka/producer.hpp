// skew::kafka::producer: messages of a family in CloudEvents binary or structured content mode
// (at the version an emitter emits, with the caller's trace context as the transport's
// `traceparent`), and any record as it is, acknowledged by all in-sync replicas.
#pragma once

#include <skew/adapters/broker.hpp>
#include <skew/adapters/kafka/detail/client.hpp>
#include <skew/base/result.hpp>
#include <skew/envelope/binary_mode.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/rollout/emitter.hpp>

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace skew::kafka {

// How a producer writes a CloudEvent: attributes as headers (binary) or the whole event as the
// value (structured).
enum class content_mode : unsigned char { binary, structured };

// Writes messages in CloudEvents binary content mode, and any record as it is. Delivery is
// acknowledged by all in-sync replicas (acks=all) and idempotent.
class producer {
 public:
  producer(std::string brokers, properties config = {},
           binary_binding binding = binary_binding::kafka())
      : binding_(binding) {
    config.insert(config.begin(),
                  {{"bootstrap.servers", std::move(brokers)}, {"enable.idempotence", "true"}});
    detail::kafka_conf conf = detail::make_kafka_conf(config, error_);
    if (!conf) return;
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &detail::record_delivery);
    handle_ = detail::make_kafka_handle(RD_KAFKA_PRODUCER, std::move(conf), error_);
  }

  bool ok() const noexcept { return handle_ != nullptr; }
  const std::string& error() const noexcept { return error_; }

  // Queues a message of Family; the key is the event's `partitionkey` when `key` is empty and
  // the event has one (the bindings' opt-in key mapper). Errors are encode's, or the client's
  // (errc::not_representable names none: see error()).
  template <message_family Family, class Payload>
  result<void> send(const std::string& topic, const Payload& payload, const envelope_fields& fields,
                    std::optional<std::string> key = {}) {
    auto event = encode_binary<Family>(payload, fields, binding_);
    if (!event) return failure(event.error());
    return send_binary(topic, std::move(*event), fields, std::move(key));
  }

  // Queues a message at the version `e` emits now (a fleet-following emitter's, say), downcast
  // from the latest, with the emitter's stamps. Binary mode writes the event as `send` does, in
  // the emitter's format (a CloudEvents one); structured mode writes the whole envelope as the
  // value, with the content type application/cloudevents+json for a CloudEvents format.
  template <message_family Family>
  result<void> send(const std::string& topic, const emitter<Family>& e,
                    const typename Family::latest& payload, const envelope_fields& fields,
                    std::optional<std::string> key = {}, content_mode mode = content_mode::binary) {
    const envelope_format& format = e.format();
    if (mode == content_mode::structured) {
      auto json = e.encode(payload, fields);
      if (!json) return failure(json.error());
      std::vector<std::pair<std::string, std::string>> headers;
      if (format.layout == layout::cloudevents) {
        headers.emplace_back(binding_.content_type_header,
                             "application/cloudevents+json; charset=UTF-8");
      }
      add_transport_context(headers, fields);
      return send_record(topic, std::move(key), std::move(*json), std::move(headers));
    }
    auto event = e.write_at_version(payload, fields, [&](const auto& p, const envelope_fields& f) {
      return encode_binary<Family>(p, f, binding_, format);
    });
    if (!event) return failure(event.error());
    return send_binary(topic, std::move(*event), fields, std::move(key));
  }

  // Queues any record: for relays, and for tests that need bytes no encoder writes.
  result<void> send_record(const std::string& topic, std::optional<std::string> key,
                           std::optional<std::string> value,
                           std::vector<std::pair<std::string, std::string>> headers) {
    if (!ok()) return failure(errc::not_representable);
    records_.push_back({topic, std::move(key), std::move(value), std::move(headers)});
    if (!detail::produce_record(handle_.get(), records_.back())) {
      error_ = rd_kafka_err2str(records_.back().error);
      records_.pop_back();
      return failure(errc::not_representable);
    }
    rd_kafka_poll(handle_.get(), 0);
    return {};
  }

  // Waits until every queued record is acknowledged, sending failed ones again, for at most
  // `timeout`. True when all were delivered.
  bool flush(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (ok()) {
      rd_kafka_flush(handle_.get(), 100);
      bool all = true;
      for (auto& r : records_) {
        if (r.delivered || r.in_flight) {
          all = all && r.delivered;
          continue;
        }
        all = false;
        detail::produce_record(handle_.get(), r);
      }
      if (all) {
        records_.clear();
        return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
    }
    return false;
  }

 private:
  // A binary event as a record: keyed by `key`, else by the event's partitionkey (the bindings'
  // opt-in key mapper), with the caller's trace context as the transport's.
  result<void> send_binary(const std::string& topic, binary_event event,
                           const envelope_fields& fields, std::optional<std::string> key) {
    if (!key) {
      if (auto k = event.partition_key(binding_)) key.emplace(*k);
    }
    add_transport_context(event.headers, fields);
    return send_record(topic, std::move(key), std::move(event.data), std::move(event.headers));
  }

  // The transport hop's trace context: the caller's, beside the event's creation context.
  static void add_transport_context(std::vector<std::pair<std::string, std::string>>& headers,
                                    const envelope_fields& fields) {
    if (fields.traceparent.empty()) return;
    headers.emplace_back(transport_header::traceparent, fields.traceparent);
    if (!fields.tracestate.empty()) {
      headers.emplace_back(transport_header::tracestate, fields.tracestate);
    }
  }

  binary_binding binding_;
  std::string error_;
  detail::kafka_handle handle_;
  std::deque<detail::outgoing_record> records_;  // stable addresses: each is a message's opaque
};

}  // namespace skew::kafka

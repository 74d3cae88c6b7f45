// skew::observer: the hook for spans and metrics, with no tracing dependency. A router with an
// observer tells it when each message's processing starts and ends; a broker adapter also tells
// it each settle (the ack, retry, dead letter or drop it carried out). What it is told is named
// by the OpenTelemetry messaging semantic conventions (messaging_attributes), and skew's own facts
// sit under `skew.`.
//
//   struct spans : skew::observer {
//     void on_process_end(const skew::process_end& e) override { ... e.duration ... }
//   };
//   spans s;
//   router.set_observer(&s);   // before the first dispatch; nullptr (the default) is no hook
#pragma once

#include <skew/dispatch/outcome.hpp>
#include <skew/envelope/trace_context.hpp>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

namespace skew {

// Where a message came from, as the adapter that received it knows it. Empty (and nullopt) for a
// router used without an adapter.
struct messaging_facts {
  std::string_view system{};                // messaging.system: "kafka", "redis"
  std::string_view destination{};           // messaging.destination.name: the topic or stream
  std::string_view consumer_group{};        // messaging.consumer.group.name
  std::optional<std::int32_t> partition{};  // messaging.destination.partition.id
  std::optional<std::int64_t> offset{};     // messaging.kafka.offset
  std::string_view delivery_id{};           // the broker's id (a Redis stream entry id), if any
};

namespace detail {
// Where the next message came from, while a messaging_scope lives; taken by the router's observed
// dispatch, so that a dispatch inside a handler does not inherit it.
inline thread_local const messaging_facts* messaging_on_thread = nullptr;
}  // namespace detail

// Tells the observer where the messages dispatched on this thread, while it lives, came from (the
// broker adapters make one per record):
//   skew::messaging_scope scope({.system = "kafka", .destination = topic, .partition = 3});
//   router.dispatch(value);
class messaging_scope {
 public:
  explicit messaging_scope(const messaging_facts& facts)
      : facts_(facts), saved_(std::exchange(detail::messaging_on_thread, &facts_)) {}
  ~messaging_scope() { detail::messaging_on_thread = saved_; }
  messaging_scope(const messaging_scope&) = delete;
  messaging_scope& operator=(const messaging_scope&) = delete;

 private:
  messaging_facts facts_;
  const messaging_facts* saved_;
};

// A message's processing begins: the envelope is not read yet.
struct process_start {
  const messaging_facts& messaging;
  // The hop's trace context (the transport's traceparent), when the adapter passed a valid one:
  // the parent of a consumer's process span.
  const std::optional<trace_context>& transport_context;
  std::chrono::system_clock::time_point time;
};

// A message's processing ended with `result`. The views (the outcome's, the contexts') are valid
// only during the call.
struct process_end {
  const messaging_facts& messaging;
  const outcome& result;
  const std::optional<trace_context>& transport_context;
  // The event's own trace context (the CloudEvents Distributed Tracing extension): a link, never
  // the parent, since it is the same on every hop and every redelivery.
  std::optional<trace_context> creation_context;
  std::uint32_t upcast_steps = 0;
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  std::chrono::nanoseconds duration{0};  // measured with steady_clock
};

// A broker action carried out for a processed message.
struct settle_event {
  const messaging_facts& messaging;
  action taken = action::ack;    // messaging.operation.name: ack, retry, dead_letter, drop
  reason why = reason::handled;  // the outcome's reason
  std::string_view message_id;   // messaging.message.id: the envelope's id, if it had one
  bool succeeded = true;         // the broker call went through
  std::chrono::system_clock::time_point time;
};

// Override what you need; every call is made on the dispatching thread, so an observer shared by
// threads synchronizes itself. Calls must not throw.
class observer {
 public:
  virtual ~observer() = default;
  virtual void on_process_start(const process_start&) {}
  virtual void on_process_end(const process_end&) {}
  virtual void on_settle(const settle_event&) {}

 protected:
  observer() = default;
  observer(const observer&) = default;
  observer& operator=(const observer&) = default;
};

// One attribute of a span: a string or an integer.
struct span_attribute {
  std::string_view key;
  std::string_view text;  // when !is_integer
  std::int64_t integer = 0;
  bool is_integer = false;
};

// The attributes of a process or settle span, by the OpenTelemetry messaging semantic
// conventions and skew's own (the table is in docs/dispatch.md, "Observing"). Owns the text it
// makes (the partition id); other text views the event it was made from.
class span_attributes {
 public:
  const span_attribute* begin() const noexcept { return items_; }
  const span_attribute* end() const noexcept { return items_ + size_; }
  std::size_t size() const noexcept { return size_; }
  // The attribute named `key`, if present.
  const span_attribute* find(std::string_view key) const noexcept {
    for (const span_attribute& a : *this) {
      if (a.key == key) return &a;
    }
    return nullptr;
  }

  void add(std::string_view key, std::string_view text) {
    if (!text.empty() && size_ < capacity) items_[size_++] = {key, text, 0, false};
  }
  void add(std::string_view key, std::int64_t value) {
    if (size_ < capacity) items_[size_++] = {key, {}, value, true};
  }
  // The partition number as the string the conventions ask for.
  void add_partition(std::int32_t partition) {
    const auto [end, ec] = std::to_chars(partition_, partition_ + sizeof partition_, partition);
    if (ec == std::errc{}) {
      add("messaging.destination.partition.id",
          std::string_view(partition_, static_cast<std::size_t>(end - partition_)));
    }
  }

 private:
  static constexpr std::size_t capacity = 16;
  span_attribute items_[capacity]{};
  std::size_t size_ = 0;
  char partition_[12]{};
};

namespace detail {
inline void add_messaging_facts(span_attributes& out, const messaging_facts& m) {
  out.add("messaging.system", m.system);
  out.add("messaging.destination.name", m.destination);
  out.add("messaging.consumer.group.name", m.consumer_group);
  if (m.partition) out.add_partition(*m.partition);
  if (m.offset && m.system == "kafka") out.add("messaging.kafka.offset", *m.offset);
}
}  // namespace detail

// A process span's attributes. error.type is the reason's name for a message no handler took or
// whose handler threw; absent when a handler took it.
inline span_attributes messaging_attributes(const process_end& e) {
  span_attributes out;
  detail::add_messaging_facts(out, e.messaging);
  out.add("messaging.operation.name", std::string_view("process"));
  out.add("messaging.operation.type", std::string_view("process"));
  out.add("messaging.message.id", e.result.id);
  if (e.result.reason != reason::handled) out.add("error.type", to_string(e.result.reason));
  out.add("skew.message.type", e.result.type);
  if (e.result.version) out.add("skew.message.schema_version", std::int64_t{*e.result.version});
  out.add("skew.outcome", to_string(e.result.action));
  out.add("skew.upcast_steps", std::int64_t{e.upcast_steps});
  return out;
}

// A settle span's attributes: the operation is the action carried out.
inline span_attributes messaging_attributes(const settle_event& e) {
  span_attributes out;
  detail::add_messaging_facts(out, e.messaging);
  out.add("messaging.operation.name", to_string(e.taken));
  out.add("messaging.operation.type", std::string_view("settle"));
  out.add("messaging.message.id", e.message_id);
  if (!e.succeeded) out.add("error.type", std::string_view("settle_failed"));
  out.add("skew.outcome", to_string(e.taken));
  return out;
}

}  // namespace skew

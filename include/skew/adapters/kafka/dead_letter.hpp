// What skew's records say on Kafka beside the message: the headers of retry and dead-letter
// records, the headers Spring Kafka's DeadLetterPublishingRecoverer writes (skew writes them too,
// so that Kafka UIs and Spring consumers understand skew's dead-letter topics), the marks of a
// redriven record, and a dead letter read back as adapters/redrive.hpp judges it (from skew's
// headers or Spring's).
#pragma once

#include <skew/adapters/kafka/inspect.hpp>
#include <skew/adapters/redrive.hpp>
#include <skew/envelope/binary_binding.hpp>
#include <skew/envelope/peek.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skew::kafka {

// The headers skew writes on retry and dead-letter records (text values).
namespace header {
inline constexpr std::string_view retry_due = "skew-retry-due";  // unix time, milliseconds
inline constexpr std::string_view attempt = "skew-attempt";      // the delivery it will be
inline constexpr std::string_view reason = "skew-reason";        // a name (broker.hpp)
inline constexpr std::string_view error = "skew-error";          // the last error
inline constexpr std::string_view deliveries = "skew-deliveries";
inline constexpr std::string_view group = "skew-group";  // the group that dead-lettered it
inline constexpr std::string_view original_topic = "skew-original-topic";
inline constexpr std::string_view original_partition = "skew-original-partition";
inline constexpr std::string_view original_offset = "skew-original-offset";
inline constexpr std::string_view original_timestamp = "skew-original-timestamp";  // unix ms
// A redriven record: the one group that reads it, why it was dead-lettered first, and where
// the letter was (topic/partition/offset). Kept through retries and dead letters.
inline constexpr std::string_view redrive_group = "skew-redrive-group";
inline constexpr std::string_view redrive_reason = "skew-redrive-reason";
inline constexpr std::string_view redrive_of = "skew-redrive-of";
inline constexpr std::string_view redrive_prefix = "skew-redrive-";
// A parked letter: why it will never be redriven.
inline constexpr std::string_view parked_why = "skew-parked-why";
}  // namespace header

// Spring Kafka's dead-letter headers (KafkaHeaders.DLT_*): partition a 4-byte and offset and
// timestamp 8-byte big-endian integers, the rest UTF-8 text. skew's exception class name is
// "skew::" and the reason's name.
namespace spring_header {
inline constexpr std::string_view original_topic = "kafka_dlt-original-topic";
inline constexpr std::string_view original_partition = "kafka_dlt-original-partition";
inline constexpr std::string_view original_offset = "kafka_dlt-original-offset";
inline constexpr std::string_view original_timestamp = "kafka_dlt-original-timestamp";
inline constexpr std::string_view original_timestamp_type = "kafka_dlt-original-timestamp-type";
inline constexpr std::string_view original_consumer_group = "kafka_dlt-original-consumer-group";
inline constexpr std::string_view exception_message = "kafka_dlt-exception-message";
inline constexpr std::string_view exception_fqcn = "kafka_dlt-exception-fqcn";
}  // namespace spring_header

// Big-endian two's complement of `bytes` bytes (4 or 8), as Java's ByteBuffer writes them.
inline std::string big_endian(std::int64_t value, int bytes) {
  std::string out(static_cast<std::size_t>(bytes), '\0');
  auto u = static_cast<std::uint64_t>(value);
  for (int i = bytes - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  return out;
}
// The value of a 4- or 8-byte big-endian header; nothing for another size.
inline std::optional<std::int64_t> from_big_endian(std::string_view bytes) {
  if (bytes.size() != 4 && bytes.size() != 8) return std::nullopt;
  std::uint64_t u = 0;
  for (const char c : bytes) u = (u << 8) | static_cast<unsigned char>(c);
  if (bytes.size() == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(u));
  return static_cast<std::int64_t>(u);
}

// A dead-letter record read back: the letter, and where the record it holds came from first.
struct stored_letter {
  stored_record record;
  dead_letter letter;
  std::string original_topic;
  std::optional<std::int32_t> original_partition;
  std::optional<std::int64_t> original_offset;
};

// Reads a dead-letter record written by skew or by Spring Kafka. The type and version come from
// the value (structured mode, in `format`) or from the headers (binary mode, named by `binding`).
inline stored_letter read_letter(stored_record record, const envelope_format& format = {},
                                 const binary_binding& binding = binary_binding::kafka()) {
  stored_letter s;
  const auto text = [&](std::string_view name) { return record.header(name).value_or(""); };
  const auto number = [&](std::string_view name) -> std::optional<std::int64_t> {
    const auto v = record.header(name);
    std::int64_t n = 0;
    if (!v || std::from_chars(v->data(), v->data() + v->size(), n).ec != std::errc{}) {
      return std::nullopt;
    }
    return n;
  };
  dead_letter& l = s.letter;
  l.reason = text(header::reason);
  l.error = text(header::error);
  if (l.error.empty()) l.error = text(spring_header::exception_message);
  l.group = text(header::group);
  if (l.group.empty()) l.group = text(spring_header::original_consumer_group);
  l.deliveries = static_cast<std::uint32_t>(number(header::deliveries).value_or(0));
  l.first_reason = text(header::redrive_reason);
  s.original_topic = text(header::original_topic);
  if (s.original_topic.empty()) s.original_topic = text(spring_header::original_topic);
  if (auto p = number(header::original_partition)) {
    s.original_partition = static_cast<std::int32_t>(*p);
  } else if (auto sp = record.header(spring_header::original_partition)) {
    if (auto v = from_big_endian(*sp)) s.original_partition = static_cast<std::int32_t>(*v);
  }
  if (auto o = number(header::original_offset)) {
    s.original_offset = *o;
  } else if (auto so = record.header(spring_header::original_offset)) {
    s.original_offset = from_big_endian(*so);
  }

  std::vector<message_header> headers;
  for (const auto& [name, value] : record.headers) headers.push_back({name, value});
  const std::string_view value = record.value ? std::string_view(*record.value) : "";
  auto h = is_binary_mode(headers, binding) ? peek_header(headers, binding, format)
                                            : peek_header(value, format);
  if (h) {
    l.type = h->type;
    l.version = h->version;
    l.envelope_id = h->id;
  }
  s.record = std::move(record);
  return s;
}

}  // namespace skew::kafka

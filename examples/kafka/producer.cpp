// The producer of the Kafka demo: send-email messages m-<first> .. m-<first+count-1> in
// CloudEvents binary content mode (ce_ headers, the payload as the value, the id as the key),
// written as v1 or v2 (at --per-second at most), then --sms send-sms messages s-<first..> (a type
// only build N+1 reads), then --malformed broken records (bad-<n>: values
// that are not JSON, and payloads without their required field), each with an x-test-id header. It
// exits once the cluster has acknowledged every record.
#include <skew/adapters/kafka.hpp>

#include "arguments.hpp"
#include "send_email.hpp"

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  const demo::arguments args(argc, argv);
  const std::string topic = args.get("--topic", "send-email");
  const long first = args.number("--first", 0);
  const long count = args.number("--count", 1000);
  const long version = args.number("--version", 1);
  const long malformed = args.number("--malformed", 0);
  const long sms = args.number("--sms", 0);
  const long malformed_first = args.number("--malformed-first", 0);
  // Spread over time, as a live stream is: at most this many per second (0: as fast as it goes).
  const long per_second = args.number("--per-second", 0);
  const auto started = std::chrono::steady_clock::now();

  skew::kafka::producer producer(args.get("--bootstrap", "127.0.0.1:9092"),
                                 {{"linger.ms", "5"}, {"log_level", "3"}});
  if (!producer.ok()) {
    fmt::print(stderr, "producer: {}\n", producer.error());
    return 1;
  }
  for (long n = first; n < first + count; ++n) {
    if (per_second > 0) {
      std::this_thread::sleep_until(started +
                                    std::chrono::microseconds((n - first) * 1000000 / per_second));
    }
    const std::string id = fmt::format("m-{}", n);
    const std::string to = fmt::format("user{}@example.com", n);
    const skew::envelope_fields fields{.id = id, .source = "/demo/producer"};
    const skew::result<void> sent =
        version >= 2
            ? producer.send<mail::SendEmail>(topic, mail::SendEmailV2{to, "welcome", "de"}, fields,
                                             id)
            : producer.send<mail::SendEmail>(topic, mail::SendEmailV1{to, "welcome"}, fields, id);
    if (!sent) {
      fmt::print(stderr, "producer: {}: {}\n", id, producer.error());
      return 1;
    }
  }
  // send-sms s-<n>: a type only build N+1 reads.
  for (long n = first; n < first + sms; ++n) {
    const std::string id = fmt::format("s-{}", n);
    if (!producer.send<mail::SendSms>(topic,
                                      mail::SendSmsV1{fmt::format("user{}@example.com", n), "hi"},
                                      {.id = id, .source = "/demo/producer"}, id)) {
      fmt::print(stderr, "producer: {}: {}\n", id, producer.error());
      return 1;
    }
  }
  for (long n = malformed_first; n < malformed_first + malformed; ++n) {
    const std::string id = fmt::format("bad-{}", n);
    std::vector<std::pair<std::string, std::string>> headers = {
        {"ce_specversion", "1.0"},
        {"ce_id", id},
        {"ce_source", "/demo/producer"},
        {"ce_type", "send-email"},
        {"content-type", "application/json"},
        {"x-test-id", id}};
    // Even: not JSON. Odd: JSON without the required `to`.
    std::string value =
        n % 2 == 0 ? R"({"to": "user@example.com", "templateId": )" : R"({"templateId":"welcome"})";
    if (!producer.send_record(topic, id, std::move(value), std::move(headers))) {
      fmt::print(stderr, "producer: {}: {}\n", id, producer.error());
      return 1;
    }
  }
  if (!producer.flush(std::chrono::seconds(60))) {
    fmt::print(stderr, "producer: not every record was acknowledged within 60 s\n");
    return 1;
  }
  fmt::print("produced {} v{}, {} send-sms and {} malformed\n", count, version, sms, malformed);
  return 0;
}

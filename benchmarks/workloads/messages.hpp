// The structs of the workload matrix (benchmarks/workloads.cpp): one per message shape, described
// for skew, plain aggregates for glaze's reflection, compared with == after every contender's
// first decode. Strings are owned and reused across decodes, as a consumer's struct would be.
#pragma once

#include <skew/skew.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace workloads {

// The job envelope, the envelope of a newer producer and the header-last envelope.
struct Job {
  std::string type;
  int schemaVersion = 0;
  std::string id;
  std::string tenant;
  int priority = 0;
  std::string createdAt;
  std::string payload;
  friend bool operator==(const Job&, const Job&) = default;
};
SKEW_DESCRIBE(Job, type, schemaVersion, id, tenant, priority, createdAt, payload)

// Order lines: a 20-50 KB message with an array of structs.
struct OrderLine {
  std::string sku;
  std::string name;
  std::int64_t quantity = 0;
  double unitPrice = 0;
  std::optional<double> discount;
  std::string warehouse;
  friend bool operator==(const OrderLine&, const OrderLine&) = default;
};
SKEW_DESCRIBE(OrderLine, sku, name, quantity, unitPrice, discount, warehouse)

struct Order {
  std::string type;
  int schemaVersion = 0;
  std::string orderId;
  std::string currency;
  std::vector<OrderLine> lines;
  double total = 0;
  friend bool operator==(const Order&, const Order&) = default;
};
SKEW_DESCRIBE(Order, type, schemaVersion, orderId, currency, lines, total)

// String-heavy: escapes and non-ASCII text.
struct Note {
  std::string type;
  int schemaVersion = 0;
  std::string author;
  std::string subject;
  std::string body;
  std::vector<std::string> lines;
  friend bool operator==(const Note&, const Note&) = default;
};
SKEW_DESCRIBE(Note, type, schemaVersion, author, subject, body, lines)

// Number-heavy: int64 and doubles, in structs and in plain arrays.
struct Sample {
  std::int64_t t = 0;
  double value = 0;
  std::int64_t count = 0;
  friend bool operator==(const Sample&, const Sample&) = default;
};
SKEW_DESCRIBE(Sample, t, value, count)

struct Metrics {
  std::string type;
  int schemaVersion = 0;
  std::string host;
  std::vector<Sample> samples;
  std::vector<std::int64_t> counters;
  std::vector<double> gauges;
  friend bool operator==(const Metrics&, const Metrics&) = default;
};
SKEW_DESCRIBE(Metrics, type, schemaVersion, host, samples, counters, gauges)

// GitHub webhooks: a handful of fields, nested ones included, out of 1-31 KB payloads.
struct Account {
  std::string login;
  std::int64_t id = 0;
  friend bool operator==(const Account&, const Account&) = default;
};
SKEW_DESCRIBE(Account, login, id)

struct Repository {
  std::int64_t id = 0;
  std::string full_name;
  bool is_private = false;  // "private"
  Account owner;
  friend bool operator==(const Repository&, const Repository&) = default;
};

struct Installation {
  std::int64_t id = 0;
  friend bool operator==(const Installation&, const Installation&) = default;
};
SKEW_DESCRIBE(Installation, id)

struct Webhook {
  std::optional<std::string> action;
  std::optional<Account> sender;
  std::optional<Repository> repository;
  std::optional<Installation> installation;
  friend bool operator==(const Webhook&, const Webhook&) = default;
};
SKEW_DESCRIBE(Webhook, action, sender, repository, installation)

// The payloads the envelope workloads' families carry: what a handler gets from dispatch (the
// header keys, type, schemaVersion and id, are the envelope's), and what a direct decode of the
// same payload reads.
struct JobBody {
  std::string tenant;
  int priority = 0;
  std::string createdAt;
  std::string payload;
  friend bool operator==(const JobBody&, const JobBody&) = default;
};
SKEW_DESCRIBE(JobBody, tenant, priority, createdAt, payload)
inline JobBody body_of(const Job& m) {
  return {m.tenant, m.priority, m.createdAt, m.payload};
}

struct OrderBody {
  std::string orderId;
  std::string currency;
  std::vector<OrderLine> lines;
  double total = 0;
  friend bool operator==(const OrderBody&, const OrderBody&) = default;
};
SKEW_DESCRIBE(OrderBody, orderId, currency, lines, total)
inline OrderBody body_of(const Order& m) {
  return {m.orderId, m.currency, m.lines, m.total};
}

struct NoteBody {
  std::string author;
  std::string subject;
  std::string body;
  std::vector<std::string> lines;
  friend bool operator==(const NoteBody&, const NoteBody&) = default;
};
SKEW_DESCRIBE(NoteBody, author, subject, body, lines)
inline NoteBody body_of(const Note& m) {
  return {m.author, m.subject, m.body, m.lines};
}

struct MetricsBody {
  std::string host;
  std::vector<Sample> samples;
  std::vector<std::int64_t> counters;
  std::vector<double> gauges;
  friend bool operator==(const MetricsBody&, const MetricsBody&) = default;
};
SKEW_DESCRIBE(MetricsBody, host, samples, counters, gauges)
inline MetricsBody body_of(const Metrics& m) {
  return {m.host, m.samples, m.counters, m.gauges};
}

}  // namespace workloads

template <>
struct skew::describe<workloads::Repository> {
  static constexpr auto fields =
      skew::fields(skew::member<&workloads::Repository::id>("id"),
                   skew::member<&workloads::Repository::full_name>("full_name"),
                   skew::member<&workloads::Repository::is_private>("private"),
                   skew::member<&workloads::Repository::owner>("owner"));
};

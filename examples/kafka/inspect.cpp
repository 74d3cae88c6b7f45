// What the Kafka demo's test checks, read from the cluster:
//
//   lag      `lag <topic> <partition> <committed> <end>` for the group on the main and retry topics
//   dlt      `dlt <x-test-id> <skew-reason> <original partition>:<original offset>` per dead letter
//   records  `record <id> <skew-reason> <skew-redrive-group> <ce_type>` per record of --topic
//   lag-of   `lag ...` for the group on --topic alone
#include <skew/adapters/kafka.hpp>

#include "arguments.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace {

int lag(skew::kafka::inspector& cluster, const std::string& group, const std::string& topic) {
  for (const std::string& name : {topic, topic + ".retry"}) {
    const auto partitions = cluster.lag(group, name);
    if (!partitions) {
      fmt::print(stderr, "inspect: {}\n", cluster.error());
      return 1;
    }
    for (const skew::kafka::partition_lag& p : *partitions) {
      fmt::print("lag {} {} {} {}\n", p.topic, p.partition, p.committed, p.end);
    }
  }
  return 0;
}

int dead_letters(skew::kafka::inspector& cluster, const std::string& topic) {
  const auto records = cluster.records(topic + ".dlt");
  if (!records) {
    fmt::print(stderr, "inspect: {}\n", cluster.error());
    return 1;
  }
  for (const skew::kafka::stored_record& r : *records) {
    const auto header = [&](std::string_view h) { return std::string(r.header(h).value_or("-")); };
    fmt::print("dlt {} {} {}:{}\n", header("x-test-id"), header(skew::kafka::header::reason),
               header(skew::kafka::header::original_partition),
               header(skew::kafka::header::original_offset));
  }
  return 0;
}

// `record <id> <skew-reason|-> <skew-redrive-group|-> <ce_type|-> <skew-group|->` per record of
// a topic: the id is the x-test-id header, else ce_id.
int records(skew::kafka::inspector& cluster, const std::string& topic) {
  const auto all = cluster.records(topic);
  if (!all) {
    fmt::print(stderr, "inspect: {}\n", cluster.error());
    return 1;
  }
  for (const skew::kafka::stored_record& r : *all) {
    const auto header = [&](std::string_view h) { return std::string(r.header(h).value_or("-")); };
    const std::string id = r.header("x-test-id") ? header("x-test-id") : header("ce_id");
    fmt::print("record {} {} {} {} {}\n", id, header(skew::kafka::header::reason),
               header(skew::kafka::header::redrive_group), header("ce_type"),
               header(skew::kafka::header::group));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr,
               "usage: {} lag|lag-of|dlt|records --bootstrap <list> [--group g] [--topic t]\n",
               argv[0]);
    return 2;
  }
  const demo::arguments args(argc - 1, argv + 1);
  const std::string bootstrap = args.get("--bootstrap", "127.0.0.1:9092");
  const std::string topic = args.get("--topic", "send-email");
  const std::string what = argv[1];
  skew::kafka::inspector cluster(bootstrap);
  if (what == "lag") return lag(cluster, args.get("--group", "mailers"), topic);
  if (what == "dlt") return dead_letters(cluster, topic);
  if (what == "records") return records(cluster, topic);
  if (what == "lag-of") {  // one topic only: `lag <topic> <partition> <committed> <end>`
    const auto partitions = cluster.lag(args.get("--group", "mailers"), topic);
    if (!partitions) {
      fmt::print(stderr, "inspect: {}\n", cluster.error());
      return 1;
    }
    for (const auto& p : *partitions) {
      fmt::print("lag {} {} {} {}\n", p.topic, p.partition, p.committed, p.end);
    }
    return 0;
  }
  fmt::print(stderr, "unknown command {}\n", what);
  return 2;
}

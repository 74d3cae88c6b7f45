// What the Kafka demo's test checks, read from the cluster:
//
//   lag   `lag <topic> <partition> <committed> <end>` for the group on the main and retry topics
//   dlt   `dlt <x-test-id> <skew-reason> <original partition>:<original offset>` per dead letter
#include <skew/kafka.hpp>

#include "arguments.hpp"

#include <fmt/core.h>

#include <string>
#include <vector>

namespace {

skew::detail::kafka_handle make_consumer(const std::string& bootstrap, const std::string& group) {
  std::string error;
  auto conf = skew::detail::make_kafka_conf({{"bootstrap.servers", bootstrap},
                                             {"group.id", group},
                                             {"enable.auto.commit", "false"},
                                             {"log_level", "3"}},
                                            error);
  auto handle =
      conf ? skew::detail::make_kafka_handle(RD_KAFKA_CONSUMER, std::move(conf), error) : nullptr;
  if (!handle) {
    fmt::print(stderr, "inspect: {}\n", error);
    std::exit(1);
  }
  return handle;
}

int partitions_of(rd_kafka_t* rk, const std::string& topic) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  int n = -1;
  if (rd_kafka_metadata(rk, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      n = md->topics[0].partition_cnt;
    }
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(t);
  return n;
}

int lag(const std::string& bootstrap, const std::string& group, const std::string& topic) {
  auto rk = make_consumer(bootstrap, group);
  for (const std::string& name : {topic, topic + ".retry"}) {
    const int n = partitions_of(rk.get(), name);
    if (n < 0) return 1;
    skew::detail::partition_list list(rd_kafka_topic_partition_list_new(n));
    for (int p = 0; p < n; ++p) rd_kafka_topic_partition_list_add(list.get(), name.c_str(), p);
    if (rd_kafka_committed(rk.get(), list.get(), 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) return 1;
    for (int p = 0; p < n; ++p) {
      std::int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(rk.get(), name.c_str(), p, &low, &high, 5000) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        return 1;
      }
      const std::int64_t committed = list->elems[p].offset < 0 ? low : list->elems[p].offset;
      fmt::print("lag {} {} {} {}\n", name, p, committed, high);
    }
  }
  return 0;
}

int dead_letters(const std::string& bootstrap, const std::string& topic) {
  auto rk = make_consumer(bootstrap, "skew-inspect");
  const std::string name = topic + ".dlt";
  const int n = partitions_of(rk.get(), name);
  if (n < 0) return 1;
  skew::detail::partition_list list(rd_kafka_topic_partition_list_new(n));
  std::int64_t remaining = 0;
  for (int p = 0; p < n; ++p) {
    std::int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(rk.get(), name.c_str(), p, &low, &high, 5000) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return 1;
    }
    remaining += high - low;
    rd_kafka_topic_partition_list_add(list.get(), name.c_str(), p)->offset = low;
  }
  if (rd_kafka_assign(rk.get(), list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return 1;
  std::vector<skew::message_header> headers;
  while (remaining > 0) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 5000);
    if (m == nullptr) return 1;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      --remaining;
      skew::detail::read_headers(m, headers);
      const auto header = [&](std::string_view h) {
        return std::string(skew::detail::find_header(headers, h).value_or("-"));
      };
      fmt::print("dlt {} {} {}:{}\n", header("x-test-id"), header(skew::kafka::header::reason),
                 header(skew::kafka::header::original_partition),
                 header(skew::kafka::header::original_offset));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk.get());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: {} lag|dlt --bootstrap <list> [--group g] [--topic t]\n", argv[0]);
    return 2;
  }
  const demo::arguments args(argc - 1, argv + 1);
  const std::string bootstrap = args.get("--bootstrap", "127.0.0.1:9092");
  const std::string topic = args.get("--topic", "send-email");
  const std::string what = argv[1];
  if (what == "lag") return lag(bootstrap, args.get("--group", "mailers"), topic);
  if (what == "dlt") return dead_letters(bootstrap, topic);
  fmt::print(stderr, "unknown command {}\n", what);
  return 2;
}

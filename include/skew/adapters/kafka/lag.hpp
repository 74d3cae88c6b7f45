// Consumer lag per partition for Prometheus: `skew_kafka_consumer_lag{group,topic,partition}`,
// a gauge beside the router's and the adapter's counters, from consumer::lag() or
// inspector::lag() (kafka/inspect.hpp measures it).
//
//   if (auto lags = consumer.lag()) body += skew::kafka::lag_prometheus_text(*lags, "mailers");
#pragma once

#include <skew/adapters/kafka/inspect.hpp>
#include <skew/base/detail/prometheus.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace skew::kafka {

// One gauge per partition, in the Prometheus text exposition (0.0.4). Every consumer of a group
// reports the group's lag: aggregate with max, not sum.
inline std::string lag_prometheus_text(const std::vector<partition_lag>& lags,
                                       std::string_view group, std::string_view prefix = "skew") {
  const std::string name = std::string(prefix) + "_kafka_consumer_lag";
  std::string out = "# HELP " + name +
                    " Records of a partition past the consumer group's committed offset.\n" +
                    "# TYPE " + name + " gauge\n";
  for (const partition_lag& l : lags) {
    out += name + "{group=\"";
    detail::append_label_value(out, group);
    out += "\",topic=\"";
    detail::append_label_value(out, l.topic);
    out +=
        "\",partition=\"" + std::to_string(l.partition) + "\"} " + std::to_string(l.lag()) + '\n';
  }
  return out;
}

}  // namespace skew::kafka

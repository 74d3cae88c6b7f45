// kafka_cluster: a Kafka cluster for trying skew and testing with it, installed beside the skew
// command: librdkafka's mock cluster (rdkafka_mock.h), which speaks the Kafka protocol on loopback
// sockets, so separate processes reach it through its bootstrap list. It creates a topic with its
// retry, dead-letter, parked and manifests topics with fixed partition leaders, prints
// `bootstrap <list>`, then takes commands on stdin, one per line:
//
//   down <broker>   the broker stops answering (its connections close)
//   up <broker>     it is back
//   leaders         prints `leader <topic> <partition> <broker>` for the main topic
//   quit            stops the cluster
//
// When its input closes it keeps running until SIGINT or SIGTERM, so that a script can start it
// in the background (`kafka_cluster </dev/null &`).
//
//   kafka_cluster [--brokers 3] [--partitions 6] [--topic send-email] [--group mailers] Leaders are
//   fixed so that a test knows what a broker leads:
// partition p of the main topic is led by broker p % brokers + 1, the retry and dead-letter
// topics by the others, and the group coordinator sits on the last broker.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <fmt/core.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace {

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void request_stop(int) {
  stop_requested = 1;
}

// --name value pairs.
std::string option(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int brokers = std::atoi(option(argc, argv, "--brokers", "3").c_str());
  const int partitions = std::atoi(option(argc, argv, "--partitions", "6").c_str());
  const std::string topic = option(argc, argv, "--topic", "send-email");
  const std::string group = option(argc, argv, "--group", "mailers");
  if (brokers < 1 || partitions < 1) {
    fmt::print(stderr,
               "usage: kafka_cluster [--brokers N] [--partitions N] [--topic T] "
               "[--group G]\n");
    return 2;
  }
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (rk == nullptr) {
    fmt::print(stderr, "cluster: {}\n", error);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    fmt::print(stderr, "cluster: the mock cluster could not start\n");
    return 1;
  }
  const auto create = [&](const std::string& name, int count, bool led_by_main_brokers) {
    if (rd_kafka_mock_topic_create(cluster, name.c_str(), count, brokers) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      fmt::print(stderr, "cluster: cannot create {}\n", name);
      std::exit(1);
    }
    for (int p = 0; p < count; ++p) {
      // The side topics avoid broker 1, so that taking it down touches the main topic only.
      const int leader = led_by_main_brokers ? p % brokers + 1 : p % (brokers - 1) + 2;
      rd_kafka_mock_partition_set_leader(cluster, name.c_str(), p, leader);
    }
  };
  create(topic, partitions, true);
  create(topic + ".retry", partitions, brokers < 2);
  create(topic + ".dlt", 3, brokers < 2);
  create(topic + ".parked", 1, brokers < 2);
  create(topic + ".manifests", 1, brokers < 2);
  rd_kafka_mock_coordinator_set(cluster, "group", group.c_str(), brokers);

  fmt::print("bootstrap {}\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);

  std::string line;
  while (stop_requested == 0 && std::getline(std::cin, line)) {
    if (line == "quit") break;
    if (line.starts_with("down ") || line.starts_with("up ")) {
      const bool down = line.starts_with("down ");
      const int id = std::stoi(line.substr(down ? 5 : 3));
      const auto err = down ? rd_kafka_mock_broker_set_down(cluster, id)
                            : rd_kafka_mock_broker_set_up(cluster, id);
      fmt::print("{} {} {}\n", down ? "down" : "up", id, rd_kafka_err2str(err));
    } else if (line == "leaders") {
      for (int p = 0; p < partitions; ++p) {
        fmt::print("leader {} {} {}\n", topic, p, p % brokers + 1);
      }
    } else if (!line.empty()) {
      fmt::print("unknown command: {}\n", line);
    }
    std::fflush(stdout);
  }
  if (!std::cin) {
    while (stop_requested == 0) ::pause();  // input closed: serve until a signal
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}

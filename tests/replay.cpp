// dispatch/replay.hpp and router::dry_run: the capture format, the dry run (nothing handled,
// everything decided), and the comparison of two builds' outcomes on one capture.
#include <skew/dispatch/replay.hpp>
#include <skew/dispatch/router.hpp>
#include <skew/envelope/binary_mode.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace replay_test {
struct OrderV1 {
  std::string sku;
};
SKEW_DESCRIBE(OrderV1, sku)
struct OrderV2 {
  std::string sku;
  int quantity = 1;
};
SKEW_DESCRIBE(OrderV2, sku, quantity)
inline OrderV2 upcast(const OrderV1& v) {
  return {v.sku, 1};
}
}  // namespace replay_test

using OrderN = skew::message<"order", skew::version<1, replay_test::OrderV1>>;
using OrderN1 = skew::message<"order", skew::version<1, replay_test::OrderV1>,
                              skew::version<2, replay_test::OrderV2>>;

namespace {

skew::captured_message structured(std::string source, std::string json) {
  skew::captured_message m;
  m.source = std::move(source);
  m.value = std::move(json);
  return m;
}

std::vector<skew::captured_message> sample() {
  return {structured("t/0/0", R"({"type":"order","schemaVersion":1,"id":"o-1","sku":"a"})"),
          structured("t/0/1",
                     R"({"type":"order","schemaVersion":2,"id":"o-2","sku":"b","quantity":2})"),
          structured("t/0/2",
                     R"({"type":"order","schemaVersion":2,"id":"o-3","sku":"c","quantity":3})"),
          structured("t/0/3", "{not json")};
}

}  // namespace

TEST_CASE("a capture line carries headers, key and value, and bytes that are not UTF-8") {
  skew::captured_message m = structured("orders/3/17", R"({"type":"order"})");
  m.headers = {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}};
  m.key = "customer-9";
  const auto line = skew::capture_line(m);
  REQUIRE(line);
  CHECK(line->find('\n') == std::string::npos);
  skew::decoder d;
  const auto back = d.decode<skew::captured_message>(*line);
  REQUIRE(back);
  CHECK(back->source == "orders/3/17");
  CHECK(back->headers.at(0).name == "traceparent");
  CHECK(back->key == "customer-9");
  CHECK(back->bytes() == m.value);

  skew::captured_message binary = structured("s/1-0", std::string("\xff\xfe\x00\x01z", 5));
  const auto encoded = skew::capture_line(binary);
  REQUIRE(encoded);
  CHECK(encoded->find("\"value_base64\":\"//4AAXo=\"") != std::string::npos);
  const auto read = d.decode<skew::captured_message>(*encoded);
  REQUIRE(read);
  CHECK_FALSE(read->value);
  CHECK(read->bytes() == std::string("\xff\xfe\x00\x01z", 5));
  for (std::string bytes : {"", "a", "ab", "abc", "abcd"}) {
    CHECK(skew::detail::base64_decoded(skew::detail::base64_encoded(bytes)) == bytes);
  }
  CHECK_FALSE(skew::detail::base64_decoded("abc"));
  CHECK_FALSE(skew::detail::base64_decoded("ab!="));
}

TEST_CASE("a dry run decides like dispatch and calls no handler") {
  skew::router<OrderN1> router;
  int calls = 0;
  router.on<OrderN1>([&](const replay_test::OrderV2&) {
    ++calls;
    return skew::outcome::dead_letter();
  });
  const auto v1 = router.dry_run(R"({"type":"order","schemaVersion":1,"id":"x","sku":"a"})");
  CHECK(v1.action == skew::action::ack);
  CHECK(v1.reason == skew::reason::handled);
  CHECK(v1.version == 1u);
  CHECK(v1.id == "x");
  CHECK(router.dry_run(R"({"type":"order","schemaVersion":3,"sku":"a"})").reason ==
        skew::reason::unsupported_version);
  CHECK(router.dry_run(R"({"type":"order","schemaVersion":2,"sku":7})").reason ==
        skew::reason::invalid_payload);
  CHECK(calls == 0);
  // The upcast was taken, and counted.
  const auto stats = router.stats();
  REQUIRE_FALSE(stats.messages.empty());
  CHECK(stats.messages.front().upcast_hops == 1);
  // Outside a dry run the handler runs again.
  CHECK(router.dispatch(R"({"type":"order","schemaVersion":2,"sku":"a","quantity":1})").action ==
        skew::action::dead_letter);
  CHECK(calls == 1);
}

TEST_CASE("a candidate without the v2 handler regresses what the current build handles") {
  skew::router<OrderN1> current;
  current.on<OrderN1>([](const replay_test::OrderV2&) { return skew::outcome::ack(); });
  skew::router<OrderN> candidate;  // a rollback, say: v1 only
  candidate.on<OrderN>([](const replay_test::OrderV1&) { return skew::outcome::ack(); });
  const auto messages = sample();
  const auto now = skew::replay(current, messages);
  const auto next = skew::replay(candidate, messages);
  REQUIRE(now.size() == 4);
  CHECK(now[1].action == "ack");
  CHECK(next[1].reason == "unsupported_version");
  const skew::replay_comparison c = skew::compare_replays(now, next);
  CHECK_FALSE(c.ok());
  REQUIRE(c.rows.size() == 3);
  CHECK_FALSE(c.rows[0].regression);  // v1: both handle it
  CHECK(c.rows[1].regression);
  CHECK(c.rows[1].count == 2);
  CHECK(c.rows[1].example_id == "o-2");
  const auto skew_policy = candidate.policy_for(skew::reason::unsupported_version).action;
  CHECK(c.rows[1].candidate == std::string(to_string(skew_policy)) + "/unsupported_version");
  CHECK_FALSE(c.rows[2].regression);  // malformed for both
  CHECK(c.text().find("REGRESSION (e.g. id o-2)") != std::string::npos);
  // The other way round (N to N+1) nothing the current build handles is lost.
  CHECK(skew::compare_replays(next, now).ok());
}

TEST_CASE("outcome lists of different captures are refused") {
  skew::router<OrderN1> r;
  r.on<OrderN1>([](const replay_test::OrderV2&) { return skew::outcome::ack(); });
  auto messages = sample();
  const auto a = skew::replay(r, messages);
  messages.pop_back();
  CHECK(skew::compare_replays(a, skew::replay(r, messages)).error ==
        "the builds replayed 4 and 3 messages: not the same capture");
  messages.push_back(structured("elsewhere", "{}"));
  CHECK_FALSE(skew::compare_replays(a, skew::replay(r, messages)).ok());
}

TEST_CASE("binary-mode messages replay from their headers") {
  skew::router<OrderN1> r;
  r.set_format(skew::envelope_format::cloudevents());
  r.on<OrderN1>([](const replay_test::OrderV2&) { return skew::outcome::ack(); });
  auto event =
      skew::encode_binary<OrderN1>(replay_test::OrderV2{"z", 2}, {.id = "b-1", .source = "/shop"});
  REQUIRE(event);
  skew::captured_message m;
  m.source = "orders/0/9";
  for (const auto& [name, value] : event->headers) m.headers.push_back({name, value});
  m.value = event->data;
  const std::vector<skew::captured_message> one{m};
  const auto out = skew::replay(r, one);
  REQUIRE(out.size() == 1);
  CHECK(out[0].reason == "handled");
  CHECK(out[0].id == "b-1");
  CHECK(out[0].version == 2u);
}

TEST_CASE("replay_main answers --skew-replay and leaves other command lines alone") {
  skew::router<OrderN1> r;
  r.on<OrderN1>([](const replay_test::OrderV2&) { return skew::outcome::ack(); });
  const std::string path = std::string(SKEW_BINARY_DIR) + "/replay_sample.jsonl";
  {
    std::ofstream out(path);
    for (const auto& m : sample()) out << skew::capture_line(m).value() << "\n";
  }
  char program[] = "consumer";
  char flag[] = "--skew-replay";
  std::string missing = path + ".absent";
  char* plain[] = {program, nullptr};
  CHECK_FALSE(skew::replay_main(r, 1, plain));
  char* with_missing[] = {program, flag, missing.data(), nullptr};
  CHECK(skew::replay_main(r, 3, with_missing) == 2);
  std::string p = path;
  char* with_file[] = {program, flag, p.data(), nullptr};
  CHECK(skew::replay_main(r, 3, with_file) == 0);
  std::string error;
  const auto read = skew::read_capture(path, error);
  REQUIRE(read);
  CHECK(read->size() == 4);
  std::remove(path.c_str());
}

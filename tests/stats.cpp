// Router counters: per (type, version, reason, action), upcast hops, ignored keys, alias reads;
// the snapshot's formatter and the Prometheus exposition.
#include <skew/dispatch/router.hpp>
#include <skew/dispatch/stats.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

namespace stats_test {
struct V1 {
  std::string to;
};
SKEW_DESCRIBE(V1, to)
struct V2 {
  std::string to;
  std::string locale;
};
SKEW_DESCRIBE(V2, to, locale)
struct V3 {
  std::string to;
  std::string locale;
  long amount_minor = 0;
};
V2 upcast(V1&& v) {
  return {std::move(v.to), "en"};
}
V3 upcast(V2&& v) {
  return {std::move(v.to), std::move(v.locale), 0};
}
}  // namespace stats_test

template <>
struct skew::describe<stats_test::V3> {
  static constexpr auto fields = skew::fields(
      skew::member<&stats_test::V3::to>("to"), skew::member<&stats_test::V3::locale>("locale"),
      skew::member<&stats_test::V3::amount_minor>("amount_minor").alias("amountCents"));
};

using Mail = skew::message<"mail", stats_test::V1, stats_test::V2, stats_test::V3>;

TEST_CASE("stats count outcomes per type, version, reason and action") {
  skew::router<Mail> router;
  router.on<Mail>([](const stats_test::V3&, const skew::envelope_view&) {});
  for (int i = 0; i < 3; ++i)
    router.dispatch(R"({"type":"mail","schemaVersion":1,"to":"a","x":1,"y":2})");
  router.dispatch(R"({"type":"mail","schemaVersion":3,"to":"a","locale":"de","amountCents":5})");
  router.dispatch(
      R"({"type":"mail","schemaVersion":3,"to":"a","locale":"de","amount_minor":5,"amountCents":5})");
  router.dispatch(R"({"type":"mail","schemaVersion":9})");
  router.dispatch(R"({"type":"new-kind","schemaVersion":1})");
  router.dispatch(R"({"type":"new-kind","schemaVersion":1})");
  router.dispatch(R"(not json)");
  router.dispatch(R"({"type":"mail","schemaVersion":2,"to":7})");

  const skew::router_stats s = router.stats();
  const auto* v1 = s.find("mail", 1);
  REQUIRE(v1 != nullptr);
  CHECK(v1->count(skew::reason::handled) == 3);
  CHECK(v1->count(skew::action::ack) == 3);
  CHECK(v1->upcast_hops == 6);  // 1 -> 2 -> 3, three times
  CHECK(v1->ignored_keys == 6);
  const auto* v3 = s.find("mail", 3);
  REQUIRE(v3 != nullptr);
  CHECK(v3->count(skew::reason::handled) == 2);
  CHECK(v3->upcast_hops == 0);
  CHECK(s.find("mail", 9)->count(skew::reason::unsupported_version) == 1);
  CHECK(s.find("mail", 9)->count(skew::action::retry) == 1);
  CHECK(s.find("new-kind", 1)->count(skew::reason::unknown_type) == 2);
  CHECK(s.find("", 0)->count(skew::reason::malformed) == 1);
  CHECK(s.find("mail", 2)->count(skew::reason::invalid_payload) == 1);
  CHECK(s.total() == 10);
  CHECK(s.total(skew::action::dead_letter) == 2);
  // Only the message carrying the old name alone counts: a dual-written one does not depend on it.
  CHECK(s.alias_read_count("mail", "amountCents") == 1);
  CHECK(s.alias_read_count("mail", "amount_minor") == 0);

  const std::string text = fmt::format("{}", s);
  CHECK(text.find("mail v1: 3 (handled 3; ack 3), 6 upcast hops, 6 ignored keys") !=
        std::string::npos);
  CHECK(text.find("new-kind v1: 2 (unknown_type 2; retry 2)") != std::string::npos);
  CHECK(text.find("mail v3: old name \"amountCents\" read 1 times") != std::string::npos);
}

TEST_CASE("to_prometheus writes the text exposition format with escaped labels") {
  skew::router<Mail> router;
  router.on<Mail>([](const stats_test::V3&, const skew::envelope_view&) {});
  router.dispatch(R"({"type":"mail","schemaVersion":1,"to":"a"})");
  router.dispatch(R"({"type":"we\"ird\n","schemaVersion":4})");
  const std::string text = skew::to_prometheus(router.stats());
  CHECK(text.find("# TYPE skew_messages_total counter\n") != std::string::npos);
  CHECK(text.find("skew_messages_total{type=\"mail\",version=\"1\",reason=\"handled\","
                  "action=\"ack\"} 1\n") != std::string::npos);
  CHECK(text.find("skew_messages_total{type=\"we\\\"ird\\n\",version=\"4\","
                  "reason=\"unknown_type\",action=\"retry\"} 1\n") != std::string::npos);
  CHECK(text.find("skew_upcast_hops_total{type=\"mail\",version=\"1\"} 2\n") != std::string::npos);
  CHECK(text.find("# TYPE skew_alias_reads_total counter") != std::string::npos);
  // Every sample line is `name{labels} value`.
  std::size_t samples = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = text.find('\n', pos);
    REQUIRE(end != std::string::npos);
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("# ", 0) == 0) continue;
    ++samples;
    CHECK(line.rfind("skew_", 0) == 0);
    CHECK(line.find("} ") != std::string::npos);
  }
  CHECK(samples == 8);  // 2 message, 2 upcast, 2 ignored-key, 2 invalid-trace-context lines
  CHECK(skew::to_prometheus(router.stats(), "app_skew").find("app_skew_messages_total{") !=
        std::string::npos);
}

TEST_CASE("the counter table is bounded: invented types beyond it share the overflow bucket") {
  skew::router<Mail> router;
  for (int i = 0; i < 300; ++i) {
    router.dispatch(fmt::format(R"({{"type":"t{}","schemaVersion":1}})", i));
  }
  const auto s = router.stats();
  // 128 slots, 3 of them claimed up front for mail v1..v3, plus the overflow bucket.
  CHECK(s.messages.size() == 125 + 1);
  const auto* other = s.find("_other", 0);
  REQUIRE(other != nullptr);
  CHECK(other->count(skew::reason::unknown_type) == 300 - 125);
  CHECK(s.total() == 300);
}

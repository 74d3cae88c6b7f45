// One decoder per thread, one shared router with its counters, four threads: run under
// ThreadSanitizer by the `tsan` preset (label `concurrency`), and in every other build too.
#include <skew/skew.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace conc {
struct V1 {
  std::string to;
};
SKEW_DESCRIBE(V1, to)
struct V2 {
  std::string to;
  std::string locale;
};
SKEW_DESCRIBE(V2, to, locale)
V2 upcast(V1&& v) {
  return {std::move(v.to), "en"};
}
}  // namespace conc
using Mail = skew::message<"mail", conc::V1, conc::V2>;

TEST_CASE("four threads dispatch through one router; counters add up exactly") {
  skew::router<Mail> router;
  std::atomic<long> handled{0};
  router.on<Mail>([&](const conc::V2& m, const skew::envelope_view& env) {
    if (!m.to.empty() && !env.id.empty()) handled.fetch_add(1, std::memory_order_relaxed);
  });
  constexpr int threads = 4;
  constexpr int per_thread = 5000;
  std::vector<std::thread> workers;
  std::atomic<int> wrong{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      skew::decoder decoder;  // one per thread
      for (int i = 0; i < per_thread; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        std::string json;
        switch (i % 4) {
          case 0:
            json = R"({"type":"mail","schemaVersion":1,"id":")" + id + R"(","to":"a@b"})";
            break;
          case 1:
            json = R"({"type":"mail","schemaVersion":2,"id":")" + id +
                   R"(","to":"a@b","locale":"de"})";
            break;
          case 2:
            json = R"({"type":"t)" + std::to_string(t) + R"(","schemaVersion":1,"id":")" + id +
                   R"("})";
            break;
          default:
            json = R"({"type":"mail","schemaVersion":2,"id":")" + id + R"(","to":1})";
            break;
        }
        const auto o = (i % 2 == 0) ? router.dispatch(decoder, json) : router.dispatch(json);
        const bool ok = (i % 4 < 2) == (o.action == skew::action::ack);
        if (!ok) wrong.fetch_add(1);
      }
    });
  }
  // What the README allows while other threads dispatch: snapshots, can_handle, and the
  // router's read-only accessors (the tsan preset runs this test).
  int answers = 0;
  for (int i = 0; i < 20; ++i) {
    (void)router.stats();
    answers += router.can_handle("mail", 1) ? 1 : 0;
    answers += router.can_handle("mail", 3) ? 1 : 0;
    answers += router.policy_for(skew::reason::unknown_type).action == skew::action::retry ? 1 : 0;
    answers += router.format().type_key == "type" ? 1 : 0;
  }
  CHECK(answers == 60);
  for (auto& w : workers) w.join();
  CHECK(wrong == 0);
  CHECK(handled == threads * per_thread / 2);
  const auto s = router.stats();
  CHECK(s.total() == threads * per_thread);
  CHECK(s.find("mail", 1)->count(skew::reason::handled) == threads * per_thread / 4);
  CHECK(s.find("mail", 1)->upcast_hops == threads * per_thread / 4);
  CHECK(s.find("mail", 2)->count(skew::reason::invalid_payload) == threads * per_thread / 4);
  for (int t = 0; t < threads; ++t) {
    CHECK(s.find("t" + std::to_string(t), 1)->count(skew::reason::unknown_type) == per_thread / 4);
  }
}

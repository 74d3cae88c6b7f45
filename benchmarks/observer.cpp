// Workload 6: the observer hook's cost on the dispatch path. One flat envelope dispatched by
// one router with no observer (the baseline: the hook idle, a test per dispatch), with an
// observer whose calls do nothing (the cost of observing: clocks, the copied facts, two virtual
// calls), and with the processing-duration histogram. Same binary, same run.
#include <skew/dispatch/duration_histogram.hpp>
#include <skew/dispatch/observer.hpp>
#include <skew/dispatch/router.hpp>

#include <benchmark/benchmark.h>

#include <string>

#include "alloc_counter.hpp"

namespace observer_bench {
struct EmailV2 {
  std::string to;
  std::string templateId;
  std::string locale;
};
SKEW_DESCRIBE(EmailV2, to, templateId, locale)
}  // namespace observer_bench

using Email = skew::message<"send-email", observer_bench::EmailV2>;

namespace {

const std::string message =
    R"({"type":"send-email","schemaVersion":1,"id":"4f6c2a52-7d1e-4c55-9c1e-0b7f7f1d2c3a",)"
    R"("to":"someone@example.com","templateId":"welcome","locale":"de"})";

struct idle_observer : skew::observer {};

void run(benchmark::State& state, skew::observer* watcher) {
  skew::router<Email> router;
  long seen = 0;
  router.on<Email>(
      [&](const observer_bench::EmailV2& m) { seen += static_cast<long>(m.to.size()); });
  router.set_observer(watcher);
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    skew::outcome o = router.dispatch(message);
    benchmark::DoNotOptimize(o);
  }
  bench::report_allocations(state, before, message.size());
  if (seen == 0) state.SkipWithError("not handled");
}

void BM_no_observer(benchmark::State& state) {
  run(state, nullptr);
}
void BM_idle_observer(benchmark::State& state) {
  idle_observer o;
  run(state, &o);
}
void BM_histogram(benchmark::State& state) {
  skew::process_duration_histogram h;
  run(state, &h);
}

}  // namespace

BENCHMARK(BM_no_observer)->Name("observer/none");
BENCHMARK(BM_idle_observer)->Name("observer/calls_that_do_nothing");
BENCHMARK(BM_histogram)->Name("observer/duration_histogram");

BENCHMARK_MAIN();

// router.dispatch against decoding the same message directly with the decoder (same binary, run).
#include <skew/skew.hpp>

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "alloc_counter.hpp"
#include "job_envelope.hpp"

namespace jobs {
struct RenderV1 {
  std::string tenant;
  int priority = 0;
  std::string payload;
};
SKEW_DESCRIBE(RenderV1, tenant, priority, payload)
struct RenderV2 {
  std::string tenant;
  int priority = 0;
  std::string payload;
  std::string createdAt;
};
SKEW_DESCRIBE(RenderV2, tenant, priority, payload, createdAt)
RenderV2 upcast(RenderV1&& v) {
  return {std::move(v.tenant), v.priority, std::move(v.payload), ""};
}
}  // namespace jobs

using Render = skew::message<"render-report", jobs::RenderV1, jobs::RenderV2>;

namespace {

constexpr std::string_view header_first = bench::job_json;

constexpr std::string_view header_last =
    R"({"tenant":"acme-corp","attempt":1,"priority":5,"createdAt":"2026-11-26T08:22:27Z",)"
    R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",)"
    R"("producer":{"service":"scheduler","build":"2026.11.3"},"queue":"reports",)"
    R"("deadlineMs":30000,"payload":"quarterly-revenue-q3",)"
    R"("id":"4f1c2a9e-8b7d-4c3e-9a21-6d5f0e7b8c90","schemaVersion":2,"type":"render-report"})";

void BM_decode(benchmark::State& state, std::string_view json) {
  skew::decoder decoder;
  jobs::RenderV2 out;
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    auto status = decoder.decode_into(out, json);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(out);
  }
  bench::report_allocations(state, before, json.size());
}

void BM_dispatch(benchmark::State& state, std::string_view json) {
  skew::router<Render> router;
  long handled = 0;
  router.on<Render>(
      [&](const jobs::RenderV2& m, const skew::envelope_view&) { handled += m.priority; });
  skew::decoder decoder;
  if (router.dispatch(decoder, json).action != skew::action::ack) {
    state.SkipWithError("dispatch did not ack");
    return;
  }
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    auto o = router.dispatch(decoder, json);
    benchmark::DoNotOptimize(o);
  }
  bench::report_allocations(state, before, json.size());
  benchmark::DoNotOptimize(handled);
}

}  // namespace

BENCHMARK_CAPTURE(BM_decode, header_first, header_first)->Name("header_first/decode_into");
BENCHMARK_CAPTURE(BM_dispatch, header_first, header_first)->Name("header_first/dispatch");
BENCHMARK_CAPTURE(BM_decode, header_last, header_last)->Name("header_last/decode_into");
BENCHMARK_CAPTURE(BM_dispatch, header_last, header_last)->Name("header_last/dispatch");

BENCHMARK_MAIN();

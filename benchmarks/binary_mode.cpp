// Workload 5: one CloudEvent dispatched in structured content mode (the baseline: the event as
// one JSON document) and in Kafka binary content mode (ce_ headers and the data as the value),
// same router, same binary, same run. Both events are written by skew's encoders.
#include <skew/dispatch/router.hpp>
#include <skew/envelope/binary_mode.hpp>

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "alloc_counter.hpp"

namespace ce_bench {
struct EmailV2 {
  std::string to;
  std::string templateId;
  std::string locale;
};
SKEW_DESCRIBE(EmailV2, to, templateId, locale)
}  // namespace ce_bench

using Email = skew::message<"send-email", ce_bench::EmailV2>;

namespace {

const ce_bench::EmailV2 sample{"someone@example.com", "welcome", "de"};
const skew::envelope_fields fields{.id = "4f6c2a52-7d1e-4c55-9c1e-0b7f7f1d2c3a",
                                   .source = "/services/mailer",
                                   .time = "2026-12-02T10:00:00Z"};

struct counting_router {
  skew::router<Email> router;
  long seen = 0;
  counting_router() {
    router.set_format(skew::envelope_format::cloudevents());
    router.on<Email>(
        [this](const ce_bench::EmailV2& m) { seen += static_cast<long>(m.to.size()); });
  }
};

void BM_structured(benchmark::State& state) {
  const std::string json =
      skew::encode<Email>(sample, fields, skew::envelope_format::cloudevents()).value();
  counting_router r;
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    skew::outcome o = r.router.dispatch(json);
    benchmark::DoNotOptimize(o);
  }
  bench::report_allocations(state, before, json.size());
  if (r.seen == 0) state.SkipWithError("not handled");
}

void BM_binary(benchmark::State& state) {
  const skew::binary_event event = skew::encode_binary<Email>(sample, fields).value();
  std::vector<skew::message_header> headers;
  std::size_t bytes = event.data->size();
  for (const auto& [name, value] : event.headers) {
    headers.push_back({name, value});
    bytes += name.size() + value.size();
  }
  counting_router r;
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    skew::outcome o = r.router.dispatch(headers, *event.data);
    benchmark::DoNotOptimize(o);
  }
  bench::report_allocations(state, before, bytes);
  if (r.seen == 0) state.SkipWithError("not handled");
}

}  // namespace

BENCHMARK(BM_structured)->Name("cloudevent/structured");
BENCHMARK(BM_binary)->Name("cloudevent/binary_kafka");

BENCHMARK_MAIN();

// Decoding a small job envelope: skew against a hand-written simdjson On-Demand loop that extracts
// the same fields in the same binary (the loop most teams would write by hand).
//
// Message: ~360 bytes, 12 keys, 5 of them unknown to the reader (one a nested object).
#include <skew/skew.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "alloc_counter.hpp"
#include "job_envelope.hpp"

namespace jobs {

struct Job {
  std::string type;
  int schemaVersion = 0;
  std::string id;
  std::string tenant;
  int priority = 0;
  std::string createdAt;
  std::string payload;
  friend bool operator==(const Job&, const Job&) = default;
};
SKEW_DESCRIBE(Job, type, schemaVersion, id, tenant, priority, createdAt, payload)

struct JobView {
  std::string_view type;
  int schemaVersion = 0;
  std::string_view id;
  std::string_view tenant;
  int priority = 0;
  std::string_view createdAt;
  std::string_view payload;
  friend bool operator==(const JobView&, const JobView&) = default;
};
SKEW_DESCRIBE(JobView, type, schemaVersion, id, tenant, priority, createdAt, payload)

}  // namespace jobs

namespace {

using bench::job_json;

namespace od = simdjson::ondemand;

// The baseline: one pass over the fields, unescaped_key() compared against each name.
template <class Job>
bool handwritten(od::parser& parser, const simdjson::padded_string& json, Job& out) {
  od::document doc;
  if (parser.iterate(json).get(doc)) return false;
  od::object object;
  if (doc.get_object().get(object)) return false;
  auto str = [](od::value v, auto& target) {
    std::string_view s;
    if (v.get_string().get(s)) return false;
    target = s;
    return true;
  };
  auto num = [](od::value v, int& target) {
    int64_t x;
    if (v.get_int64().get(x)) return false;
    target = static_cast<int>(x);
    return true;
  };
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    bool ok = true;
    if (key == "type") {
      ok = str(field.value(), out.type);
    } else if (key == "schemaVersion") {
      ok = num(field.value(), out.schemaVersion);
    } else if (key == "id") {
      ok = str(field.value(), out.id);
    } else if (key == "tenant") {
      ok = str(field.value(), out.tenant);
    } else if (key == "priority") {
      ok = num(field.value(), out.priority);
    } else if (key == "createdAt") {
      ok = str(field.value(), out.createdAt);
    } else if (key == "payload") {
      ok = str(field.value(), out.payload);
    }
    if (!ok) return false;
  }
  return true;
}

const simdjson::padded_string& input() {
  static const simdjson::padded_string padded(job_json);
  return padded;
}

void report_allocations(benchmark::State& state, std::size_t before) {
  bench::report_allocations(state, before, job_json.size());
}

template <class Job>
void BM_handwritten(benchmark::State& state) {
  od::parser parser;
  Job job;
  if (!handwritten(parser, input(), job)) state.SkipWithError("baseline failed");
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    bool ok = handwritten(parser, input(), job);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(job);
  }
  report_allocations(state, before);
}

template <class Job, bool Validate>
void BM_skew_decode_into(benchmark::State& state) {
  skew::decoder decoder;
  skew::options opts;
  opts.validate_skipped = Validate;
  Job job;
  {
    od::parser parser;
    Job expected;
    handwritten(parser, input(), expected);
    if (!decoder.decode_into(job, input(), opts) || !(job == expected)) {
      state.SkipWithError("skew output differs from the baseline");
      return;
    }
  }
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    auto status = decoder.decode_into(job, input(), opts);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(job);
  }
  report_allocations(state, before);
}

template <class Job, bool Validate>
void BM_skew_decode(benchmark::State& state) {
  skew::decoder decoder;
  skew::options opts;
  opts.validate_skipped = Validate;
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    auto job = decoder.decode<Job>(input(), opts);
    benchmark::DoNotOptimize(job);
  }
  report_allocations(state, before);
}

// Unpadded input: the decoder copies it into its own padded buffer first.
template <class Job>
void BM_skew_decode_into_string_view(benchmark::State& state) {
  skew::decoder decoder;
  skew::options opts;
  opts.validate_skipped = false;
  Job job;
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    auto status = decoder.decode_into(job, job_json, opts);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(job);
  }
  report_allocations(state, before);
}

}  // namespace

BENCHMARK(BM_handwritten<jobs::Job>)->Name("owned/handwritten_simdjson");
BENCHMARK(BM_skew_decode_into<jobs::Job, false>)->Name("owned/skew_decode_into");
BENCHMARK(BM_skew_decode_into<jobs::Job, true>)->Name("owned/skew_decode_into_validated");
BENCHMARK(BM_skew_decode<jobs::Job, false>)->Name("owned/skew_decode_fresh");
BENCHMARK(BM_skew_decode_into_string_view<jobs::Job>)->Name("owned/skew_decode_into_copy_input");
BENCHMARK(BM_handwritten<jobs::JobView>)->Name("views/handwritten_simdjson");
BENCHMARK(BM_skew_decode_into<jobs::JobView, false>)->Name("views/skew_decode_into");
BENCHMARK(BM_skew_decode_into<jobs::JobView, true>)->Name("views/skew_decode_into_validated");
BENCHMARK(BM_skew_decode<jobs::JobView, false>)->Name("views/skew_decode");

int main(int argc, char** argv) {
  // The kernel this translation unit compiled in (the library's builtin_implementation() may
  // differ).
  std::printf("simdjson On-Demand kernel: %s\n",
              SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

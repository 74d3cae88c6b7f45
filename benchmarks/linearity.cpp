// Resource bounds: time per byte of a decode from 1 KB to 10 MB for the shapes that make naive
// readers quadratic: many distinct unknown keys, many copies of one unknown key, and nesting as
// deep as max_depth allows, repeated. Linear means time/byte stays flat as the input grows.
#include <skew/skew.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

namespace lin {
struct Target {
  std::string to;
};
SKEW_DESCRIBE(Target, to)
}  // namespace lin

namespace {

std::string many_keys(std::size_t bytes) {
  std::string s = "{";
  for (std::size_t i = 0; s.size() < bytes; ++i) s += "\"k" + std::to_string(i) + "\":1,";
  return s + R"("to":"x"})";
}

std::string duplicated_keys(std::size_t bytes) {
  std::string s = "{";
  while (s.size() < bytes) s += R"("same":[1,2],)";
  return s + R"("to":"x"})";
}

// Objects nested 60 deep (under the default max_depth of 64), repeated to fill the size.
std::string deep_nesting(std::size_t bytes) {
  std::string one;
  for (int d = 0; d < 60; ++d) one += R"({"a":)";
  one += "1";
  for (int d = 0; d < 60; ++d) one += "}";
  std::string s = "{";
  for (std::size_t i = 0; s.size() < bytes; ++i) s += "\"n" + std::to_string(i) + "\":" + one + ",";
  return s + R"("to":"x"})";
}

template <std::string (*Make)(std::size_t)>
void BM_shape(benchmark::State& state) {
  const std::string json = Make(static_cast<std::size_t>(state.range(0)));
  skew::decoder decoder;
  skew::options opts;
  opts.max_bytes = 64u << 20;
  lin::Target out;
  if (!decoder.decode_into(out, json, opts)) {
    state.SkipWithError("decode failed");
    return;
  }
  for (auto _ : state) {
    auto status = decoder.decode_into(out, json, opts);
    benchmark::DoNotOptimize(status);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
  // Seconds per byte (shown with an SI prefix: 1.5n is 1.5 ns per byte).
  state.counters["time/byte"] = benchmark::Counter(
      static_cast<double>(json.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(BM_shape<many_keys>)->Name("many_keys")->RangeMultiplier(10)->Range(1 << 10, 10 << 20);
BENCHMARK(BM_shape<duplicated_keys>)
    ->Name("duplicated_keys")
    ->RangeMultiplier(10)
    ->Range(1 << 10, 10 << 20);
BENCHMARK(BM_shape<deep_nesting>)
    ->Name("deep_nesting")
    ->RangeMultiplier(10)
    ->Range(1 << 10, 10 << 20);

BENCHMARK_MAIN();

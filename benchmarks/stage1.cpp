// skew's stage 1 (detail/structural_index.hpp: the structural positions of a message, and its
// UTF-8 check) against simdjson's, as On-Demand runs it (parser.iterate), on the same inputs:
// a small envelope, a string-heavy message with escapes and non-ASCII text, and every GitHub
// webhook payload of ../shared/corpora/webhooks (skipped when absent). Ratios to simdjson's.
#include <skew/json/detail/structural_index.hpp>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

// A padded_string cannot be copied out of an initializer list.
std::vector<simdjson::padded_string> one(const std::string& text) {
  std::vector<simdjson::padded_string> out;
  out.emplace_back(text);
  return out;
}

std::vector<simdjson::padded_string> envelope() {
  return one(std::string(
      R"({"type":"send-email","schemaVersion":2,"id":"4f1c2a","producedBy":"mailer@1.4.2",)"
      R"("to":"ada@example.com","templateId":"welcome","locale":"en-GB","replyTo":null,)"
      R"("tags":["onboarding","eu"],"meta":{"campaign":"spring","attempt":1}})"));
}

std::vector<simdjson::padded_string> escaped_text() {
  std::string s = R"({"type":"note","schemaVersion":1,"lines":[)";
  for (int i = 0; i < 40; ++i) {
    s += R"("Grüße aus Köln \"quoted\" \\ back\\slash \u00e9t\u00e9 tab\t and more text here",)";
  }
  s += R"("end"]})";
  return one(s);
}

std::vector<simdjson::padded_string> webhooks() {
  std::vector<simdjson::padded_string> out;
  const std::filesystem::path dir = std::filesystem::path(SKEW_CORPORA_DIR) / "webhooks";
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".json") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out.emplace_back(text.str());
  }
  return out;
}

template <class Inputs>
void run_skew(benchmark::State& state, Inputs make,
              skew::detail::stage1_kernel kernel = skew::detail::stage1_kernel::best) {
  const auto inputs = make();
  if (inputs.empty()) return state.SkipWithError("corpus absent");
  skew::detail::structural_index index;
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& in : inputs) {
      if (index.build(in.data(), in.size(), kernel) != skew::detail::stage1::success) {
        return state.SkipWithError("skew's stage 1 rejected an input");
      }
      benchmark::DoNotOptimize(index.count());
      bytes += in.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

template <class Inputs>
void run_simdjson(benchmark::State& state, Inputs make) {
  const auto inputs = make();
  if (inputs.empty()) return state.SkipWithError("corpus absent");
  simdjson::ondemand::parser parser;
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& in : inputs) {
      auto doc = parser.iterate(in);  // runs stage 1 over the whole input
      if (doc.error()) return state.SkipWithError("simdjson's stage 1 rejected an input");
      benchmark::DoNotOptimize(doc);
      bytes += in.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

}  // namespace

// run_skew takes the processor's best kernel, run_skew_avx2 the AVX2 one (the same where the
// processor lacks AVX-512 VBMI2).
template <class Inputs>
void run_skew_avx2(benchmark::State& state, Inputs make) {
  run_skew(state, make, skew::detail::stage1_kernel::avx2);
}

BENCHMARK_CAPTURE(run_simdjson, envelope, envelope);
BENCHMARK_CAPTURE(run_skew, envelope, envelope);
BENCHMARK_CAPTURE(run_skew_avx2, envelope, envelope);
BENCHMARK_CAPTURE(run_simdjson, escaped_text, escaped_text);
BENCHMARK_CAPTURE(run_skew, escaped_text, escaped_text);
BENCHMARK_CAPTURE(run_skew_avx2, escaped_text, escaped_text);
BENCHMARK_CAPTURE(run_simdjson, webhooks, webhooks);
BENCHMARK_CAPTURE(run_skew, webhooks, webhooks);
BENCHMARK_CAPTURE(run_skew_avx2, webhooks, webhooks);

BENCHMARK_MAIN();

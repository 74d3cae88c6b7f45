// The workload matrix: every message shape skew meets, decoded by skew and by the contenders a
// user would otherwise pick, in the same binary and run. Per workload: the hand-written simdjson
// On-Demand loop (the baseline, workloads/handwritten.hpp), skew's decode_into validated (the
// default) and with validate_skipped = false, skew's dispatch of the envelope workloads, glaze
// 5.7.2 (C++23 builds that find it), RapidJSON and nlohmann::json. Each contender's output is
// compared with the baseline's, message by message, before it is timed; a difference skips it
// with an error. ratios.py prints each one's time over the baseline's and over glaze's.
//
// CMake builds it twice: bench_workloads with the preset's flags and bench_workloads_x86_64 with
// -march=x86-64 appended (simdjson's On-Demand then uses its scalar fallback kernel).
//
// `bench_workloads --calls NAME N` runs one contender N times over its workload without timing,
// for instruction counts under callgrind (workload_instructions.py): these shared machines move
// times by 10-30% between runs, instructions not at all.
#include <skew/skew.hpp>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>

#include "alloc_counter.hpp"
#include "workloads/dom_readers.hpp"
#include "workloads/glaze_reader.hpp"
#include "workloads/handwritten.hpp"
#include "workloads/inputs.hpp"
#include "workloads/messages.hpp"

namespace {

using namespace workloads;
namespace od = simdjson::ondemand;

// The envelope workloads' families, for dispatch: each message's type at its schemaVersion.
using JobFamily = skew::message<"render-report", skew::version<2, JobBody>>;
using OrderFamily = skew::message<"order-placed", skew::version<3, OrderBody>>;
using NoteFamily = skew::message<"note", NoteBody>;
using MetricsFamily = skew::message<"metrics", MetricsBody>;

template <class T>
struct identity {
  const T& operator()(const T& m) const { return m; }
};

// The loop around a contender: timed by Google Benchmark, or a fixed number of calls.
struct timed {
  benchmark::State& state;
  void fail(const char* why) { state.SkipWithError(why); }
  template <class Body>
  void repeat(Body&& body) {
    for (auto _ : state) body();
  }
  void report(std::size_t before, const inputs& in) {
    bench::report_allocations(state, before, total_bytes(in));
    state.counters["allocs/op"] =
        benchmark::Counter(static_cast<double>(bench::allocations.load() - before) /
                           static_cast<double>(state.iterations() * in.size()));
  }
};
struct counted {
  long calls;
  bool failed = false;
  void fail(const char* why) {
    std::fprintf(stderr, "%s\n", why);
    failed = true;
  }
  template <class Body>
  void repeat(Body&& body) {
    for (long n = 0; n < calls; ++n) body();
  }
  void report(std::size_t, const inputs&) {}
};

// Runs `decode(message, out)` over every message of `in`, after checking that its output equals
// the baseline's (a Hand struct, carried to T by `expect`) on each one, and that both succeed or
// both fail.
template <class Hand, class T, class Loop, class Decode, class Expect = identity<Hand>>
void run(Loop& loop, const inputs& in, Decode&& decode, Expect expect = {}) {
  if (in.empty()) return loop.fail("input absent (../shared/corpora/webhooks)");
  od::parser parser;
  T out{};
  for (const auto& message : in) {
    Hand expected{};
    const bool baseline_ok = hand::read(parser, message, expected);
    const bool ok = decode(message, out);
    if (ok != baseline_ok || (ok && !(out == expect(expected)))) {
      return loop.fail("output differs from the hand-written baseline");
    }
  }
  const auto before = bench::allocations.load();
  loop.repeat([&] {
    for (const auto& message : in) {
      bool ok = decode(message, out);
      benchmark::DoNotOptimize(ok);
      benchmark::DoNotOptimize(out);
    }
  });
  loop.report(before, in);
}

template <class T, class Loop>
void contender_handwritten(Loop& loop, const inputs* in) {
  od::parser parser;
  run<T, T>(loop, *in,
            [&](const simdjson::padded_string& m, T& out) { return hand::read(parser, m, out); });
}

template <class T, bool Validate, class Loop>
void contender_skew(Loop& loop, const inputs* in) {
  skew::decoder decoder;
  skew::options opts;
  opts.validate_skipped = Validate;
  run<T, T>(loop, *in, [&](const simdjson::padded_string& m, T& out) {
    return decoder.decode_into(out, m, opts).has_value();
  });
}

// Dispatch of an envelope workload: its payload (T's body) to a handler, and the decode of that
// payload alone, the work dispatch contains. In the first pass over the inputs (the check) the
// handler copies the payload out for comparison; while timed it only counts.
template <class Family, class T, class Loop>
void contender_dispatch(Loop& loop, const inputs* in) {
  using Body = decltype(body_of(T{}));
  skew::router<Family> router;
  skew::decoder decoder;
  Body* copy_to = nullptr;
  std::size_t handled = 0, calls = 0;
  router.template on<Family>([&](const Body& m, const skew::envelope_view&) {
    if (copy_to != nullptr) *copy_to = m;
    ++handled;
  });
  run<T, Body>(
      loop, *in,
      [&](const simdjson::padded_string& m, Body& out) {
        copy_to = calls++ < in->size() ? &out : nullptr;
        const std::size_t before = handled;
        const auto o = router.dispatch(decoder, simdjson::padded_string_view(m));
        return o.action == skew::action::ack && handled == before + 1;
      },
      [](const T& m) { return body_of(m); });
}

template <class T, class Loop>
void contender_decode_body(Loop& loop, const inputs* in) {
  using Body = decltype(body_of(T{}));
  skew::decoder decoder;
  run<T, Body>(
      loop, *in,
      [&](const simdjson::padded_string& m, Body& out) {
        return decoder.decode_into(out, m).has_value();
      },
      [](const T& m) { return body_of(m); });
}

#if defined(SKEW_BENCH_HAVE_GLAZE)
template <class T, class Loop>
void contender_glaze(Loop& loop, const inputs* in) {
  run<T, T>(loop, *in, [](const simdjson::padded_string& m, T& out) { return read_glaze(m, out); });
}
#endif
#if defined(SKEW_BENCH_HAVE_RAPIDJSON)
template <class T, class Loop>
void contender_rapidjson(Loop& loop, const inputs* in) {
  rapidjson::Document doc;
  run<T, T>(loop, *in, [&](const simdjson::padded_string& m, T& out) {
    return dom::read_rapidjson(doc, m, out);
  });
}
#endif
#if defined(SKEW_BENCH_HAVE_NLOHMANN)
template <class T, class Loop>
void contender_nlohmann(Loop& loop, const inputs* in) {
  run<T, T>(loop, *in,
            [](const simdjson::padded_string& m, T& out) { return dom::read_nlohmann(m, out); });
}
#endif

// Every contender by name, for --calls.
std::map<std::string, std::function<bool(long)>>& by_name() {
  static std::map<std::string, std::function<bool(long)>> contenders;
  return contenders;
}

template <class T, class Family = void>
void register_workload(const std::string& name, const inputs& in) {
  auto add = [&](const char* contender, auto fn) {
    const std::string full = name + "/" + contender;
    benchmark::RegisterBenchmark(full.c_str(), [fn, &in](benchmark::State& state) {
      timed loop{state};
      fn(loop, &in);
    })->Unit(benchmark::kMicrosecond);
    by_name()[full] = [fn, &in](long calls) {
      counted loop{calls};
      fn(loop, &in);
      return !loop.failed;
    };
  };
  // One generic lambda per contender: it runs under either loop.
  add("handwritten_simdjson",
      [](auto& loop, const inputs* in) { contender_handwritten<T>(loop, in); });
  add("skew_decode_into_validated",
      [](auto& loop, const inputs* in) { contender_skew<T, true>(loop, in); });
  add("skew_decode_into", [](auto& loop, const inputs* in) { contender_skew<T, false>(loop, in); });
  if constexpr (!std::is_void_v<Family>) {
    add("skew_decode_payload_validated",
        [](auto& loop, const inputs* in) { contender_decode_body<T>(loop, in); });
    add("skew_dispatch_validated",
        [](auto& loop, const inputs* in) { contender_dispatch<Family, T>(loop, in); });
  }
#if defined(SKEW_BENCH_HAVE_GLAZE)
  add("glaze", [](auto& loop, const inputs* in) { contender_glaze<T>(loop, in); });
#endif
#if defined(SKEW_BENCH_HAVE_RAPIDJSON)
  add("rapidjson_dom", [](auto& loop, const inputs* in) { contender_rapidjson<T>(loop, in); });
#endif
#if defined(SKEW_BENCH_HAVE_NLOHMANN)
  add("nlohmann_json", [](auto& loop, const inputs* in) { contender_nlohmann<T>(loop, in); });
#endif
}

}  // namespace

int main(int argc, char** argv) {
  std::printf("simdjson On-Demand kernel: %s; glaze: %s\n",
              SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION),
#if defined(SKEW_BENCH_HAVE_GLAZE)
              "5.7.2"
#else
              "absent"
#endif
  );
  static const inputs job_in = job(), newer_in = newer_producer(), last_in = header_last(),
                      orders_in = orders(), strings_in = strings(), numbers_in = numbers(),
                      webhooks_in = webhooks();
  register_workload<Job, JobFamily>("job", job_in);
  register_workload<Job, JobFamily>("newer_producer", newer_in);
  register_workload<Job, JobFamily>("header_last", last_in);
  register_workload<Order, OrderFamily>("order_lines", orders_in);
  register_workload<Note, NoteFamily>("string_heavy", strings_in);
  register_workload<Metrics, MetricsFamily>("number_heavy", numbers_in);
  register_workload<Webhook>("webhooks", webhooks_in);
  if (argc == 4 && std::string_view(argv[1]) == "--calls") {
    const auto found = by_name().find(argv[2]);
    if (found == by_name().end()) {
      std::fprintf(stderr, "no contender %s\n", argv[2]);
      return 2;
    }
    return found->second(std::atol(argv[3])) ? 0 : 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

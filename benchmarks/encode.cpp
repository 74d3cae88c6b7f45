// Encoding the small job envelope: skew's encode_to against a hand-written fmt::format_to encoder
// and RapidJSON's Writer, in the same binary and run. Every contender's output is checked against
// the same bytes before it is timed.
#include <skew/skew.hpp>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <cstdio>
#include <iterator>
#include <string>
#include <string_view>

#include "alloc_counter.hpp"
#include "job_envelope.hpp"

#if __has_include(<rapidjson/writer.h>)
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#define SKEW_BENCH_HAVE_RAPIDJSON 1
#endif

namespace jobs {
struct Producer {
  std::string service;
  std::string build;
};
SKEW_DESCRIBE(Producer, service, build)

struct Job {
  std::string tenant;
  int attempt = 0;
  int priority = 0;
  std::string createdAt;
  std::string traceparent;
  Producer producer;
  std::string queue;
  long deadlineMs = 0;
  std::string payload;
};
SKEW_DESCRIBE(Job, tenant, attempt, priority, createdAt, traceparent, producer, queue, deadlineMs,
              payload)
}  // namespace jobs

using Render = skew::message<"render-report", skew::version<2, jobs::Job>>;

namespace {

constexpr std::string_view job_id = "4f1c2a9e-8b7d-4c3e-9a21-6d5f0e7b8c90";

const jobs::Job& job() {
  static const jobs::Job j{"acme-corp",
                           1,
                           5,
                           "2026-11-26T08:22:27Z",
                           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                           {"scheduler", "2026.11.3"},
                           "reports",
                           30000,
                           "quarterly-revenue-q3"};
  return j;
}

// What a team writes by hand: fmt::format_to with a small escaping helper.
void escaped(fmt::memory_buffer& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, s.data() + i);
    run = i + 1;
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    }
  }
  out.append(s.data() + run, s.data() + s.size());
  out.push_back('"');
}

void handwritten_fmt(fmt::memory_buffer& out, const jobs::Job& j) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"type":"render-report","schemaVersion":{},"id":)", 2);
  escaped(out, job_id);
  fmt::format_to(it, R"(,"tenant":)");
  escaped(out, j.tenant);
  fmt::format_to(it, R"(,"attempt":{},"priority":{},"createdAt":)", j.attempt, j.priority);
  escaped(out, j.createdAt);
  fmt::format_to(it, R"(,"traceparent":)");
  escaped(out, j.traceparent);
  fmt::format_to(it, R"(,"producer":{{"service":)");
  escaped(out, j.producer.service);
  fmt::format_to(it, R"(,"build":)");
  escaped(out, j.producer.build);
  fmt::format_to(it, R"(}},"queue":)");
  escaped(out, j.queue);
  fmt::format_to(it, R"(,"deadlineMs":{},"payload":)", j.deadlineMs);
  escaped(out, j.payload);
  out.push_back('}');
}

#if defined(SKEW_BENCH_HAVE_RAPIDJSON)
void rapidjson_writer(rapidjson::Writer<rapidjson::StringBuffer>& w, const jobs::Job& j) {
  auto str = [&](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("type");
  str("render-report");
  w.Key("schemaVersion");
  w.Int(2);
  w.Key("id");
  str(job_id);
  w.Key("tenant");
  str(j.tenant);
  w.Key("attempt");
  w.Int(j.attempt);
  w.Key("priority");
  w.Int(j.priority);
  w.Key("createdAt");
  str(j.createdAt);
  w.Key("traceparent");
  str(j.traceparent);
  w.Key("producer");
  w.StartObject();
  w.Key("service");
  str(j.producer.service);
  w.Key("build");
  str(j.producer.build);
  w.EndObject();
  w.Key("queue");
  str(j.queue);
  w.Key("deadlineMs");
  w.Int64(j.deadlineMs);
  w.Key("payload");
  str(j.payload);
  w.EndObject();
}
#endif

bool same_as_expected(std::string_view name, std::string_view out, benchmark::State& state) {
  if (out == bench::job_json) return true;
  std::fprintf(stderr, "%.*s wrote:\n%.*s\n", static_cast<int>(name.size()), name.data(),
               static_cast<int>(out.size()), out.data());
  state.SkipWithError("output differs from the job envelope");
  return false;
}

void BM_skew_encode_to(benchmark::State& state) {
  fmt::memory_buffer buffer;
  if (!skew::encode_to<Render>(buffer, job(), {.id = job_id}) ||
      !same_as_expected("skew", fmt::to_string(buffer), state)) {
    return;
  }
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    buffer.clear();
    auto status = skew::encode_to<Render>(buffer, job(), {.id = job_id});
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(buffer.data());
  }
  bench::report_allocations(state, before, bench::job_json.size());
}

void BM_handwritten_fmt(benchmark::State& state) {
  fmt::memory_buffer buffer;
  handwritten_fmt(buffer, job());
  if (!same_as_expected("fmt", fmt::to_string(buffer), state)) return;
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    buffer.clear();
    handwritten_fmt(buffer, job());
    benchmark::DoNotOptimize(buffer.data());
  }
  bench::report_allocations(state, before, bench::job_json.size());
}

#if defined(SKEW_BENCH_HAVE_RAPIDJSON)
void BM_rapidjson_writer(benchmark::State& state) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  rapidjson_writer(writer, job());
  if (!same_as_expected("rapidjson", std::string_view(buffer.GetString(), buffer.GetSize()),
                        state)) {
    return;
  }
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    buffer.Clear();
    writer.Reset(buffer);
    rapidjson_writer(writer, job());
    benchmark::DoNotOptimize(buffer.GetString());
  }
  bench::report_allocations(state, before, bench::job_json.size());
}
BENCHMARK(BM_rapidjson_writer)->Name("encode/rapidjson_writer");
#endif

}  // namespace

namespace jobs {
// Workload: a build-N service reads a build-N+1 message, changes one field and re-emits it,
// keeping the keys it does not know.
struct Tolerant {
  std::string tenant;
  int priority = 0;
  skew::unknown_fields unknown;
};
SKEW_DESCRIBE(Tolerant, tenant, priority, unknown)
}  // namespace jobs

namespace {
void BM_skew_round_trip(benchmark::State& state) {
  skew::decoder decoder;
  jobs::Tolerant t;
  fmt::memory_buffer buffer;
  const simdjson::padded_string input(bench::job_json);
  if (!decoder.decode_into(t, input) || t.unknown.size() != 10) {
    state.SkipWithError("round-trip decode failed");
    return;
  }
  for (auto _ : state) {
    buffer.clear();
    auto read = decoder.decode_into(t, input);
    t.priority += 1;
    auto written = skew::encode_to(buffer, t);
    benchmark::DoNotOptimize(read);
    benchmark::DoNotOptimize(written);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bench::job_json.size()));
}
}  // namespace

BENCHMARK(BM_handwritten_fmt)->Name("encode/handwritten_fmt");
BENCHMARK(BM_skew_encode_to)->Name("encode/skew_encode_to");
BENCHMARK(BM_skew_round_trip)->Name("round_trip/skew_decode_modify_encode");

BENCHMARK_MAIN();

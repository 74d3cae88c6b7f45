// Workload 1: decoding a small job envelope. skew against a hand-written simdjson On-Demand loop
// that extracts the same fields (the ceiling most teams would write by hand), RapidJSON (DOM),
// Boost.JSON and nlohmann::json, in the same binary and run; every contender's result is checked
// against the hand-written loop's before it is timed.
//
// Message: 364 bytes, 12 keys, 5 of them unknown to the reader (one a nested object), with the
// header keys first as writers emit them, and reversed (header last).
#include <skew/skew.hpp>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "alloc_counter.hpp"
#include "job_envelope.hpp"
#include "workloads/inputs.hpp"
#include "workloads/messages.hpp"

#if __has_include(<rapidjson/document.h>)
#include <rapidjson/document.h>
#define SKEW_BENCH_HAVE_RAPIDJSON 1
#endif
#if __has_include(<boost/json/src.hpp>)
#include <boost/json/src.hpp>  // header-only mode: no library to link
#define SKEW_BENCH_HAVE_BOOST_JSON 1
#endif
#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>
#define SKEW_BENCH_HAVE_NLOHMANN 1
#endif

namespace jobs {

using workloads::Job;  // the matrix's job struct (workloads/messages.hpp)

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

// The job envelope with its keys in reverse order: the header comes last.
constexpr std::string_view reversed_json = workloads::header_last_json;

const simdjson::padded_string& input() {
  static const simdjson::padded_string padded(job_json);
  return padded;
}
const simdjson::padded_string& reversed_input() {
  static const simdjson::padded_string padded(reversed_json);
  return padded;
}
using input_fn = const simdjson::padded_string& (*)();

void report_allocations(benchmark::State& state, std::size_t before) {
  bench::report_allocations(state, before, job_json.size());
}

template <class Job>
void BM_handwritten(benchmark::State& state, input_fn input) {
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
void BM_skew_decode_into(benchmark::State& state, input_fn input) {
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
void BM_skew_decode(benchmark::State& state, input_fn input) {
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

// The same extraction with the libraries users would otherwise pick: parse to a DOM, then look the
// fields up.
template <class Lookup>
bool check_against_baseline(benchmark::State& state, input_fn input, Lookup&& decode) {
  od::parser parser;
  jobs::Job expected;
  jobs::Job actual;
  if (!handwritten(parser, input(), expected) || !decode(actual) || !(actual == expected)) {
    state.SkipWithError("output differs from the hand-written baseline");
    return false;
  }
  return true;
}

#if defined(SKEW_BENCH_HAVE_RAPIDJSON)
bool rapidjson_decode(rapidjson::Document& doc, std::string_view json, jobs::Job& out) {
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  auto str = [&](const char* key, std::string& target) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsString()) return false;
    target.assign(it->value.GetString(), it->value.GetStringLength());
    return true;
  };
  auto num = [&](const char* key, int& target) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsInt()) return false;
    target = it->value.GetInt();
    return true;
  };
  return str("type", out.type) && num("schemaVersion", out.schemaVersion) && str("id", out.id) &&
         str("tenant", out.tenant) && num("priority", out.priority) &&
         str("createdAt", out.createdAt) && str("payload", out.payload);
}

void BM_rapidjson(benchmark::State& state, input_fn input) {
  rapidjson::Document doc;
  jobs::Job job;
  const std::string_view json(input().data(), input().size());
  if (!check_against_baseline(state, input,
                              [&](jobs::Job& j) { return rapidjson_decode(doc, json, j); })) {
    return;
  }
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    bool ok = rapidjson_decode(doc, json, job);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(job);
  }
  report_allocations(state, before);
}
#endif

#if defined(SKEW_BENCH_HAVE_BOOST_JSON)
bool boost_decode(boost::json::parser& parser, std::string_view json, jobs::Job& out) {
  boost::system::error_code ec;
  parser.reset();
  parser.write(json.data(), json.size(), ec);
  if (ec) return false;
  const boost::json::value v = parser.release();
  const boost::json::object* o = v.if_object();
  if (o == nullptr) return false;
  auto str = [&](std::string_view key, std::string& target) {
    const boost::json::value* x = o->if_contains(key);
    if (x == nullptr || !x->is_string()) return false;
    target.assign(x->get_string().data(), x->get_string().size());
    return true;
  };
  auto num = [&](std::string_view key, int& target) {
    const boost::json::value* x = o->if_contains(key);
    if (x == nullptr || !x->is_int64()) return false;
    target = static_cast<int>(x->get_int64());
    return true;
  };
  return str("type", out.type) && num("schemaVersion", out.schemaVersion) && str("id", out.id) &&
         str("tenant", out.tenant) && num("priority", out.priority) &&
         str("createdAt", out.createdAt) && str("payload", out.payload);
}

void BM_boost_json(benchmark::State& state, input_fn input) {
  boost::json::parser parser;
  jobs::Job job;
  const std::string_view json(input().data(), input().size());
  if (!check_against_baseline(state, input,
                              [&](jobs::Job& j) { return boost_decode(parser, json, j); })) {
    return;
  }
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    bool ok = boost_decode(parser, json, job);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(job);
  }
  report_allocations(state, before);
}
#endif

#if defined(SKEW_BENCH_HAVE_NLOHMANN)
bool nlohmann_decode(std::string_view json, jobs::Job& out) {
  const auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  auto str = [&](const char* key, std::string& target) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    target = it->get_ref<const std::string&>();
    return true;
  };
  auto num = [&](const char* key, int& target) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return false;
    target = it->get<int>();
    return true;
  };
  return str("type", out.type) && num("schemaVersion", out.schemaVersion) && str("id", out.id) &&
         str("tenant", out.tenant) && num("priority", out.priority) &&
         str("createdAt", out.createdAt) && str("payload", out.payload);
}

void BM_nlohmann(benchmark::State& state, input_fn input) {
  jobs::Job job;
  const std::string_view json(input().data(), input().size());
  if (!check_against_baseline(state, input,
                              [&](jobs::Job& j) { return nlohmann_decode(json, j); })) {
    return;
  }
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    bool ok = nlohmann_decode(json, job);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(job);
  }
  report_allocations(state, before);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  // The kernel this translation unit compiled in (the library's builtin_implementation() may
  // differ).
  std::printf("simdjson On-Demand kernel: %s\n",
              SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
  benchmark::RegisterBenchmark("owned/handwritten_simdjson", BM_handwritten<jobs::Job>, input);
  benchmark::RegisterBenchmark("owned/skew_decode_into", BM_skew_decode_into<jobs::Job, false>,
                               input);
  benchmark::RegisterBenchmark("owned/skew_decode_into_validated",
                               BM_skew_decode_into<jobs::Job, true>, input);
  benchmark::RegisterBenchmark("owned/skew_decode_fresh", BM_skew_decode<jobs::Job, false>, input);
#if defined(SKEW_BENCH_HAVE_RAPIDJSON)
  benchmark::RegisterBenchmark("owned/rapidjson_dom", BM_rapidjson, input);
#endif
#if defined(SKEW_BENCH_HAVE_BOOST_JSON)
  benchmark::RegisterBenchmark("owned/boost_json", BM_boost_json, input);
#endif
#if defined(SKEW_BENCH_HAVE_NLOHMANN)
  benchmark::RegisterBenchmark("owned/nlohmann_json", BM_nlohmann, input);
#endif
  benchmark::RegisterBenchmark("views/handwritten_simdjson", BM_handwritten<jobs::JobView>, input);
  benchmark::RegisterBenchmark("views/skew_decode_into", BM_skew_decode_into<jobs::JobView, false>,
                               input);
  benchmark::RegisterBenchmark("views/skew_decode_into_validated",
                               BM_skew_decode_into<jobs::JobView, true>, input);
  benchmark::RegisterBenchmark("views/skew_decode", BM_skew_decode<jobs::JobView, false>, input);
  benchmark::RegisterBenchmark("owned_header_last/handwritten_simdjson", BM_handwritten<jobs::Job>,
                               reversed_input);
  benchmark::RegisterBenchmark("owned_header_last/skew_decode_into",
                               BM_skew_decode_into<jobs::Job, false>, reversed_input);
  benchmark::RegisterBenchmark("owned_header_last/skew_decode_into_validated",
                               BM_skew_decode_into<jobs::Job, true>, reversed_input);
  benchmark::RegisterBenchmark("views_header_last/handwritten_simdjson",
                               BM_handwritten<jobs::JobView>, reversed_input);
  benchmark::RegisterBenchmark("views_header_last/skew_decode_into",
                               BM_skew_decode_into<jobs::JobView, false>, reversed_input);
  benchmark::RegisterBenchmark("owned/skew_decode_into_copy_input",
                               BM_skew_decode_into_string_view<jobs::Job>);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// Workload 3: real GitHub webhook payloads (every file of ../shared/corpora/webhooks, 1-31 KB),
// decoded into a struct that reads a handful of fields, nested ones included, and ignores the
// rest. Throughput over the whole corpus; skew against a hand-written simdjson On-Demand loop
// doing the same extraction, with and without validation of the skipped values.
#include <skew/skew.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_counter.hpp"

namespace hooks {
struct Account {
  std::string_view login;
  std::int64_t id = 0;
  friend bool operator==(const Account&, const Account&) = default;
};
SKEW_DESCRIBE(Account, login, id)

struct Repository {
  std::int64_t id = 0;
  std::string_view full_name;
  bool is_private = false;
  Account owner;
  friend bool operator==(const Repository&, const Repository&) = default;
};

struct Installation {
  std::int64_t id = 0;
  friend bool operator==(const Installation&, const Installation&) = default;
};
SKEW_DESCRIBE(Installation, id)

struct Event {
  std::optional<std::string_view> action;
  std::optional<Account> sender;
  std::optional<Repository> repository;
  std::optional<Installation> installation;
  friend bool operator==(const Event&, const Event&) = default;
};
SKEW_DESCRIBE(Event, action, sender, repository, installation)
}  // namespace hooks

template <>
struct skew::describe<hooks::Repository> {
  static constexpr auto fields =
      skew::fields(skew::member<&hooks::Repository::id>("id"),
                   skew::member<&hooks::Repository::full_name>("full_name"),
                   skew::member<&hooks::Repository::is_private>("private"),
                   skew::member<&hooks::Repository::owner>("owner"));
};

namespace {

namespace od = simdjson::ondemand;

struct corpus {
  std::vector<simdjson::padded_string> files;
  std::size_t bytes = 0;
};

const corpus& webhooks() {
  static const corpus c = [] {
    corpus out;
    const std::filesystem::path dir = std::filesystem::path(SKEW_CORPORA_DIR) / "webhooks";
    if (!std::filesystem::is_directory(dir)) return out;
    std::vector<std::filesystem::path> paths;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.is_regular_file() && e.path().extension() == ".json") paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      std::ifstream in(p, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      out.bytes += text.str().size();
      out.files.emplace_back(text.str());
    }
    return out;
  }();
  return c;
}

// The hand-written loop: one pass over each object, unescaped_key() compared against each name.
bool account(od::value v, hooks::Account& out) {
  od::object o;
  if (v.get_object().get(o)) return false;
  for (auto field : o) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key == "login") {
      if (field.value().get_string().get(out.login)) return false;
    } else if (key == "id") {
      if (field.value().get_int64().get(out.id)) return false;
    }
  }
  return true;
}

bool handwritten(od::parser& parser, const simdjson::padded_string& json, hooks::Event& out) {
  out = {};
  od::document doc;
  if (parser.iterate(json).get(doc)) return false;
  od::object root;
  if (doc.get_object().get(root)) return false;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key == "action") {
      std::string_view s;
      if (field.value().get_string().get(s)) return false;
      out.action = s;
    } else if (key == "sender") {
      if (!account(field.value(), out.sender.emplace())) return false;
    } else if (key == "installation") {
      od::object o;
      if (field.value().get_object().get(o)) return false;
      auto& inst = out.installation.emplace();
      for (auto f : o) {
        std::string_view k;
        if (f.unescaped_key().get(k)) return false;
        if (k == "id" && f.value().get_int64().get(inst.id)) return false;
      }
    } else if (key == "repository") {
      od::object o;
      if (field.value().get_object().get(o)) return false;
      auto& repo = out.repository.emplace();
      for (auto f : o) {
        std::string_view k;
        if (f.unescaped_key().get(k)) return false;
        if (k == "id") {
          if (f.value().get_int64().get(repo.id)) return false;
        } else if (k == "full_name") {
          if (f.value().get_string().get(repo.full_name)) return false;
        } else if (k == "private") {
          if (f.value().get_bool().get(repo.is_private)) return false;
        } else if (k == "owner") {
          if (!account(f.value(), repo.owner)) return false;
        }
      }
    }
  }
  return true;
}

void BM_handwritten(benchmark::State& state) {
  const corpus& c = webhooks();
  if (c.files.empty()) {
    state.SkipWithError("../shared/corpora/webhooks is absent");
    return;
  }
  od::parser parser;
  hooks::Event event;
  for (auto _ : state) {
    for (const auto& file : c.files) {
      bool ok = handwritten(parser, file, event);
      benchmark::DoNotOptimize(ok);
      benchmark::DoNotOptimize(event);
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
  state.counters["files"] = static_cast<double>(c.files.size());
}

template <bool Validate>
void BM_skew(benchmark::State& state) {
  const corpus& c = webhooks();
  if (c.files.empty()) {
    state.SkipWithError("../shared/corpora/webhooks is absent");
    return;
  }
  skew::decoder decoder;
  skew::options opts;
  opts.validate_skipped = Validate;
  hooks::Event event;
  {
    // Same extraction as the baseline, file by file, before timing.
    od::parser parser;
    for (const auto& file : c.files) {
      hooks::Event expected;
      const bool baseline_ok = handwritten(parser, file, expected);
      const bool ok = decoder.decode_into(event, file, opts).has_value();
      if (ok != baseline_ok || (ok && !(event == expected))) {
        state.SkipWithError("skew output differs from the baseline");
        return;
      }
    }
  }
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    for (const auto& file : c.files) {
      auto status = decoder.decode_into(event, file, opts);
      benchmark::DoNotOptimize(status);
      benchmark::DoNotOptimize(event);
    }
  }
  bench::report_allocations(state, before, c.bytes);
  state.counters["allocs/op"] =
      benchmark::Counter(static_cast<double>(bench::allocations.load() - before) /
                         static_cast<double>(state.iterations() * c.files.size()));
}

}  // namespace

BENCHMARK(BM_handwritten)->Name("webhooks/handwritten_simdjson")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_skew<false>)->Name("webhooks/skew_decode_into")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_skew<true>)
    ->Name("webhooks/skew_decode_into_validated")
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();

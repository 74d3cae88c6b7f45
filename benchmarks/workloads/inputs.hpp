// The messages of the workload matrix, generated deterministically (no data files besides the
// webhooks corpus, read from ../shared/corpora and empty when absent).
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../job_envelope.hpp"

namespace workloads {

using inputs = std::vector<simdjson::padded_string>;

inline inputs one(std::string_view text) {
  inputs out;
  out.emplace_back(text);
  return out;
}

inline inputs job() {
  return one(bench::job_json);
}

// What a newer producer sends: the job's keys among unknown arrays, nested objects, nulls and
// long strings.
inline constexpr std::string_view newer_producer_json =
    R"({"type":"render-report","schemaVersion":2,"id":"4f1c2a9e-8b7d-4c3e-9a21-6d5f0e7b8c90",)"
    R"("tags":["quarterly",17,2.5,true,null,{"k":"v"}],"tenant":"acme-corp","replyTo":null,)"
    R"("producer":{"service":"scheduler","build":"2026.11.3","region":{"name":"eu-west-1",)"
    R"("zones":["a","b","c"]},"canary":false},"attempt":1,"priority":5,)"
    R"("description":"Quarterly revenue report for every region and product line, rendered as )"
    R"(PDF and spreadsheet, mailed to the finance distribution list once all ledgers close",)"
    R"("createdAt":"2026-11-26T08:22:27Z","retryPolicy":{"max":5,"backoffMs":[100,400,1600]},)"
    R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","lease":null,)"
    R"("payload":"quarterly-revenue-q3"})";

inline inputs newer_producer() {
  return one(newer_producer_json);
}

inline constexpr std::string_view header_last_json =
    R"({"payload":"quarterly-revenue-q3","deadlineMs":30000,"queue":"reports",)"
    R"("producer":{"service":"scheduler","build":"2026.11.3"},)"
    R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",)"
    R"("createdAt":"2026-11-26T08:22:27Z","priority":5,"attempt":1,"tenant":"acme-corp",)"
    R"("id":"4f1c2a9e-8b7d-4c3e-9a21-6d5f0e7b8c90","schemaVersion":2,"type":"render-report"})";

inline inputs header_last() {
  return one(header_last_json);
}

// A small linear congruential generator: the same messages on every run and machine.
struct lcg {
  std::uint32_t state = 12345;
  std::uint32_t next(std::uint32_t bound) {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % bound;
  }
};

// 300 order lines, about 40 KB.
inline inputs orders() {
  lcg r;
  std::string s = R"({"type":"order-placed","schemaVersion":3,"orderId":"ord-2026-000417",)"
                  R"("currency":"EUR","customer":{"id":"c-1881","segment":"b2b"},"lines":[)";
  const char* names[] = {"Ergonomic chair, graphite", "Standing desk 160x80", "USB-C dock",
                         "Monitor arm, dual", "Noise-cancelling headset"};
  for (int i = 0; i < 300; ++i) {
    if (i) s += ',';
    char line[320];
    const unsigned cents = 199 + r.next(90000);
    std::string discount = "null";
    if (r.next(3) == 0) discount = "0." + std::to_string(5 + r.next(30));
    std::snprintf(line, sizeof line,
                  R"({"sku":"SKU-%06u","name":"%s","quantity":%u,"unitPrice":%u.%02u,)"
                  R"("discount":%s,"warehouse":"WH-%u","giftWrap":false})",
                  r.next(1000000), names[r.next(5)], 1 + r.next(20), cents / 100, cents % 100,
                  discount.c_str(), r.next(9));
    s += line;
  }
  s += R"(],"total":123456.78,"notes":null})";
  return one(s);
}

// 40 lines of text with quotes, backslashes, \u escapes (a surrogate pair included), tabs and
// raw UTF-8.
inline inputs strings() {
  std::string s = R"({"type":"note","schemaVersion":1,"author":"Zoë Ångström",)"
                  R"("subject":"Grüße \"aus\" Köln \u2014 \ud83d\ude00",)"
                  R"("body":"Line one\nLine two\t(tabbed) \\ back\\slash; caf\u00e9 na\u00efve )"
                  R"(\u65e5\u672c\u8a9e and plain ASCII text that goes on for a while longer",)"
                  R"("lines":[)";
  for (int i = 0; i < 40; ++i) {
    if (i) s += ',';
    s += R"("Grüße aus Köln \"quoted\" \\ back\\slash \u00e9t\u00e9 tab\t line )" +
         std::to_string(i) + R"( — 日本語のテキスト")";
  }
  s += R"(],"signature":"— Zoë"})";
  return one(s);
}

// 200 samples of int64 and double, 100 counters, 100 gauges: about 18 KB of numbers.
inline inputs numbers() {
  lcg r;
  std::string s = R"({"type":"metrics","schemaVersion":1,"host":"db-7.eu-west-1","samples":[)";
  char item[160];
  for (int i = 0; i < 200; ++i) {
    std::snprintf(item, sizeof item, R"(%s{"t":%lld,"value":%u.%06u,"count":%u})", i ? "," : "",
                  1733500000000LL + i * 15000LL + r.next(1000), r.next(100000), r.next(1000000),
                  r.next(5000000));
    s += item;
  }
  s += R"(],"counters":[)";
  for (int i = 0; i < 100; ++i) {
    std::snprintf(item, sizeof item, "%s%lld", i ? "," : "",
                  (r.next(2) ? -1LL : 1LL) * (static_cast<long long>(r.next(1u << 30)) << 20));
    s += item;
  }
  s += R"(],"gauges":[)";
  for (int i = 0; i < 100; ++i) {
    std::snprintf(item, sizeof item, "%s%s%u.%ue%d", i ? "," : "", r.next(2) ? "-" : "", r.next(10),
                  r.next(100000), static_cast<int>(r.next(40)) - 20);
    s += item;
  }
  s += "]}";
  return one(s);
}

// Every file of ../shared/corpora/webhooks, in a stable order; empty when the corpus is absent.
inline inputs webhooks() {
  inputs out;
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
    out.emplace_back(text.str());
  }
  return out;
}

inline std::size_t total_bytes(const inputs& in) {
  std::size_t n = 0;
  for (const auto& s : in) n += s.size();
  return n;
}

}  // namespace workloads

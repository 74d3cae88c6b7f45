// Workload 2: router.dispatch against decoding the same messages directly with the decoder (same
// binary, same run): one message with its header first and last, and a mixed stream of four
// families in two versions each with 5% unknown types.
#include <skew/skew.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_counter.hpp"
#include "job_envelope.hpp"
#include "job_family.hpp"

namespace mixed {
struct EmailV1 {
  std::string to;
  std::string templateId;
};
SKEW_DESCRIBE(EmailV1, to, templateId)
struct EmailV2 {
  std::string to;
  std::string templateId;
  std::string locale;
};
SKEW_DESCRIBE(EmailV2, to, templateId, locale)
EmailV2 upcast(EmailV1&& v) {
  return {std::move(v.to), std::move(v.templateId), "en"};
}
struct PaymentV1 {
  long amountCents = 0;
  std::string currency;
};
SKEW_DESCRIBE(PaymentV1, amountCents, currency)
struct PaymentV2 {
  long amount_minor = 0;
  std::string currency;
  std::string method;
};
SKEW_DESCRIBE(PaymentV2, amount_minor, currency, method)
PaymentV2 upcast(PaymentV1&& v) {
  return {v.amountCents, std::move(v.currency), "card"};
}
struct UserV1 {
  std::string userId;
  std::string email;
};
SKEW_DESCRIBE(UserV1, userId, email)
struct UserV2 {
  std::string userId;
  std::string email;
  std::string plan;
};
SKEW_DESCRIBE(UserV2, userId, email, plan)
UserV2 upcast(UserV1&& v) {
  return {std::move(v.userId), std::move(v.email), "free"};
}
}  // namespace mixed

using Email = skew::message<"send-email", mixed::EmailV1, mixed::EmailV2>;
using Payment = skew::message<"payment-captured", mixed::PaymentV1, mixed::PaymentV2>;
using User = skew::message<"user-created", mixed::UserV1, mixed::UserV2>;

namespace {

constexpr std::string_view header_first = bench::job_json;

constexpr std::string_view header_last = bench::header_last;

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

// A deterministic stream: four families in two versions each, and 5% of a type no family has.
struct stream_message {
  std::string json;
  int kind;  // family * 2 + version index, or -1 for an unknown type
};

const std::vector<stream_message>& mixed_stream() {
  static const std::vector<stream_message> stream = [] {
    std::vector<stream_message> out;
    std::uint32_t state = 7;
    for (int n = 0; n < 400; ++n) {
      state = state * 1103515245u + 12345u;
      const std::uint32_t r = (state >> 16) % 100;
      const std::string id = "\"id\":\"m-" + std::to_string(n) + "\"";
      if (r < 5) {
        out.push_back({R"({"type":"audit-log","schemaVersion":1,)" + id + R"(,"actor":"x"})", -1});
        continue;
      }
      const int kind = static_cast<int>(r % 8);
      const int version = kind % 2 + 1;
      std::string head = R"({"type":")";
      head +=
          std::array{"render-report", "send-email", "payment-captured", "user-created"}[kind / 2];
      head += R"(","schemaVersion":)" + std::to_string(version) + "," + id + ",";
      std::string body;
      switch (kind) {
        case 0:
          body =
              R"("tenant":"acme","priority":3,"payload":"q3-revenue","traceparent":"00-4bf9-01"})";
          break;
        case 1:
          body =
              R"("tenant":"acme","priority":3,"payload":"q3-revenue","createdAt":"2026-11-26T08:22:27Z","queue":"r"})";
          break;
        case 2:
          body = R"("to":"ada@example.com","templateId":"welcome","trackingId":"t-1"})";
          break;
        case 3:
          body = R"("to":"ada@example.com","templateId":"welcome","locale":"de"})";
          break;
        case 4:
          body = R"("amountCents":1250,"currency":"EUR","merchant":{"id":7,"name":"shop"}})";
          break;
        case 5:
          body = R"("amount_minor":1250,"currency":"EUR","method":"sepa"})";
          break;
        case 6:
          body = R"("userId":"u-123456","email":"ada@example.com","source":"signup-form"})";
          break;
        default:
          body = R"("userId":"u-123456","email":"ada@example.com","plan":"team"})";
          break;
      }
      out.push_back({head + body, kind});
    }
    return out;
  }();
  return stream;
}

// The baseline knows each message's struct in advance, as a consumer of a single-type queue would.
void BM_mixed_decode(benchmark::State& state) {
  skew::decoder decoder;
  jobs::RenderV1 r1;
  jobs::RenderV2 r2;
  mixed::EmailV1 e1;
  mixed::EmailV2 e2;
  mixed::PaymentV1 p1;
  mixed::PaymentV2 p2;
  mixed::UserV1 u1;
  mixed::UserV2 u2;
  const auto& stream = mixed_stream();
  std::size_t bytes = 0;
  for (const auto& m : stream) bytes += m.json.size();
  for (auto _ : state) {
    for (const auto& m : stream) {
      bool ok = true;
      switch (m.kind) {
        case 0:
          ok = decoder.decode_into(r1, m.json).has_value();
          break;
        case 1:
          ok = decoder.decode_into(r2, m.json).has_value();
          break;
        case 2:
          ok = decoder.decode_into(e1, m.json).has_value();
          break;
        case 3:
          ok = decoder.decode_into(e2, m.json).has_value();
          break;
        case 4:
          ok = decoder.decode_into(p1, m.json).has_value();
          break;
        case 5:
          ok = decoder.decode_into(p2, m.json).has_value();
          break;
        case 6:
          ok = decoder.decode_into(u1, m.json).has_value();
          break;
        case 7:
          ok = decoder.decode_into(u2, m.json).has_value();
          break;
        default:
          ok = skew::peek_header(m.json).has_value();
          break;
      }
      benchmark::DoNotOptimize(ok);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

template <class Router>
void run_mixed_dispatch(benchmark::State& state, Router& router) {
  skew::decoder decoder;
  const auto& stream = mixed_stream();
  std::size_t bytes = 0;
  for (const auto& m : stream) {
    bytes += m.json.size();
    const auto o = router.dispatch(decoder, m.json);
    const bool expected_ack = m.kind >= 0;
    if ((o.action == skew::action::ack) != expected_ack) {
      state.SkipWithError("dispatch outcome differs from the stream's kinds");
      return;
    }
  }
  const auto before = bench::allocations.load();
  for (auto _ : state) {
    for (const auto& m : stream) {
      auto o = router.dispatch(decoder, m.json);
      benchmark::DoNotOptimize(o);
    }
  }
  bench::report_allocations(state, before, bytes);
}

// Handlers take the latest version: half the messages are upcast (user code the baseline does
// not run).
void BM_mixed_dispatch(benchmark::State& state) {
  skew::router<Render, Email, Payment, User> router;
  long seen = 0;
  router.on<Render>(
      [&](const jobs::RenderV2& m, const skew::envelope_view&) { seen += m.priority; });
  router.on<Email>([&](const mixed::EmailV2& m, const skew::envelope_view&) {
    seen += static_cast<long>(m.to.size());
  });
  router.on<Payment>(
      [&](const mixed::PaymentV2& m, const skew::envelope_view&) { seen += m.amount_minor; });
  router.on<User>([&](const mixed::UserV2& m, const skew::envelope_view&) {
    seen += static_cast<long>(m.plan.size());
  });
  run_mixed_dispatch(state, router);
  benchmark::DoNotOptimize(seen);
}

// One handler per exact version: the same structs the baseline decodes into, so the difference
// is the router's own work (header, routing, handler call, counters).
void BM_mixed_dispatch_exact(benchmark::State& state) {
  skew::router<Render, Email, Payment, User> router;
  long seen = 0;
  auto size = [&](const std::string& s) { seen += static_cast<long>(s.size()); };
  router.on<Render, 1>(
      [&](const jobs::RenderV1& m, const skew::envelope_view&) { seen += m.priority; });
  router.on<Render, 2>(
      [&](const jobs::RenderV2& m, const skew::envelope_view&) { seen += m.priority; });
  router.on<Email, 1>([&](const mixed::EmailV1& m, const skew::envelope_view&) { size(m.to); });
  router.on<Email, 2>([&](const mixed::EmailV2& m, const skew::envelope_view&) { size(m.to); });
  router.on<Payment, 1>(
      [&](const mixed::PaymentV1& m, const skew::envelope_view&) { seen += m.amountCents; });
  router.on<Payment, 2>(
      [&](const mixed::PaymentV2& m, const skew::envelope_view&) { seen += m.amount_minor; });
  router.on<User, 1>([&](const mixed::UserV1& m, const skew::envelope_view&) { size(m.email); });
  router.on<User, 2>([&](const mixed::UserV2& m, const skew::envelope_view&) { size(m.plan); });
  run_mixed_dispatch(state, router);
  benchmark::DoNotOptimize(seen);
}

}  // namespace

BENCHMARK(BM_mixed_decode)->Name("mixed_stream/decode_into")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_mixed_dispatch)->Name("mixed_stream/dispatch")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_mixed_dispatch_exact)
    ->Name("mixed_stream/dispatch_exact_versions")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_decode, header_first, header_first)->Name("header_first/decode_into");
BENCHMARK_CAPTURE(BM_dispatch, header_first, header_first)->Name("header_first/dispatch");
BENCHMARK_CAPTURE(BM_decode, header_last, header_last)->Name("header_last/decode_into");
BENCHMARK_CAPTURE(BM_dispatch, header_last, header_last)->Name("header_last/dispatch");

BENCHMARK_MAIN();

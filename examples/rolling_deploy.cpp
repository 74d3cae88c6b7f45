// A rolling deploy, simulated in one process: three replicas, each a producer and a consumer, move
// from build N to build N+1 one at a time while they share one queue.
//
// Build N+1 changes two message families:
//   send-email        v2 adds an optional `locale`; v1 messages upcast with locale "en".
//   payment_captured  renames `amountCents` to `amount_minor`; N+1 writes both names (dual write),
//                     so N keeps reading `amountCents`, and reads either name itself.
// Producers emit send-email v1 until every consumer reads v2 (two-phase rollout). A second run
// flips emission early, while build N consumers still run: they retry what they cannot read, and a
// newer replica handles it. Nothing is lost in either run.
#include <skew/skew.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>

// ---- Build N -------------------------------------------------------------------------------
namespace build_n {
struct SendEmailV1 {
  std::string to;
  std::string templateId;
};
SKEW_DESCRIBE(SendEmailV1, to, templateId)

struct PaymentCaptured {
  long amountCents = 0;
  std::string currency;
};
SKEW_DESCRIBE(PaymentCaptured, amountCents, currency)

using SendEmail = skew::message<"send-email", SendEmailV1>;
using Payment = skew::message<"payment_captured", PaymentCaptured>;
}  // namespace build_n

// ---- Build N+1 -----------------------------------------------------------------------------
namespace build_n1 {
struct SendEmailV1 {
  std::string to;
  std::string templateId;
};
SKEW_DESCRIBE(SendEmailV1, to, templateId)

struct SendEmailV2 {
  std::string to;
  std::string templateId;
  std::optional<std::string> locale;
};
SKEW_DESCRIBE(SendEmailV2, to, templateId, locale)

SendEmailV2 upcast(SendEmailV1&& v1) {
  return {std::move(v1.to), std::move(v1.templateId), "en"};
}
SendEmailV1 downcast(const SendEmailV2& v2) {
  return {v2.to, v2.templateId};
}

struct PaymentCaptured {
  long amount_minor = 0;
  std::string currency;
};

using SendEmail = skew::message<"send-email", SendEmailV1, SendEmailV2>;
using Payment = skew::message<"payment_captured", PaymentCaptured>;
}  // namespace build_n1

template <>
struct skew::describe<build_n1::PaymentCaptured> {
  static constexpr auto fields =
      skew::fields(skew::member<&build_n1::PaymentCaptured::amount_minor>("amount_minor")
                       .alias("amountCents")
                       .dual_write(),
                   skew::member<&build_n1::PaymentCaptured::currency>("currency"));
};

namespace {

enum class build { n, n1 };
constexpr std::string_view build_name(build b) {
  return b == build::n ? "N" : "N+1";
}

struct counts {
  int produced = 0;
  int handled = 0;
  int retried = 0;
  int dead_lettered = 0;
};

// Everything the replicas share: the queue, the handled ids (handlers are idempotent by id), and
// the per-build counters of the current phase.
struct world {
  std::deque<std::string> queue;
  std::set<std::string> produced_ids;
  std::set<std::string> handled_ids;
  int duplicates = 0;
  std::map<build, counts> phase;
  int next_id = 0;
  std::uint32_t poll_state = 1;
};

void handle(world& w, build b, std::string_view id) {
  if (!w.handled_ids.insert(std::string(id)).second) ++w.duplicates;
  ++w.phase[b].handled;
}

class replica {
 public:
  explicit replica(world& w) : world_(w) { become(build::n); }

  void become(build b) {
    build_ = b;
    if (b == build::n) {
      auto& r = router_.emplace<skew::router<build_n::SendEmail, build_n::Payment>>();
      r.on<build_n::SendEmail>([this](const build_n::SendEmailV1&, const skew::envelope_view& e) {
        handle(world_, build::n, e.id);
      });
      r.on<build_n::Payment>(
          [this](const build_n::PaymentCaptured& p, const skew::envelope_view& e) {
            if (p.amountCents <= 0) return skew::outcome::dead_letter();  // would be a bug
            handle(world_, build::n, e.id);
            return skew::outcome::ack();
          });
    } else {
      auto& r = router_.emplace<skew::router<build_n1::SendEmail, build_n1::Payment>>();
      r.on<build_n1::SendEmail>(
          [this](const build_n1::SendEmailV2& m, const skew::envelope_view& e) {
            if (!m.locale) return skew::outcome::dead_letter();  // v1 always upcasts with "en"
            handle(world_, build::n1, e.id);
            return skew::outcome::ack();
          });
      r.on<build_n1::Payment>(
          [this](const build_n1::PaymentCaptured& p, const skew::envelope_view& e) {
            if (p.amount_minor <= 0) return skew::outcome::dead_letter();
            handle(world_, build::n1, e.id);
            return skew::outcome::ack();
          });
    }
  }
  build current() const { return build_; }

  // Producer side: build N writes send-email v1 and `amountCents`; build N+1 writes send-email at
  // the fleet's emission version and both payment names.
  void produce(std::uint32_t send_email_version) {
    const std::string id = fmt::format("m-{}", world_.next_id++);
    skew::result<std::string> json = skew::failure(skew::errc::unsupported_version);
    const bool email = world_.next_id % 2 == 0;
    if (build_ == build::n) {
      json =
          email ? skew::encode<build_n::SendEmail>(
                      build_n::SendEmailV1{"ada@example.com", "welcome"}, {.id = id})
                : skew::encode<build_n::Payment>(build_n::PaymentCaptured{1250, "EUR"}, {.id = id});
    } else if (email) {
      skew::emitter<build_n1::SendEmail> emitter({.produced_by = "N+1"});
      (void)emitter.set_version(send_email_version);
      json = emitter.encode({"ada@example.com", "welcome", "de"}, {.id = id});
    } else {
      json = skew::encode<build_n1::Payment>(build_n1::PaymentCaptured{1250, "EUR"}, {.id = id});
    }
    if (!json) {
      fmt::print("encode failed: {}\n", json.error());
      return;
    }
    world_.queue.push_back(*std::move(json));
    world_.produced_ids.insert(id);
    ++world_.phase[build_].produced;
  }

  // Consumer side: retry puts the message back at the end of the queue, as a visibility timeout
  // would; dead_letter parks it.
  void consume_one() {
    if (world_.queue.empty()) return;
    std::string message = std::move(world_.queue.front());
    world_.queue.pop_front();
    const skew::outcome o = std::visit([&](auto& r) { return r.dispatch(message); }, router_);
    if (o.action == skew::action::retry) {
      ++world_.phase[build_].retried;
      world_.queue.push_back(std::move(message));
    } else if (o.action == skew::action::dead_letter) {
      ++world_.phase[build_].dead_lettered;
      fmt::print("  dead letter from build {}: {}\n", build_name(build_), o);
    }
  }

  std::uint64_t alias_reads() const {
    return std::visit(
        [](const auto& r) { return r.stats().alias_read_count("payment_captured", "amountCents"); },
        router_);
  }

 private:
  world& world_;
  build build_ = build::n;
  std::variant<skew::router<build_n::SendEmail, build_n::Payment>,
               skew::router<build_n1::SendEmail, build_n1::Payment>>
      router_;
};

void run_phase(world& w, std::array<replica, 3>& replicas, std::string_view title,
               std::uint32_t emit_version) {
  w.phase.clear();
  for (int round = 0; round < 20; ++round) {
    for (auto& r : replicas) r.produce(emit_version);
  }
  // Consumers poll in a fixed pseudo-random order (as competing consumers do) until the queue
  // drains; the bound only guards against a livelock.
  for (int turn = 0; !w.queue.empty() && turn < 100000; ++turn) {
    w.poll_state = w.poll_state * 1103515245u + 12345u;
    replicas[(w.poll_state >> 16) % 3].consume_one();
  }
  std::string fleet;
  for (const auto& r : replicas) fleet += fmt::format(" {:<3}", build_name(r.current()));
  fmt::print("{:<44} replicas:{}  emit send-email v{}\n", title, fleet, emit_version);
  for (build b : {build::n, build::n1}) {
    const counts c = w.phase[b];
    if (c.produced + c.handled + c.retried + c.dead_lettered == 0) continue;
    fmt::print(
        "    build {:<3}  produced {:>3}  handled {:>3}  retried {:>3}  dead-lettered {:>2}\n",
        build_name(b), c.produced, c.handled, c.retried, c.dead_lettered);
  }
}

int simulate(bool early_flip) {
  world w;
  std::array<replica, 3> replicas{replica(w), replica(w), replica(w)};
  fmt::print("== {} ==\n", early_flip ? "early flip: emission switches to v2 while N still runs"
                                      : "two-phase rollout: read v2 everywhere, then emit v2");
  run_phase(w, replicas, "1. all replicas on build N", 1);
  replicas[0].become(build::n1);
  run_phase(w, replicas, "2. replica 1 on N+1", early_flip ? 2 : 1);
  replicas[1].become(build::n1);
  run_phase(w, replicas, "3. replica 2 on N+1", early_flip ? 2 : 1);
  replicas[2].become(build::n1);
  run_phase(w, replicas, "4. replica 3 on N+1: every consumer reads v2", early_flip ? 2 : 1);
  run_phase(w, replicas, "5. emission flipped to v2", 2);
  std::uint64_t alias_reads = 0;
  for (const auto& r : replicas) alias_reads += r.alias_reads();
  int lost = 0;
  for (const auto& id : w.produced_ids) lost += w.handled_ids.count(id) == 0 ? 1 : 0;
  fmt::print(
      "payment_captured read under the old name amountCents by N+1: {} times (dual write "
      "on: keep it until N is gone everywhere)\n",
      alias_reads);
  fmt::print("produced {}, handled {}, duplicates {}, still queued {}\n", w.produced_ids.size(),
             w.handled_ids.size(), w.duplicates, w.queue.size());
  fmt::print("lost messages: {}\n\n", lost);
  return lost;
}

}  // namespace

int main() {
  const int lost = simulate(false) + simulate(true);
  return lost == 0 ? 0 : 1;
}

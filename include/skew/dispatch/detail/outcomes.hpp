// The outcomes a router gives: the policy per reason, the header fields an outcome names, and the
// counting that ends every dispatch. Shared by every router type, so compiled once.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/error.hpp>
#include <skew/dispatch/detail/frame.hpp>
#include <skew/dispatch/detail/router_counters.hpp>
#include <skew/dispatch/outcome.hpp>
#include <skew/envelope/detail/header_fields.hpp>
#include <skew/envelope/view.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace skew::detail {

// What to do per reason. The defaults: a newer pod may know an unknown type or version, so that
// work is retried later, never dropped; what no build can read is dead-lettered; a failed handler
// is retried.
class policy_table {
 public:
  policy_table() noexcept {
    using namespace std::chrono_literals;
    set(reason::unknown_type, {action::retry, 30s});
    set(reason::unsupported_version, {action::retry, 30s});
    set(reason::retired_version, {action::dead_letter, 0ms});
    set(reason::malformed, {action::dead_letter, 0ms});
    set(reason::invalid_payload, {action::dead_letter, 0ms});
    set(reason::invalid_envelope, {action::dead_letter, 0ms});
    set(reason::handler_failed, {action::retry, 5s});
  }
  void set(reason r, policy p) noexcept { policies_[static_cast<std::size_t>(r)] = p; }
  policy get(reason r) const noexcept { return policies_[static_cast<std::size_t>(r)]; }

  outcome outcome_for(reason r) const {
    const policy p = get(r);
    outcome o;
    o.action = p.action;
    o.retry_delay = p.retry_delay;
    o.reason = r;
    return o;
  }
  outcome outcome_for(reason r, error err) const {
    outcome o = outcome_for(r);
    o.error.emplace(std::move(err));
    return o;
  }

 private:
  std::array<policy, reason_count> policies_{};
};

// Bytes that are not JSON are malformed wherever they sit; anything else is the caller's reason.
inline reason reason_for(errc code, reason otherwise) noexcept {
  return code == errc::malformed_json || code == errc::invalid_utf8 ||
                 code == errc::trailing_content
             ? reason::malformed
             : otherwise;
}

inline void set_header(outcome& o, const header_fields& h) noexcept {
  o.type = h.type;
  o.version = h.version;
  o.id = h.id;
  o.produced_by = h.produced_by;
  o.config_revision = h.config_revision;
}

// For an outcome of no (type, version) the router holds: its counters are found by name.
inline constexpr std::size_t no_known_slot = static_cast<std::size_t>(-1);

// Views of the outcome that point at text this call unescaped (not into the message) move to
// storage of the thread. Out of line, with count_alias_reads: both are rare, and inlined they
// doubled the code of every (type, version) the router handles.
SKEW_NOINLINE inline void keep_unescaped_views(outcome& o, const decode_context& ctx) {
  auto stable = [&](std::string_view& s, std::size_t index) {
    if (!s.empty() && !in_input(ctx, s)) {
      thread_local std::array<std::string, 4> owned;
      owned[index].assign(s);
      s = owned[index];
    }
  };
  stable(o.type, 0);
  stable(o.id, 1);
  stable(o.produced_by, 2);
  stable(o.config_revision, 3);
}

SKEW_NOINLINE inline void count_alias_reads(const outcome& o, const dispatch_frame& f,
                                            std::uint32_t version) {
  const decode_context& ctx = f.ctx;
  for (std::uint8_t i = 0; i < ctx.alias_name_count; ++i) {
    bump(f.counters->aliases.find(o.type, version, ctx.alias_name(i)).count, 1);
  }
}

// Counts the outcome, and moves views that point into this call's scratch (unescaped text) to
// storage of the thread that outlives it. Inline: it ends every handled message.
// An observed dispatch's facts from the frame: its upcast steps and the event's traceparent.
SKEW_COLD inline void observe(observation& ob, const dispatch_frame& f, std::uint32_t upcast_hops) {
  ob.upcast_steps = upcast_hops;
  // Overwritten whole: a dispatch inside a handler may have recorded first.
  envelope_view env;
  env.attributes = f.scratch.attributes();
  const std::optional<trace_context> created = env.creation_context();
  ob.has_traceparent = created.has_value();
  ob.traceparent.assign(created ? created->traceparent : std::string_view());
  ob.tracestate.assign(created ? created->tracestate : std::string_view());
}

SKEW_ALWAYS_INLINE inline void finish(outcome& o, const dispatch_frame& f,
                                      std::uint32_t upcast_hops,
                                      std::size_t known = no_known_slot) {
  if (observation* ob = observation_on_thread) [[unlikely]]
    observe(*ob, f, upcast_hops);
  const decode_context& ctx = f.ctx;
  if (ctx.strings != ctx.strings_begin) [[unlikely]]
    keep_unescaped_views(o, ctx);
  const std::uint32_t version = o.version.value_or(0);
  auto& c = known != no_known_slot ? *f.known[known] : f.counters->messages.find(o.type, version);
  bump(c.outcomes[static_cast<std::size_t>(o.reason) * action_count +
                  static_cast<std::size_t>(o.action)],
       1);
  if (upcast_hops != 0) bump(c.upcast_hops, upcast_hops);
  if (ctx.ignored_keys != 0) bump(c.ignored_keys, ctx.ignored_keys);
  if (f.header.invalid_trace_context) [[unlikely]]
    bump(c.invalid_trace_context, 1);
  if (ctx.alias_name_count != 0) [[unlikely]]
    count_alias_reads(o, f, version);
}

// finish() for the paths other than a handled message: kept out of line.
SKEW_NOINLINE inline void finish_cold(outcome& o, const dispatch_frame& f,
                                      std::uint32_t upcast_hops,
                                      std::size_t known = no_known_slot) {
  finish(o, f, upcast_hops, known);
}

}  // namespace skew::detail

// skew::outcome: what a consumer should do with a message, and why. Every message that cannot be
// handled becomes an outcome instead of an exception, so one new message kind cannot poison a
// queue.
#pragma once

#include <skew/base/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

namespace skew {

// What to tell the broker. ack: done, remove it. retry: leave it for later (a newer pod may handle
// it). dead_letter: park it for people. drop: remove it without handling.
enum class action : unsigned char { ack, retry, dead_letter, drop };

enum class reason : unsigned char {
  handled,              // a handler took it (its outcome may still ask for a retry)
  unknown_type,         // no family of this build has that type
  unsupported_version,  // newer than this build reads, or a version it has no handler for
  retired_version,      // older than the oldest version this build still reads
  malformed,            // not JSON
  invalid_payload,      // the payload does not decode into the version's struct
  invalid_envelope,     // no usable type or version in the header
  handler_failed,       // the handler threw
};

namespace detail {
// The names of the enumerators, one array each, in the enums' order.
inline constexpr std::string_view action_names[] = {"ack", "retry", "dead_letter", "drop"};
inline constexpr std::string_view reason_names[] = {
    "handled",   "unknown_type",    "unsupported_version", "retired_version",
    "malformed", "invalid_payload", "invalid_envelope",    "handler_failed"};
}  // namespace detail

inline constexpr std::size_t reason_count = std::size(detail::reason_names);
inline constexpr std::size_t action_count = std::size(detail::action_names);
static_assert(static_cast<std::size_t>(reason::handler_failed) + 1 == reason_count,
              "one reason_names entry per reason");
static_assert(static_cast<std::size_t>(action::drop) + 1 == action_count,
              "one action_names entry per action");

constexpr std::string_view to_string(action a) noexcept {
  const auto index = static_cast<std::size_t>(a);
  return index < action_count ? detail::action_names[index] : "unknown";
}

constexpr std::string_view to_string(reason r) noexcept {
  const auto index = static_cast<std::size_t>(r);
  return index < reason_count ? detail::reason_names[index] : "unknown";
}

struct outcome {
  ::skew::action action = ::skew::action::ack;
  ::skew::reason reason = ::skew::reason::handled;
  std::chrono::milliseconds retry_delay{0};
  // The envelope's type and version when they were read. `type` views the dispatching thread's
  // buffer: valid until that thread's next dispatch.
  std::string_view type;
  std::optional<std::uint32_t> version;
  // The envelope's id and producer stamps, when present (same lifetime as `type`).
  std::string_view id;
  std::string_view produced_by;
  std::string_view config_revision;
  // The decoder's error for malformed, invalid_payload and invalid_envelope.
  std::optional<skew::error> error;
  // handler_failed: what the handler's exception said (`what()`, or "unknown exception" for one
  // not derived from std::exception). Same lifetime as `type`.
  std::string_view handler_error;

  // User-provided on purpose: GCC then stores the members one by one instead of clearing the
  // whole object with `rep stos` (see docs/performance.md).
  outcome() noexcept {}

  static outcome ack() { return {}; }
  static outcome retry(std::chrono::milliseconds delay = std::chrono::milliseconds{0}) {
    outcome o;
    o.action = ::skew::action::retry;
    o.retry_delay = delay;
    return o;
  }
  static outcome dead_letter() {
    outcome o;
    o.action = ::skew::action::dead_letter;
    return o;
  }
  static outcome drop() {
    outcome o;
    o.action = ::skew::action::drop;
    return o;
  }
};

// How the router answers a reason it produces itself.
struct policy {
  ::skew::action action = ::skew::action::ack;
  std::chrono::milliseconds retry_delay{0};
};

}  // namespace skew

template <>
struct fmt::formatter<skew::outcome> : fmt::formatter<std::string_view> {
  // A template, so that a TU which never formats one does not compile this.
  template <class FormatContext>
  auto format(const skew::outcome& o, FormatContext& ctx) const {
    auto out =
        fmt::format_to(ctx.out(), "{} ({})", skew::to_string(o.action), skew::to_string(o.reason));
    if (!o.type.empty()) out = fmt::format_to(out, " type={}", o.type);
    if (o.version) out = fmt::format_to(out, " version={}", *o.version);
    if (!o.id.empty()) out = fmt::format_to(out, " id={}", o.id);
    if (!o.produced_by.empty()) out = fmt::format_to(out, " producedBy={}", o.produced_by);
    if (o.action == skew::action::retry && o.retry_delay.count() > 0) {
      out = fmt::format_to(out, " after {}ms", o.retry_delay.count());
    }
    if (o.error) out = fmt::format_to(out, ": {}", *o.error);
    if (!o.handler_error.empty()) out = fmt::format_to(out, ": handler threw: {}", o.handler_error);
    return out;
  }
};

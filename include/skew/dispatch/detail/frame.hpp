// What a router keeps per family and per dispatch: the handlers, the thread's reused payload
// structs, and the frame one dispatch works on.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/options.hpp>
#include <skew/dispatch/detail/router_counters.hpp>
#include <skew/dispatch/observer.hpp>
#include <skew/dispatch/outcome.hpp>
#include <skew/envelope/detail/flat_header.hpp>
#include <skew/envelope/detail/header_fields.hpp>
#include <skew/envelope/view.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/model/manifest.hpp>
#include <skew/model/message.hpp>

#include <array>
#include <concepts>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace skew::detail {

// The outcome of a handler that threw: retried by default, with the exception's text kept in
// storage of the thread (the exception is gone when the outcome is read).
SKEW_COLD inline void handler_threw(outcome& out, const char* what) {
  thread_local std::string text;
  text.assign(what != nullptr ? what : "");
  out = outcome::retry();
  out.reason = reason::handler_failed;
  out.handler_error = text;
}

// Calls a handler and writes its outcome into `out`, which holds ack: a handler returning void
// leaves it so, and nothing is copied on that common path.
template <class Handler, class Payload>
void invoke_handler(outcome& out, Handler& handler, const Payload& payload,
                    const envelope_view& env) {
#if defined(__cpp_exceptions)
  try {
#endif
    if constexpr (std::invocable<Handler&, const Payload&, const envelope_view&>) {
      if constexpr (std::is_void_v<
                        std::invoke_result_t<Handler&, const Payload&, const envelope_view&>>) {
        std::invoke(handler, payload, env);
      } else {
        out = std::invoke(handler, payload, env);
      }
    } else if constexpr (std::is_void_v<std::invoke_result_t<Handler&, const Payload&>>) {
      std::invoke(handler, payload);
    } else {
      out = std::invoke(handler, payload);
    }
#if defined(__cpp_exceptions)
  } catch (const std::exception& e) {
    // A throwing handler must not take the consumer loop down with it.
    handler_threw(out, e.what());
  } catch (...) {
    handler_threw(out, "unknown exception");
  }
#endif
}

template <message_family Family>
struct family_handlers {
  using latest = typename Family::latest;
  // Takes any version, upcast to the latest.
  std::function<void(outcome&, const latest&, const envelope_view&)> latest_handler;
  // One exact version each, no upcast; the payload is passed type-erased.
  std::array<std::function<void(outcome&, const void*, const envelope_view&)>,
             Family::version_count>
      exact{};

  bool handles_index(std::size_t index) const { return exact[index] || latest_handler; }
};

// What a router with handlers `h` reads of Family: the versions a handler is reached from, and
// the retired floor.
template <class Family>
manifest_family family_manifest(const family_handlers<Family>& h) {
  manifest_family f;
  f.type = std::string(Family::type_name);
  f.floor = Family::oldest_version;
  for (std::size_t i = 0; i < Family::version_count; ++i) {
    if (h.handles_index(i)) f.reads.push_back(Family::versions[i]);
  }
  return f;
}

// The payload struct a dispatching thread decodes into, kept between messages so its strings and
// vectors keep their capacity (decoding resets every member). `busy` is set while a handler holds
// the value; a handler that dispatches a message of the same (type, version) again on this thread
// gets a fresh struct (slot_lease) as `current`, so the value it is reading stays untouched.
template <class Payload>
struct payload_slot {
  Payload value{};
  Payload* current = &value;
  bool busy = false;
};
// Out of line: the thread_local's first-use guard and destructor registration stay out of every
// (type, version) the router inlines this into.
template <class Payload>
SKEW_NOINLINE payload_slot<Payload>& thread_payload_slot() {
  thread_local payload_slot<Payload> slot;
  return slot;
}

// Lends a busy slot another value for the length of a nested dispatch, then gives the slot back
// its own, busy again.
template <class Payload>
struct slot_lease {
  payload_slot<Payload>& slot;
  Payload* saved;
  slot_lease(payload_slot<Payload>& s, Payload& fresh) : slot(s), saved(s.current) {
    slot.current = &fresh;
    slot.busy = false;
  }
  ~slot_lease() {
    slot.current = saved;
    slot.busy = true;
  }
  slot_lease(const slot_lease&) = delete;
  slot_lease& operator=(const slot_lease&) = delete;
};

struct busy_guard {
  bool* flag;
  explicit busy_guard(bool& f) : flag(&f) { f = true; }
  // A null flag: nothing to mark (the value in use is not a thread's slot).
  explicit busy_guard(bool* f) : flag(f) {
    if (flag) *flag = true;
  }
  ~busy_guard() {
    if (flag) *flag = false;
  }
  busy_guard(const busy_guard&) = delete;
  busy_guard& operator=(const busy_guard&) = delete;
};

// Set while the thread runs router::dry_run: the handler is chosen (and the payload decoded and
// upcast to it) but not called. Constant-initialized, so reading it is one thread-local load.
inline thread_local bool dry_run_on_thread = false;

// The trace context of the hop the next message arrived on, while router::dispatch(..., hop)
// runs; taken (and cleared) when the handler's envelope_view is made, so a dispatch inside a
// handler does not inherit it.
inline thread_local const trace_context* transport_on_thread = nullptr;

struct transport_guard {
  const trace_context* saved;
  explicit transport_guard(const std::optional<trace_context>& hop)
      : saved(std::exchange(transport_on_thread, hop ? &*hop : nullptr)) {}
  ~transport_guard() { transport_on_thread = saved; }
  transport_guard(const transport_guard&) = delete;
  transport_guard& operator=(const transport_guard&) = delete;
};

// What an observed dispatch learns from inside: the upcast steps and the event's creation
// context, its text copied (the frame that held it is gone when the observer is told).
struct observation {
  std::uint32_t upcast_steps = 0;
  std::string traceparent;
  std::string tracestate;
  bool has_traceparent = false;  // a valid one

  std::optional<trace_context> creation_context() const noexcept {
    if (!has_traceparent) return std::nullopt;
    return parse_traceparent(traceparent, tracestate);
  }
};
// Set while an observed dispatch runs: finish() records into it. Constant-initialized, so the
// unobserved path pays one thread-local load.
inline thread_local observation* observation_on_thread = nullptr;

// What one dispatch works on, passed down the call chain as one reference.
struct dispatch_frame {
  // A constructor, so that the header's raw attribute storage is left uninitialized (value
  // initialization would zero a kilobyte per message).
  dispatch_frame(const options& o, thread_counters& c) noexcept
      : ctx(o, nullptr, nullptr), counters(&c), known(c.known.data()) {}

  decode_context ctx;
  header_scratch scratch;
  header_fields header;
  // This thread's counters, found when the dispatch starts: the few dependent loads that find
  // them then overlap the parsing instead of delaying the end of every dispatch.
  thread_counters* counters;
  // counters->known.data(), loaded here for the same reason.
  message_counters* const* known;
};

}  // namespace skew::detail

// Layer dispatch/: from one message to one handler call and its outcome: routing, upcasting,
// policies, counters.
//
// skew::router: reads an envelope, upcasts old versions, calls the right handler, and turns every
// message it cannot handle into an outcome.
//
//   skew::router<SendEmail, PaymentCaptured> router;
//   router.on<SendEmail>([](const SendEmailV2& m, const skew::envelope_view& env) { ... });
//   router.on<PaymentCaptured, 1>([](const PaymentV1& m, const skew::envelope_view&) { ... });
//   skew::outcome o = router.dispatch(json);   // never throws
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/detail/contract.hpp>
#include <skew/dispatch/detail/dispatch_table.hpp>
#include <skew/dispatch/detail/frame.hpp>
#include <skew/dispatch/detail/outcomes.hpp>
#include <skew/dispatch/detail/router_counters.hpp>
#include <skew/dispatch/detail/type_name_table.hpp>
#include <skew/dispatch/handler.hpp>
#include <skew/dispatch/observer.hpp>
#include <skew/dispatch/outcome.hpp>
#include <skew/dispatch/stats.hpp>
#include <skew/envelope/binary_binding.hpp>
#include <skew/envelope/detail/binary_header.hpp>
#include <skew/envelope/detail/read_envelope.hpp>
#include <skew/envelope/peek.hpp>
#include <skew/json/detail/name_index.hpp>
#include <skew/model/manifest.hpp>
#include <skew/model/message.hpp>

#include <array>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace skew {

template <message_family... Families>
class router {
 public:
  // Default policies: a newer pod may know an unknown type or version, so that work is retried
  // later, never dropped; what no build can read is dead-lettered; a failed handler is retried.
  router() : counters_(std::make_unique<detail::router_counters>()) {}

  // A handler for every version of Family, called with the latest payload struct (older versions
  // arrive upcast). Callable as (const Payload&) or (const Payload&, const skew::envelope_view&),
  // returning void or skew::outcome.
  template <message_family Family, class Handler>
  router& on(Handler handler);
  // A handler for exactly version Version of Family: no upcast.
  template <message_family Family, std::uint32_t Version, class Handler>
  router& on(Handler handler);

  // What happens to a message for each reason it was not handled (retry, defer, dead-letter, drop).
  void set_policy(reason r, policy p) {
    require_configurable("router::set_policy");
    policies_.set(r, p);
  }
  policy policy_for(reason r) const { return policies_.get(r); }

  // The envelope layout and header key names (flat by default).
  void set_format(const envelope_format& f) {
    require_configurable("router::set_format");
    format_ = f;
    flat_keys_ = detail::flat_keys(f);
    canonical_format_ = detail::can_match_canonical_header(format_, flat_keys_);
  }
  const envelope_format& format() const { return format_; }
  // Options for payload decoding (strictness, limits, validation).
  void set_options(const options& o) {
    require_configurable("router::set_options");
    options_ = o;
  }
  const options& decode_options() const { return options_; }
  // The hook told of each message's processing (dispatch/observer.hpp); nullptr, the default, is
  // none, and costs a test per dispatch. The observer must outlive the router's dispatching.
  void set_observer(skew::observer* o) {
    require_configurable("router::set_observer");
    observer_ = o;
  }
  skew::observer* observer_hook() const { return observer_; }
  // Configuration is read by dispatching threads without locks: configuring a router after any
  // thread has dispatched with it is a contract violation.

  // Whether this build has a handler for (type, version): lets a broker adapter route messages
  // only newer consumers understand to a queue they alone read. A former type name counts as its
  // family's.
  bool can_handle(std::string_view type, std::uint32_t version) const;

  // What this build reads, per family: the versions a handler is reached from (every version for
  // a latest-version handler, which upcasts; exactly its version for an exact-version handler)
  // and the retired floor (older versions are dead-lettered). Service, build and group are the
  // caller's to fill.
  skew::manifest manifest() const;

  // Dispatches one message with the calling thread's decoder. Never throws. The message is copied
  // once, into that decoder's padded buffer.
  outcome dispatch(std::string_view message) { return dispatch_on_thread(message); }
  // The same without the copy: the message is read where it is, and the outcome's views point
  // into it (detail::padded_input: a padded string or view). One with less than
  // detail::input_padding bytes past its end is copied instead.
  template <detail::padded_input Padded>
  outcome dispatch(const Padded& message) {
    return dispatch_on_thread(detail::as_padded(message));
  }

  // A CloudEvent in binary content mode: the attributes from a broker message's headers (named by
  // `binding`), the data from its value, and the Kafka record key as `partitionkey` when the
  // event has none. Errors in the data have a JSON Pointer into `payload` (which has no `data`
  // key) and an offset in it; errors in an attribute have its path (`/subject`) and no offset. The
  // outcome's id is the `id` header's even when the message is unreadable. A router whose format
  // is not a CloudEvents one cannot read the event: the headers come from whoever produced the
  // message, so that is an invalid_envelope outcome (errc::unsupported_content_mode), never a stop.
  outcome dispatch(std::span<const message_header> headers, std::string_view payload,
                   const binary_binding& binding = binary_binding::kafka(),
                   std::optional<std::string_view> record_key = std::nullopt,
                   const std::optional<trace_context>& hop = std::nullopt);

  // With the trace context of the hop the message arrived on (a broker's `traceparent` header,
  // read with parse_traceparent): the handler sees it as envelope_view::transport_context, beside
  // the event's own creation_context().
  outcome dispatch(std::string_view message, const std::optional<trace_context>& hop);

  // Dispatches with a caller-owned decoder (one per thread). Views in the outcome (type, id,
  // stamps) stay valid until the decoder's next use.
  outcome dispatch(decoder& dec, std::string_view message) { return dispatch_with(dec, message); }
  template <detail::padded_input Padded>
  outcome dispatch(decoder& dec, const Padded& message) {
    return dispatch_with(dec, detail::as_padded(message));
  }

  // A dry run for traffic replay: decodes, upcasts and chooses the handler like dispatch, but
  // calls none; a message a handler would get is ack/handled. Counted like any dispatch (replay
  // with a router of its own).
  outcome dry_run(std::string_view message);
  outcome dry_run(std::span<const message_header> headers, std::string_view payload,
                  const binary_binding& binding = binary_binding::kafka(),
                  std::optional<std::string_view> record_key = std::nullopt);

  // A snapshot of the counters, sorted by type and version. Safe to call while other threads
  // dispatch (each number is exact; the set is not one atomic cut).
  router_stats stats() const { return detail::snapshot(*counters_); }

 private:
  // The members below are defined in dispatch/impl/router.hpp.

  // A contract violation once any thread has dispatched (caught for certain on the dispatching
  // thread itself, and on others once they see its first dispatch).
  void require_configurable(const char* call) const;

  // The thread's decoder, or a fresh one for a handler that dispatches on its own thread.
  // `binary`: the message is a binary-mode CloudEvent whose data is `message`.
  template <class Message>
  outcome dispatch_on_thread(Message message, const detail::binary_source* binary = nullptr);
  // The size limit and stage 1, then route (route_binary for a binary-mode message);
  // dispatch_observed around it when there is an observer.
  template <class Message>
  outcome dispatch_with(decoder& dec, Message message,
                        const detail::binary_source* binary = nullptr);
  template <class Message>
  SKEW_ALWAYS_INLINE outcome dispatch_unobserved(decoder& dec, Message message,
                                                 const detail::binary_source* binary);
  template <class Message>
  SKEW_NOINLINE outcome dispatch_observed(decoder& dec, Message message,
                                          const detail::binary_source* binary);
  // Everything after stage 1: the header (the header as skew writes it matched first, with loads
  // only), the family by its type name, then the entry of its version.
  SKEW_ALWAYS_INLINE outcome route(const detail::parsed_input& input,
                                   detail::thread_counters& counters);
  // The same for a binary-mode message: the header from its headers, the data as the input.
  outcome route_binary(const detail::parsed_input& input, detail::thread_counters& counters,
                       const detail::binary_source& binary);
  // Both routes' last step: the family by its type name (a former name counted), then the entry
  // of its version, or the unknown type's outcome.
  SKEW_ALWAYS_INLINE void route_to_family(detail::dispatch_frame& f, outcome& o,
                                          std::string_view type, std::uint32_t version);

  template <class Family>
  static constexpr bool holds = (std::is_same_v<Family, Families> || ...);
  template <class Family>
  bool handles(std::uint32_t version) const;

  using type_names = detail::type_name_table<Families...>;
  static constexpr std::size_t name_count = type_names::count;

  // The index of the name `type` among the router's type names (type_name_table), or
  // name_count for none: below the number of families, that family; above, a former name.
  static std::size_t family_of(std::string_view type) noexcept {
    return type_names::index.find(type);
  }
  // A message under a former type name: it is the family's now (the outcome and the handler see
  // the current name), and the read is counted under the former name.
  SKEW_COLD static std::size_t take_former_name(detail::dispatch_frame& f, std::size_t name);

  // The entry of every (family, version): dispatch_table calls decode_and_call and
  // dispatch_family.
  using entries = detail::dispatch_table<router, Families...>;
  friend entries;
  // The general entry of a family: versions the table does not index directly.
  template <class Family>
  void dispatch_family(detail::dispatch_frame& f, outcome& o);
  // Which handler takes the message, settled before decoding; then decode_and_call_with in the
  // thread's payload slot. When a handler of the same (type, version) is running on this thread
  // and holds the slot's value, decode_and_call_reentered lends the slot a fresh value and calls
  // decode_and_call again: one inlined body per (type, version).
  template <class Family, std::size_t Index>
  void decode_and_call(detail::dispatch_frame& f, outcome& o);
  template <class Family, std::size_t Index>
  SKEW_COLD void decode_and_call_reentered(
      detail::dispatch_frame& f, outcome& o,
      detail::payload_slot<typename Family::template payload_at<Index>>& slot);
  template <class Family, std::size_t Index>
  SKEW_ALWAYS_INLINE void decode_and_call_with(
      detail::dispatch_frame& f, detail::family_handlers<Family>& handlers, outcome& o,
      typename Family::template payload_at<Index>& payload_value, bool exact);
  // The handler's view of the envelope, and the outcome's last steps (a failed handler's policy,
  // the header, the counters): out of line, as they do not depend on the (type, version), and
  // inlined they were compiled again for every pair the router routes.
  SKEW_NOINLINE envelope_view view_of(const detail::dispatch_frame& f) const;
  SKEW_NOINLINE void finish_handled(outcome& o, const detail::dispatch_frame& f, std::uint32_t hops,
                                    std::size_t known) const;
  // A dry run's stand-in for the handler call: the upcast only.
  template <class Family, std::size_t Index>
  SKEW_COLD static void dry_run_call(typename Family::template payload_at<Index>& value, bool exact,
                                     std::uint32_t& hops);
  // The index of (Family, version index) among the router's pairs, in pack order.
  template <class Family, std::size_t Index>
  static constexpr std::size_t known_slot();

  // This thread's counter block for this router, made on its first dispatch.
  detail::thread_counters& this_thread_counters();

  // The paths of a message no handler gets, out of line and cold: kept out of the hot path's
  // code, they no longer crowd its cache lines (the error and outcome they build are large).
  // A message rejected before its header was read: `r` is malformed or invalid_envelope.
  SKEW_COLD outcome reject_unread(detail::thread_counters& counters, reason r, error err);
  SKEW_COLD void reject_header(outcome& o, detail::dispatch_frame& f);
  SKEW_COLD void reject_unknown_type(outcome& o, detail::dispatch_frame& f);
  SKEW_COLD void reject_payload(outcome& o, detail::dispatch_frame& f, std::size_t known);
  // A message routed by the header at its end (match_trailing_header) that then failed: read
  // again from the start by the general step and routed, so that its outcome is the general
  // step's. The rejections above call it first.
  SKEW_COLD void reroute_from_start(outcome& o, detail::dispatch_frame& f);
  // A version of its family this build has no handler for: older than the family's oldest
  // version, or newer.
  SKEW_COLD void reject_version(detail::dispatch_frame& f, outcome& o,
                                std::uint32_t oldest_version);
  // A message this build will not decode still has its whole header read, so that the outcome
  // names it. False, with `o` filled and counted, when a header key there is invalid.
  bool rest_of_header_valid(detail::dispatch_frame& f, outcome& o);

  std::tuple<detail::family_handlers<Families>...> handlers_;
  detail::policy_table policies_;
  envelope_format format_{};
  detail::flat_keys flat_keys_{format_};
  bool canonical_format_ = detail::can_match_canonical_header(format_, flat_keys_);
  options options_{};
  skew::observer* observer_ = nullptr;
  std::unique_ptr<detail::router_counters> counters_;
};

}  // namespace skew

#include <skew/dispatch/impl/entry_points.hpp>
#include <skew/dispatch/impl/router.hpp>

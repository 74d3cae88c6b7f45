// skew::router: reads an envelope, upcasts old versions, calls the right handler, and turns every
// message it cannot handle into an outcome.
//
//   skew::router<SendEmail, PaymentCaptured> router;
//   router.on<SendEmail>([](const SendEmailV2& m, const skew::envelope_view& env) { ... });
//   router.on<PaymentCaptured, 1>([](const PaymentV1& m, const skew::envelope_view&) { ... });
//   skew::outcome o = router.dispatch(json);   // never throws
#pragma once

#include <skew/binary_binding.hpp>
#include <skew/detail/contract.hpp>
#include <skew/detail/dispatch_frame.hpp>
#include <skew/detail/dispatch_table.hpp>
#include <skew/detail/name_index.hpp>
#include <skew/detail/router_counters.hpp>
#include <skew/detail/router_outcomes.hpp>
#include <skew/detail/type_name_table.hpp>
#include <skew/envelope.hpp>
#include <skew/handler.hpp>
#include <skew/manifest.hpp>
#include <skew/message.hpp>
#include <skew/outcome.hpp>
#include <skew/stats.hpp>

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

  // A handler for every version of Family, called with the latest payload struct.
  template <message_family Family, class Handler>
  router& on(Handler handler) {
    static_assert(holds<Family>,
                  "skew::router::on<Family>: this router does not hold Family; list it in "
                  "skew::router<...>");
    using payload = typename Family::latest;
    static_assert(handler_for<Handler, payload>,
                  "skew::router::on<Family>: the handler must be callable as "
                  "(const Payload&) or (const Payload&, const skew::envelope_view&) and return "
                  "void or skew::outcome, where Payload is Family's latest payload struct");
    if constexpr (holds<Family> && handler_for<Handler, payload>) {
      require_configurable("router::on");
      auto& slot = std::get<detail::family_handlers<Family>>(handlers_);
      slot.latest_handler = [h = std::move(handler)](outcome& out, const payload& p,
                                                     const envelope_view& env) mutable {
        detail::invoke_handler(out, h, p, env);
      };
    }
    return *this;
  }

  // A handler for exactly version Version of Family: no upcast.
  template <message_family Family, std::uint32_t Version, class Handler>
  router& on(Handler handler) {
    static_assert(holds<Family>,
                  "skew::router::on<Family, Version>: this router does not hold Family; list it "
                  "in skew::router<...>");
    constexpr auto index = Family::index_of(Version);
    static_assert(index.has_value(),
                  "skew::router::on<Family, Version>: the family has no such version");
    if constexpr (holds<Family> && index.has_value()) {
      using payload = typename Family::template payload_at<*index>;
      static_assert(handler_for<Handler, payload>,
                    "skew::router::on<Family, Version>: the handler must be callable as "
                    "(const Payload&) or (const Payload&, const skew::envelope_view&) and return "
                    "void or skew::outcome, where Payload is that version's payload struct");
      if constexpr (handler_for<Handler, payload>) {
        require_configurable("router::on");
        auto& slot = std::get<detail::family_handlers<Family>>(handlers_);
        slot.exact[*index] = [h = std::move(handler)](outcome& out, const void* p,
                                                      const envelope_view& env) mutable {
          detail::invoke_handler(out, h, *static_cast<const payload*>(p), env);
        };
      }
    }
    return *this;
  }

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
    canonical_format_ = can_match_canonical();
  }
  const envelope_format& format() const { return format_; }
  // Options for payload decoding (strictness, limits, validation).
  void set_options(const options& o) {
    require_configurable("router::set_options");
    options_ = o;
  }
  const options& decode_options() const { return options_; }

  // Whether this build has a handler for (type, version): lets a broker adapter route messages
  // only newer consumers understand to a queue they alone read.
  // A former type name counts as its family's.
  bool can_handle(std::string_view type, std::uint32_t version) const {
    // Compared one by one: `type` is the caller's text, not padded input family_of may overread.
    std::size_t name = 0;
    while (name < name_count && type_names::names[name] != type) ++name;
    if (name == name_count) return false;
    const std::size_t family = type_names::owner[name];
    std::size_t k = 0;
    bool found = false;
    (void)((k++ == family ? (found = handles<Families>(version), true) : false) || ...);
    return found;
  }

  // What this build reads, per family: the versions a handler is reached from (every version for
  // a latest-version handler, which upcasts; exactly its version for an exact-version handler)
  // and the retired floor (older versions are dead-lettered). Service, build and group are the
  // caller's to fill.
  skew::manifest manifest() const {
    skew::manifest m;
    (m.families.push_back(
         detail::family_manifest(std::get<detail::family_handlers<Families>>(handlers_))),
     ...);
    return m;
  }

  // Dispatches one message with the calling thread's decoder. Never throws. The message is copied
  // once, into that decoder's padded buffer.
  outcome dispatch(std::string_view message) { return dispatch_on_thread(message); }
  // The same without the copy: the message is read where it is, and the outcome's views point
  // into it. A view with less than simdjson::SIMDJSON_PADDING bytes of padding is copied instead.
  template <class Padded>
  requires std::same_as<Padded, simdjson::padded_string_view> outcome dispatch(Padded message) {
    return dispatch_on_thread(message);
  }
  template <class Padded>
  requires std::same_as<Padded, simdjson::padded_string> outcome dispatch(const Padded& message) {
    return dispatch_on_thread(static_cast<simdjson::padded_string_view>(message));
  }

  // A CloudEvent in binary content mode: the attributes from a broker message's headers (named by
  // `binding`), the data from its value. Errors in the data have offsets into `payload`; errors
  // in an attribute have its path and no offset. A router whose format is not a CloudEvents one
  // cannot read the event: the headers come from whoever produced the message, so that is an
  // invalid_envelope outcome (errc::unsupported_content_mode), never a stop.
  outcome dispatch(std::span<const message_header> headers, std::string_view payload,
                   const binary_binding& binding = binary_binding::kafka()) {
    if (format_.layout != layout::cloudevents) {
      return reject_unread(this_thread_counters(), reason::invalid_envelope,
                           error{errc::unsupported_content_mode, {}, {}});
    }
    thread_local std::string event;
    const detail::binary_mapping m =
        detail::structured_from_binary(headers, payload, binding, event);
    if (m.payload_error) {
      return reject_unread(this_thread_counters(), reason::malformed,
                           error{errc::malformed_json, "/data", m.payload_error});
    }
    outcome o = dispatch_on_thread(std::string_view(event));
    if (o.error) detail::rebase_to_payload(*o.error, m.data_at);
    return o;
  }

  // Dispatches with a caller-owned decoder (one per thread). Views in the outcome (type, id,
  // stamps) stay valid until the decoder's next use.
  outcome dispatch(decoder& dec, std::string_view message) { return dispatch_with(dec, message); }
  template <class Padded>
  requires std::same_as<Padded, simdjson::padded_string_view> outcome dispatch(decoder& dec,
                                                                               Padded message) {
    return dispatch_with(dec, message);
  }

  // A snapshot of the counters, sorted by type and version. Safe to call while other threads
  // dispatch (each number is exact; the set is not one atomic cut).
  router_stats stats() const { return detail::snapshot(*counters_); }

 private:
  // Configuration is read by dispatching threads without locks: changing it once any thread has
  // dispatched would race with them, so it is a contract violation (caught for certain on the
  // dispatching thread itself, and on others once they see its first dispatch).
  void require_configurable(const char* call) const {
    if (counters_->dispatched.load(std::memory_order_relaxed)) {
      detail::contract_violation(call,
                                 " after the router began dispatching: configure a router "
                                 "before any thread dispatches with it");
    }
  }

  template <class Message>
  outcome dispatch_on_thread(Message message) {
    thread_local decoder local;
    thread_local bool busy = false;
    if (busy) {
      // A handler dispatching on its own thread: the outer payload still views `local`.
      decoder nested;
      return dispatch_with(nested, message);
    }
    detail::busy_guard guard(busy);
    return dispatch_with(local, message);
  }

  template <class Message>
  outcome dispatch_with(decoder& dec, Message message) {
    detail::thread_counters& counters = this_thread_counters();
    if (message.size() > options_.max_bytes) {
      return reject_unread(counters, reason::malformed, error{errc::too_large, {}, {}});
    }
    detail::parsed_input& input = detail::input_of(dec);
    if (auto e = input.parse(message)) {
      return reject_unread(counters, reason::malformed, input.failure(e));
    }
    return route(input, counters);
  }

  template <class Family>
  static constexpr bool holds = (std::is_same_v<Family, Families> || ...);

  using type_names = detail::type_name_table<Families...>;
  static constexpr std::size_t name_count = type_names::count;

  // The index of the name `type` among the router's type names (type_name_table), or
  // name_count for none: below the number of families, that family; above, a former name.
  static std::size_t family_of(std::string_view type) noexcept {
    return type_names::index.find(type);
  }

  // A message under a former type name: it is the family's now (the outcome and the handler see
  // the current name), and the read is counted under the former name.
  [[gnu::cold, gnu::noinline]] static std::size_t take_former_name(detail::dispatch_frame& f,
                                                                   std::size_t name) {
    const std::size_t family = type_names::owner[name];
    f.ctx.note_alias(type_names::names[name]);
    f.header.type = type_names::names[family];
    return family;
  }

  // The entry of every (family, version): dispatch_table calls decode_and_call and
  // dispatch_family.
  using entries = detail::dispatch_table<router, Families...>;
  friend entries;

  template <class Family>
  bool handles(std::uint32_t version) const {
    const auto index = Family::index_of(version);
    return index && std::get<detail::family_handlers<Family>>(handlers_).handles_index(*index);
  }

  // A message this build will not decode still has its whole header read (flat layout: the keys
  // after the payload's first one), so that the outcome names it. False, with `o` filled and
  // counted, when a header key there is invalid.
  bool rest_of_header_valid(detail::dispatch_frame& f, outcome& o) {
    if (format_.layout != layout::flat ||
        detail::read_rest_of_flat_header(f.ctx, flat_keys_, f.scratch, f.header)) {
      return true;
    }
    o = policies_.outcome_for(detail::reason_for(f.ctx.err.code, reason::invalid_envelope),
                              std::move(f.ctx.err));
    detail::set_header(o, f.header);
    detail::finish_cold(o, f, 0);
    return false;
  }

  // This thread's counter block for this router, made on its first dispatch.
  detail::thread_counters& this_thread_counters() {
    return counters_->for_this_thread([](detail::thread_counters& t) {
      // The router's own (type, version) pairs get their slots up front, in pack order.
      (
          [&] {
            for (std::size_t i = 0; i < Families::version_count; ++i) {
              t.known.push_back(&t.messages.find(Families::type_name, Families::versions[i]));
            }
          }(),
          ...);
    });
  }

  // Everything after stage 1. The outcome and the frame are set up only now, so that their many
  // small stores do not queue behind the copy and stage 1, which read the message.
  SKEW_HOT_INLINE outcome route(const detail::parsed_input& input,
                                detail::thread_counters& counters) {
    // The header as skew writes it is matched first, with loads only (see
    // match_canonical_header), and the entry it leads to found from registers.
    const detail::walk w = input.view();
    detail::canonical_header c;
    const bool canonical = canonical_format_ && detail::match_canonical_header(w, flat_keys_, c);
    // One outcome, filled in place on every path and returned by name (no copies of it).
    outcome o;
    detail::dispatch_frame f(options_, counters);
    detail::decode_context& ctx = f.ctx;
    input.bind(ctx);
    if (canonical) {
      detail::take_canonical_header(c, w, flat_keys_, f.header);
    } else {
      // The written header's match failed above (or does not apply): not again.
      if (!detail::read_header(ctx, format_, f.scratch, f.header, flat_keys_,
                               detail::header_fast_paths::compact)) {
        reject_header(o, f);
        return o;
      }
      c.type = f.header.type;
      c.version = f.header.version;
    }
    // The family by its type's length, then one compare; then its version's entry.
    std::size_t family = family_of(c.type);
    if (family >= sizeof...(Families) && family < name_count) [[unlikely]]
      family = take_former_name(f, family);
    if (family < sizeof...(Families)) {
      entries::of(family, c.version)(*this, f, o);
    } else {
      reject_unknown_type(o, f);
    }
    return o;
  }

  // The paths of a message no handler gets, out of line and cold: kept out of the hot path's
  // code, they no longer crowd its cache lines (the error and outcome they build are large).
  // A message rejected before its header was read: `r` is malformed or invalid_envelope.
  [[gnu::cold, gnu::noinline]] outcome reject_unread(detail::thread_counters& counters, reason r,
                                                     error err) {
    const detail::dispatch_frame f(options_, counters);
    outcome o = policies_.outcome_for(r, std::move(err));
    detail::finish(o, f, 0);
    return o;
  }
  [[gnu::cold, gnu::noinline]] void reject_header(outcome& o, detail::dispatch_frame& f) {
    o = policies_.outcome_for(detail::reason_for(f.ctx.err.code, reason::invalid_envelope),
                              std::move(f.ctx.err));
    o.type = f.header.type;
    detail::finish(o, f, 0);
  }
  [[gnu::cold, gnu::noinline]] void reject_unknown_type(outcome& o, detail::dispatch_frame& f) {
    if (!rest_of_header_valid(f, o)) return;
    o = policies_.outcome_for(reason::unknown_type);
    detail::set_header(o, f.header);
    detail::finish(o, f, 0);
  }
  [[gnu::cold, gnu::noinline]] void reject_payload(outcome& o, detail::dispatch_frame& f,
                                                   std::size_t known) {
    error err = std::move(f.ctx.err);
    // A bad header key met by the payload pass (a late duplicate type) is the envelope's fault.
    const reason r = f.header.header_error ? reason::invalid_envelope : reason::invalid_payload;
    o = policies_.outcome_for(detail::reason_for(err.code, r), std::move(err));
    detail::set_header(o, f.header);
    detail::finish(o, f, 0, known);
  }

  // Whether the header as skew writes it is read by match_canonical_header: the flat layout, key
  // names it can compare, and no version in a type suffix (read_header's checks for the flat
  // layout then all hold for a matched header).
  bool can_match_canonical() const noexcept {
    return format_.layout == layout::flat && flat_keys_.canonical() &&
           !format_.version_in_type_suffix;
  }

  // The index of (Family, version index) among the router's pairs, in pack order.
  template <class Family, std::size_t Index>
  static constexpr std::size_t known_slot() {
    std::size_t offset = 0;
    bool found = false;
    ((std::is_same_v<Families, Family> ? (found = true)
                                       : (found ? 0 : (offset += Families::version_count, 0))),
     ...);
    return offset + Index;
  }

  // The general entry of a family: versions the table does not index directly.
  template <class Family>
  void dispatch_family(detail::dispatch_frame& f, outcome& o) {
    const auto index = Family::index_of(f.header.version);
    if (!index) {
      reject_version<Family>(f, o);
      return;
    }
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (void)((*index == I ? (decode_and_call<Family, I>(f, o), true) : false) || ...);
    }
    (std::make_index_sequence<Family::version_count>{});
  }

  // A version of Family this build has no handler for: older than it reads, or newer.
  template <class Family>
  void reject_version(detail::dispatch_frame& f, outcome& o) {
    if (!rest_of_header_valid(f, o)) return;
    const reason r = f.header.version < Family::oldest_version ? reason::retired_version
                                                               : reason::unsupported_version;
    o = policies_.outcome_for(r);
    detail::set_header(o, f.header);
    detail::finish_cold(o, f, 0);
  }

  template <class Family, std::size_t Index>
  void decode_and_call(detail::dispatch_frame& f, outcome& o) {
    auto& handlers = std::get<detail::family_handlers<Family>>(handlers_);
    // Which handler takes it, settled before decoding: a version nobody handles is not decoded.
    const bool exact = static_cast<bool>(handlers.exact[Index]);
    if (!exact && !handlers.latest_handler) [[unlikely]] {
      reject_version<Family>(f, o);
      return;
    }
    using payload = typename Family::template payload_at<Index>;
    auto& slot = detail::thread_payload_slot<payload>();
    if (slot.busy) [[unlikely]] {
      decode_and_call_fresh<Family, Index>(f, handlers, o, exact);
      return;
    }
    detail::busy_guard guard(slot.busy);
    decode_and_call_with<Family, Index>(f, handlers, o, slot.value, exact);
  }

  // A handler dispatching a message of its own kind on its thread: the slot is in use.
  template <class Family, std::size_t Index>
  [[gnu::noinline]] void decode_and_call_fresh(detail::dispatch_frame& f,
                                               detail::family_handlers<Family>& handlers,
                                               outcome& o, bool exact) {
    typename Family::template payload_at<Index> fresh{};
    decode_and_call_with<Family, Index>(f, handlers, o, fresh, exact);
  }

  template <class Family, std::size_t Index>
  [[gnu::always_inline]] void decode_and_call_with(
      detail::dispatch_frame& f, detail::family_handlers<Family>& handlers, outcome& o,
      typename Family::template payload_at<Index>& payload_value, bool exact) {
    detail::header_fields& header = f.header;
    auto* value = &payload_value;
    const bool decoded =
        detail::decode_payload(f.ctx, format_, f.scratch, header, *value, flat_keys_);
    if (!decoded) [[unlikely]] {
      reject_payload(o, f, known_slot<Family, Index>());
      return;
    }

    const std::span<const envelope_attribute> attributes =
        format_.layout == layout::flat ? header.flat_attributes() : f.scratch.attributes();
    const envelope_view env{header.type,        header.version,         header.id,
                            header.produced_by, header.config_revision, attributes};
    std::uint32_t hops = 0;
    if (exact) {
      handlers.exact[Index](o, value, env);
    } else if constexpr (Index + 1 == Family::version_count) {
      handlers.latest_handler(o, *value, env);  // by reference: the slot keeps its capacity
    } else {
      hops = static_cast<std::uint32_t>(Family::version_count - 1 - Index);
      handlers.latest_handler(
          o, upcast_to<Family, Index, Family::version_count - 1>(std::move(*value)), env);
    }
    if (o.reason == reason::handler_failed) {
      const policy p = policy_for(reason::handler_failed);
      o.action = p.action;
      o.retry_delay = p.retry_delay;
    }
    detail::set_header(o, header);
    detail::finish(o, f, hops, known_slot<Family, Index>());
  }

  std::tuple<detail::family_handlers<Families>...> handlers_;
  detail::policy_table policies_;
  envelope_format format_{};
  detail::flat_keys flat_keys_{format_};
  bool canonical_format_ = can_match_canonical();
  options options_{};
  std::unique_ptr<detail::router_counters> counters_;
};

}  // namespace skew

// The definitions of skew::router's members (dispatch/router.hpp declares and documents them):
// the configuration, the dispatch path from parsed input to handler call, and the cold paths that
// turn a message no handler gets into its outcome. impl/entry_points.hpp has the entry points.
// Included at the end of dispatch/router.hpp.
#pragma once

#include <skew/dispatch/router.hpp>

#include <cstddef>
#include <string_view>
#include <utility>

namespace skew {

template <message_family... Families>
template <message_family Family, class Handler>
router<Families...>& router<Families...>::on(Handler handler) {
  static_assert(holds<Family>,
                "skew::router::on<Family>: this router does not hold Family; list it in "
                "skew::router<...>");
  using payload = typename Family::latest;
  if constexpr (!handler_for<Handler, payload>) detail::handler_does_not_take<payload, Handler>();
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

template <message_family... Families>
template <message_family Family, std::uint32_t Version, class Handler>
router<Families...>& router<Families...>::on(Handler handler) {
  static_assert(holds<Family>,
                "skew::router::on<Family, Version>: this router does not hold Family; list it "
                "in skew::router<...>");
  constexpr auto index = Family::index_of(Version);
  static_assert(index.has_value(),
                "skew::router::on<Family, Version>: the family has no such version");
  if constexpr (holds<Family> && index.has_value()) {
    using payload = typename Family::template payload_at<*index>;
    if constexpr (!handler_for<Handler, payload>) {
      detail::handler_does_not_take<payload, Handler>();
    }
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

template <message_family... Families>
bool router<Families...>::can_handle(std::string_view type, std::uint32_t version) const {
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

template <message_family... Families>
skew::manifest router<Families...>::manifest() const {
  skew::manifest m;
  (m.families.push_back(
       detail::family_manifest(std::get<detail::family_handlers<Families>>(handlers_))),
   ...);
  return m;
}

template <message_family... Families>
void router<Families...>::require_configurable(const char* call) const {
  if (counters_->dispatched.load(std::memory_order_relaxed)) {
    detail::contract_violation(call,
                               " after the router began dispatching: configure a router "
                               "before any thread dispatches with it");
  }
}

template <message_family... Families>
SKEW_COLD std::size_t router<Families...>::take_former_name(detail::dispatch_frame& f,
                                                            std::size_t name) {
  const std::size_t family = type_names::owner[name];
  f.ctx.note_alias(type_names::names[name]);
  f.header.type = type_names::names[family];
  return family;
}

template <message_family... Families>
template <class Family>
bool router<Families...>::handles(std::uint32_t version) const {
  const auto index = Family::index_of(version);
  return index && std::get<detail::family_handlers<Family>>(handlers_).handles_index(*index);
}

template <message_family... Families>
bool router<Families...>::rest_of_header_valid(detail::dispatch_frame& f, outcome& o) {
  if (detail::read_rest_of_header(f.ctx, format_, flat_keys_, f.scratch, f.header)) return true;
  o = policies_.outcome_for(detail::reason_for(f.ctx.err.code, reason::invalid_envelope),
                            std::move(f.ctx.err));
  detail::set_header(o, f.header);
  detail::finish_cold(o, f, 0);
  return false;
}

template <message_family... Families>
detail::thread_counters& router<Families...>::this_thread_counters() {
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

// The outcome and the frame are set up only now, so that their many small stores do not queue
// behind the copy and stage 1, which read the message.
template <message_family... Families>
SKEW_ALWAYS_INLINE inline outcome router<Families...>::route(const detail::parsed_input& input,
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
                             detail::header_fast_paths::compact_or_end)) {
      reject_header(o, f);
      return o;
    }
    c.type = f.header.type;
    c.version = f.header.version;
  }
  route_to_family(f, o, c.type, c.version);
  return o;
}

// The family by its type's length, then one compare; then its version's entry.
template <message_family... Families>
SKEW_ALWAYS_INLINE inline void router<Families...>::route_to_family(detail::dispatch_frame& f,
                                                                    outcome& o,
                                                                    std::string_view type,
                                                                    std::uint32_t version) {
  std::size_t family = family_of(type);
  if (family >= sizeof...(Families) && family < name_count) [[unlikely]]
    family = take_former_name(f, family);
  if (family < sizeof...(Families)) {
    entries::of(family, version)(*this, f, o);
  } else {
    reject_unknown_type(o, f);
  }
}

template <message_family... Families>
SKEW_COLD outcome router<Families...>::reject_unread(detail::thread_counters& counters, reason r,
                                                     error err) {
  const detail::dispatch_frame f(options_, counters);
  outcome o = policies_.outcome_for(r, std::move(err));
  detail::finish(o, f, 0);
  return o;
}

template <message_family... Families>
SKEW_COLD void router<Families...>::reject_header(outcome& o, detail::dispatch_frame& f) {
  o = policies_.outcome_for(detail::reason_for(f.ctx.err.code, reason::invalid_envelope),
                            std::move(f.ctx.err));
  o.type = f.header.type;
  detail::finish(o, f, 0);
}

template <message_family... Families>
SKEW_COLD void router<Families...>::reroute_from_start(outcome& o, detail::dispatch_frame& f) {
  f.ctx.restart();
  f.header = detail::header_fields{};
  if (!detail::read_header(f.ctx, format_, f.scratch, f.header, flat_keys_,
                           detail::header_fast_paths::none)) {
    reject_header(o, f);
    return;
  }
  route_to_family(f, o, f.header.type, f.header.version);
}

template <message_family... Families>
SKEW_COLD void router<Families...>::reject_unknown_type(outcome& o, detail::dispatch_frame& f) {
  if (f.header.cursor.from_end) {
    reroute_from_start(o, f);
    return;
  }
  if (!rest_of_header_valid(f, o)) return;
  o = policies_.outcome_for(reason::unknown_type);
  detail::set_header(o, f.header);
  detail::finish(o, f, 0);
}

template <message_family... Families>
SKEW_COLD void router<Families...>::reject_payload(outcome& o, detail::dispatch_frame& f,
                                                   std::size_t known) {
  if (f.header.cursor.from_end) {
    reroute_from_start(o, f);
    return;
  }
  error err = std::move(f.ctx.err);
  // A bad header key met by the payload pass (a late duplicate type) is the envelope's fault.
  const reason r = f.header.header_error ? reason::invalid_envelope : reason::invalid_payload;
  o = policies_.outcome_for(detail::reason_for(err.code, r), std::move(err));
  detail::set_header(o, f.header);
  detail::finish(o, f, 0, known);
}

template <message_family... Families>
template <class Family, std::size_t Index>
constexpr std::size_t router<Families...>::known_slot() {
  std::size_t offset = 0;
  bool found = false;
  ((std::is_same_v<Families, Family> ? (found = true)
                                     : (found ? 0 : (offset += Families::version_count, 0))),
   ...);
  return offset + Index;
}

template <message_family... Families>
template <class Family>
void router<Families...>::dispatch_family(detail::dispatch_frame& f, outcome& o) {
  const auto index = Family::index_of(f.header.version);
  if (!index) {
    reject_version(f, o, Family::oldest_version);
    return;
  }
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (void)((*index == I ? (decode_and_call<Family, I>(f, o), true) : false) || ...);
  }
  (std::make_index_sequence<Family::version_count>{});
}

template <message_family... Families>
void router<Families...>::reject_version(detail::dispatch_frame& f, outcome& o,
                                         std::uint32_t oldest_version) {
  if (f.header.cursor.from_end) {
    reroute_from_start(o, f);
    return;
  }
  if (!rest_of_header_valid(f, o)) return;
  const reason r =
      f.header.version < oldest_version ? reason::retired_version : reason::unsupported_version;
  o = policies_.outcome_for(r);
  detail::set_header(o, f.header);
  detail::finish_cold(o, f, 0);
}

template <message_family... Families>
template <class Family, std::size_t Index>
void router<Families...>::decode_and_call(detail::dispatch_frame& f, outcome& o) {
  auto& handlers = std::get<detail::family_handlers<Family>>(handlers_);
  // Which handler takes it, settled before decoding: a version nobody handles is not decoded.
  const bool exact = static_cast<bool>(handlers.exact[Index]);
  if (!exact && !handlers.latest_handler) [[unlikely]] {
    reject_version(f, o, Family::oldest_version);
    return;
  }
  using payload = typename Family::template payload_at<Index>;
  detail::payload_slot<payload>& slot = detail::thread_payload_slot<payload>();
  if (slot.busy) [[unlikely]] {
    decode_and_call_reentered<Family, Index>(f, o, slot);
    return;
  }
  detail::busy_guard guard(slot.busy);
  decode_and_call_with<Family, Index>(f, handlers, o, *slot.current, exact);
}

template <message_family... Families>
template <class Family, std::size_t Index>
void router<Families...>::decode_and_call_reentered(
    detail::dispatch_frame& f, outcome& o,
    detail::payload_slot<typename Family::template payload_at<Index>>& slot) {
  typename Family::template payload_at<Index> fresh{};
  const detail::slot_lease lease(slot, fresh);
  decode_and_call<Family, Index>(f, o);
}

template <message_family... Families>
template <class Family, std::size_t Index>
void router<Families...>::dry_run_call(typename Family::template payload_at<Index>& value,
                                       bool exact, std::uint32_t& hops) {
  if (exact) return;
  if constexpr (Index + 1 < Family::version_count) {
    hops = static_cast<std::uint32_t>(Family::version_count - 1 - Index);
    (void)upcast_to<Family, Index, Family::version_count - 1>(std::move(value));
  }
}

template <message_family... Families>
template <class Family, std::size_t Index>
SKEW_ALWAYS_INLINE inline void router<Families...>::decode_and_call_with(
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

  const envelope_view env = view_of(f);
  std::uint32_t hops = 0;
  if (detail::dry_run_on_thread) [[unlikely]] {
    dry_run_call<Family, Index>(*value, exact, hops);
  } else if (exact) {
    handlers.exact[Index](o, value, env);
  } else if constexpr (Index + 1 == Family::version_count) {
    handlers.latest_handler(o, *value, env);  // by reference: the slot keeps its capacity
  } else {
    hops = static_cast<std::uint32_t>(Family::version_count - 1 - Index);
    handlers.latest_handler(
        o, upcast_to<Family, Index, Family::version_count - 1>(std::move(*value)), env);
  }
  finish_handled(o, f, hops, known_slot<Family, Index>());
}

template <message_family... Families>
SKEW_NOINLINE envelope_view router<Families...>::view_of(const detail::dispatch_frame& f) const {
  const detail::header_fields& header = f.header;
  envelope_view env{header.type,
                    header.version,
                    header.id,
                    header.produced_by,
                    header.config_revision,
                    detail::header_attributes(format_, header, f.scratch)};
  if (const trace_context* hop = std::exchange(detail::transport_on_thread, nullptr)) {
    env.transport_context = *hop;
  }
  return env;
}

template <message_family... Families>
SKEW_NOINLINE void router<Families...>::finish_handled(outcome& o, const detail::dispatch_frame& f,
                                                       std::uint32_t hops,
                                                       std::size_t known) const {
  if (o.reason == reason::handler_failed) {
    const policy p = policy_for(reason::handler_failed);
    o.action = p.action;
    o.retry_delay = p.retry_delay;
  }
  detail::set_header(o, f.header);
  detail::finish(o, f, hops, known);
}

}  // namespace skew

// The definitions of skew::router's entry points (dispatch/router.hpp declares and documents
// them): dispatch of a structured and a binary-mode message, dry runs, the thread's decoder, the
// observed path around it, and the binary mode's route. Included at the end of dispatch/router.hpp.
#pragma once

#include <skew/dispatch/router.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace skew {

template <message_family... Families>
outcome router<Families...>::dispatch(std::string_view message,
                                      const std::optional<trace_context>& hop) {
  detail::transport_guard guard(hop);
  return dispatch_on_thread(message);
}

template <message_family... Families>
outcome router<Families...>::dispatch(std::span<const message_header> headers,
                                      std::string_view payload, const binary_binding& binding,
                                      std::optional<std::string_view> record_key,
                                      const std::optional<trace_context>& hop) {
  detail::transport_guard guard(hop);
  thread_local std::string unread_id;  // the id header of an event the reader could not read
  auto with_header_id = [&](outcome o) {
    if (o.id.empty()) {
      if (auto id = detail::binary_attribute(headers, "id", binding)) {
        unread_id = std::move(*id);
        o.id = unread_id;
      }
    }
    return o;
  };
  if (format_.layout != layout::cloudevents) {
    return with_header_id(reject_unread(this_thread_counters(), reason::invalid_envelope,
                                        error{errc::unsupported_content_mode, {}, {}}));
  }
  // The attributes' text and text data's JSON string, in buffers of the thread; a handler that
  // dispatches a binary message on its own thread gets buffers of its own, as its caller's
  // envelope_view still points into the thread's.
  struct staging {
    detail::text_buffer attributes;
    std::string text_data;
  };
  thread_local staging on_thread;
  thread_local bool on_thread_busy = false;
  staging nested;
  const bool outermost = !on_thread_busy;
  staging& buffers = outermost ? on_thread : nested;
  std::optional<detail::busy_guard> busy;
  if (outermost) busy.emplace(on_thread_busy);

  const detail::binary_survey survey = detail::survey_binary(headers, payload, binding, record_key);
  std::string_view document;
  if (survey.data == detail::binary_data_kind::json) {
    document = payload;
  } else if (survey.data == detail::binary_data_kind::text) {
    buffers.text_data.clear();
    detail::append_json_string(buffers.text_data, payload);  // as the JSON format carries text
    document = buffers.text_data;
  }
  const detail::binary_source source{headers, binding, record_key, survey, buffers.attributes};
  outcome o = dispatch_on_thread(document, &source);
  return o.error ? with_header_id(std::move(o)) : o;
}

template <message_family... Families>
outcome router<Families...>::dry_run(std::string_view message) {
  detail::busy_guard guard(detail::dry_run_on_thread);
  return dispatch(message);
}

template <message_family... Families>
outcome router<Families...>::dry_run(std::span<const message_header> headers,
                                     std::string_view payload, const binary_binding& binding,
                                     std::optional<std::string_view> record_key) {
  detail::busy_guard guard(detail::dry_run_on_thread);
  return dispatch(headers, payload, binding, record_key);
}

template <message_family... Families>
template <class Message>
outcome router<Families...>::dispatch_on_thread(Message message,
                                                const detail::binary_source* binary) {
  thread_local decoder local;
  thread_local bool busy = false;
  if (busy) {
    // A handler dispatching on its own thread: the outer payload still views `local`.
    decoder nested;
    return dispatch_with(nested, message, binary);
  }
  detail::busy_guard guard(busy);
  return dispatch_with(local, message, binary);
}

template <message_family... Families>
template <class Message>
outcome router<Families...>::dispatch_with(decoder& dec, Message message,
                                           const detail::binary_source* binary) {
  if (observer_ != nullptr) [[unlikely]]
    return dispatch_observed(dec, message, binary);
  return dispatch_unobserved(dec, message, binary);
}

template <message_family... Families>
template <class Message>
outcome router<Families...>::dispatch_observed(decoder& dec, Message message,
                                               const detail::binary_source* binary) {
  // The adapter's facts and the hop belong to this message, not to one a handler dispatches.
  static const messaging_facts unknown{};
  const messaging_facts* facts = std::exchange(detail::messaging_on_thread, nullptr);
  const messaging_facts& m = facts != nullptr ? *facts : unknown;
  std::optional<trace_context> hop;
  if (detail::transport_on_thread != nullptr) hop = *detail::transport_on_thread;
  detail::observation seen;
  detail::observation* const outer = std::exchange(detail::observation_on_thread, &seen);
  const auto start = std::chrono::system_clock::now();
  const auto started = std::chrono::steady_clock::now();
  observer_->on_process_start(process_start{m, hop, start});
  outcome o = dispatch_unobserved(dec, message, binary);
  const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now() - started);
  detail::observation_on_thread = outer;
  detail::messaging_on_thread = facts;
  const auto end = start + std::chrono::duration_cast<std::chrono::system_clock::duration>(took);
  observer_->on_process_end(
      process_end{m, o, hop, seen.creation_context(), seen.upcast_steps, start, end, took});
  return o;
}

template <message_family... Families>
template <class Message>
SKEW_ALWAYS_INLINE inline outcome router<Families...>::dispatch_unobserved(
    decoder& dec, Message message, const detail::binary_source* binary) {
  detail::thread_counters& counters = this_thread_counters();
  detail::parsed_input& input = detail::input_of(dec);
  if (auto status = detail::parse_envelope_input(input, message, options_)) {
    // A binary-mode event whose data is not read as JSON has an empty document, which is no error.
    const bool no_document = binary != nullptr && !detail::is_read_as_json(binary->survey.data) &&
                             status == detail::stage1::empty;
    if (!no_document) {
      return reject_unread(counters, reason::malformed,
                           detail::envelope_input_error(input, status));
    }
  }
  if (binary != nullptr) return route_binary(input, counters, *binary);
  return route(input, counters);
}

template <message_family... Families>
outcome router<Families...>::route_binary(const detail::parsed_input& input,
                                          detail::thread_counters& counters,
                                          const detail::binary_source& binary) {
  outcome o;
  detail::dispatch_frame f(options_, counters);
  input.bind(f.ctx);
  if (!detail::read_binary_header(f.ctx, binary, format_, f.scratch, f.header)) {
    reject_header(o, f);
    return o;
  }
  route_to_family(f, o, f.header.type, f.header.version);
  return o;
}

}  // namespace skew

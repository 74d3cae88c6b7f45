// skew::handler_for: what router::on accepts as a handler of a payload type.
#pragma once

#include <skew/dispatch/outcome.hpp>
#include <skew/envelope/view.hpp>
#include <skew/model/detail/traits.hpp>

#include <concepts>
#include <type_traits>

namespace skew {

// What router::on accepts for messages of payload type Payload: a callable taking
// (const Payload&) or (const Payload&, const skew::envelope_view&), returning void or an outcome.
template <class Handler, class Payload>
concept handler_for =
    (std::invocable<Handler&, const Payload&, const envelope_view&> &&
     (std::is_void_v<std::invoke_result_t<Handler&, const Payload&, const envelope_view&>> ||
      std::convertible_to<std::invoke_result_t<Handler&, const Payload&, const envelope_view&>,
                          outcome>)) ||
    (std::invocable<Handler&, const Payload&> &&
     (std::is_void_v<std::invoke_result_t<Handler&, const Payload&>> ||
      std::convertible_to<std::invoke_result_t<Handler&, const Payload&>, outcome>));

namespace detail {

// A handler registered for a payload it does not take: one error that names the payload struct
// the family has for that version and the handler (Payload and Handler in the line above).
template <class Payload, class Handler>
constexpr void handler_does_not_take() {
  static_assert(dependent_false<Payload>,
                "skew::router::on: the handler must be callable as (const Payload&) or (const "
                "Payload&, const skew::envelope_view&) and return void or skew::outcome; Payload "
                "in the line above is the payload struct of the version it is registered for");
}

}  // namespace detail

}  // namespace skew

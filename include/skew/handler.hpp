// skew::handler_for: what router::on accepts as a handler of a payload type.
#pragma once

#include <skew/envelope_view.hpp>
#include <skew/outcome.hpp>

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

}  // namespace skew

// The compatibility checks (skew/compat.hpp) for tagged variants (skew/variant.hpp).
#pragma once

#include <skew/compat.hpp>
#include <skew/variant.hpp>

#include <cstddef>
#include <string_view>
#include <utility>
#include <variant>

namespace skew::detail {

// Tagged variants under the same tag key: each alternative the writer writes is read by the
// reader's alternative of the same tag, or kept by its skew::unknown_alternative.
template <class R, class W, class Visitor>
constexpr bool check_variant(Visitor& visitor, std::string_view field) {
  using reader = variant_traits<R>;
  using writer = variant_traits<W>;
  if (reader::key != writer::key) return false;
  [&]<std::size_t... J>(std::index_sequence<J...>) {
    (
        [&] {
          using WA = std::variant_alternative_t<J, W>;
          if constexpr (std::is_same_v<WA, unknown_alternative>) {
            if (!reader::has_unknown) {
              visitor.report(field,
                             "the writer relays alternatives the reader has no "
                             "skew::unknown_alternative for",
                             static_cast<const R*>(nullptr), static_cast<const W*>(nullptr));
            }
          } else if constexpr (constexpr int k = reader::index_of(writer::tag_of[J]); k < 0) {
            if (!reader::has_unknown) {
              visitor.report(field, "the reader has no alternative for the tag of the writer's",
                             static_cast<const R*>(nullptr), static_cast<const WA*>(nullptr));
            }
          } else {
            check_value<std::variant_alternative_t<static_cast<std::size_t>(k), R>, WA>(visitor,
                                                                                        field);
          }
        }(),
        ...);
  }
  (std::make_index_sequence<writer::size>{});
  return true;
}

}  // namespace skew::detail

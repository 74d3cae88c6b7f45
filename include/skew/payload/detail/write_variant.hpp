// Writing tagged variants (skew/model/variant.hpp): the tag first, then the alternative's members;
// a kept unknown alternative as the JSON it arrived as.
#pragma once

#include <skew/model/variant.hpp>
#include <skew/payload/detail/write_value.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>
#include <variant>

namespace skew::detail {

template <class V, std::size_t I>
bool write_alternative(encode_context& ctx, output& out, const V& v) {
  using A = std::variant_alternative_t<I, V>;
  const A& alternative = *std::get_if<I>(&v);
  if constexpr (std::is_same_v<A, unknown_alternative>) {
    if (alternative.json.empty()) return ctx.fail(errc::not_representable);
    out.append(std::string_view(alternative.json));
    return true;
  } else {
    using traits = variant_traits<V>;
    out.append('{');
    bool first = true;
    if (!write_key(ctx, out, traits::key, first) || !write_string(ctx, out, traits::tag_of[I])) {
      return false;
    }
    // The alternative's own unknown keys never repeat the tag.
    encode_context inner{};
    inner.reserved_keys = &traits::key;
    inner.reserved_key_count = 1;
    if (!write_struct(inner, out, &alternative, write_table_of<A>(), first)) {
      ctx.err = std::move(inner.err);
      return false;
    }
    out.append('}');
    return true;
  }
}

template <class V>
bool write_variant(encode_context& ctx, output& out, const V& v) {
  // A variant left valueless by a throwing assignment holds nothing to write.
  if (v.valueless_by_exception()) return ctx.fail(errc::not_representable);
  using writer = bool (*)(encode_context&, output&, const V&);
  static constexpr auto writers = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<writer, sizeof...(I)>{&write_alternative<V, I>...};
  }
  (std::make_index_sequence<std::variant_size_v<V>>{});
  return writers[v.index()](ctx, out, v);
}

}  // namespace skew::detail

// Tagged unions: a std::variant of described structs, written as one JSON object whose tag key
// names the alternative (serde's "internally tagged" enums, JSON Schema's oneOf with a const).
//
//   struct circle { double radius; };             SKEW_DESCRIBE(circle, radius)
//   struct square { double side; };               SKEW_DESCRIBE(square, side)
//   using shape = std::variant<circle, square, skew::unknown_alternative>;
//   SKEW_TAGGED(shape, "kind", "circle", "square")   // {"kind":"circle","radius":2}
//
// Each described alternative has a tag, in order. A tag no alternative has is
// errc::invalid_enum at the tag, unless the variant lists skew::unknown_alternative: then the tag
// and the object's raw JSON are kept, and writing the value re-emits that JSON unchanged, so a
// relay on build N passes on the alternative build N+1 added. A variant without SKEW_TAGGED is a
// compile error: an untagged union could only be read by trying each alternative in turn, and a
// tolerant reader (unknown keys ignored, members with defaults) would accept the first one.
#pragma once

#include <skew/base/detail/fixed_string.hpp>
#include <skew/model/describe.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace skew {

// An alternative whose tag this build does not know: the tag, and the whole object as received.
struct unknown_alternative {
  std::string tag;
  std::string json;  // one JSON object, containing the tag; written back as it is
  friend bool operator==(const unknown_alternative&, const unknown_alternative&) = default;
};

// The description of a tagged variant: the tag key, then the tag of each described alternative
// in the order of the variant's alternatives (skew::unknown_alternative has none).
template <detail::fixed_string Key, detail::fixed_string... Tags>
struct tagged {
  static constexpr std::string_view key = Key.view();
  static constexpr std::array<std::string_view, sizeof...(Tags)> tags{Tags.view()...};
};

namespace detail {

template <class T>
struct is_variant : std::false_type {};
template <class... A>
struct is_variant<std::variant<A...>> : std::true_type {};

template <class V>
concept has_variant_tags = requires(const V* p) {
  skew_variant_tags(p);
};

// Where skew meets a std::variant that is not described: one error that says why.
template <class V>
constexpr void require_variant_tags() {
  static_assert(
      has_variant_tags<V>,
      "skew reads and writes a std::variant as a tagged union: describe it with "
      "SKEW_TAGGED(Variant, \"tag key\", \"tag\"...) in the namespace of its alternatives "
      "(an untagged union could only be read by trying each alternative, and a tolerant "
      "reader would accept the first)");
}

template <class V>
using variant_tags_of = decltype(skew_variant_tags(static_cast<const V*>(nullptr)));

template <class V>
struct variant_traits;

// What the reader, writer, schema export and compat checks need of a tagged variant, checked once.
template <class... A>
struct variant_traits<std::variant<A...>> {
  using variant_type = std::variant<A...>;
  using description = variant_tags_of<variant_type>;
  static constexpr std::size_t size = sizeof...(A);
  static constexpr std::string_view key = description::key;
  static constexpr std::size_t unknown_count =
      (std::size_t{std::is_same_v<A, unknown_alternative>} + ...);
  static constexpr bool has_unknown = unknown_count != 0;

  // The tag of alternative I, by its rank among the described alternatives.
  static constexpr std::array<std::string_view, size> tag_of = [] {
    std::array<std::string_view, size> out{};
    std::size_t described_index = 0;
    std::size_t i = 0;
    (
        [&] {
          if constexpr (!std::is_same_v<A, unknown_alternative>) {
            if (described_index < description::tags.size()) {
              out[i] = description::tags[described_index];
            }
            ++described_index;
          }
          ++i;
        }(),
        ...);
    return out;
  }();

  // The alternative with tag `t`, or -1.
  static constexpr int index_of(std::string_view t) noexcept {
    for (std::size_t i = 0; i < size; ++i) {
      if (!tag_of[i].empty() && tag_of[i] == t) return static_cast<int>(i);
    }
    return -1;
  }

  static constexpr bool tags_distinct = [] {
    for (std::size_t a = 0; a < description::tags.size(); ++a) {
      for (std::size_t b = a + 1; b < description::tags.size(); ++b) {
        if (description::tags[a] == description::tags[b]) return false;
      }
    }
    return true;
  }();

  template <class S>
  static constexpr bool has_member_named_key() {
    if constexpr (std::is_same_v<S, unknown_alternative>) {
      return false;
    } else {
      return apply_members(
          [](const auto&... m) {
            return ((m.name == key ||
                     [&] {
                       for (std::size_t k = 0; k < m.alias_count; ++k) {
                         if (m.aliases[k] == key) return true;
                       }
                       return false;
                     }()) ||
                    ...);
          },
          members_of<S>);
    }
  }

  static_assert(((described<A> || std::is_same_v<A, unknown_alternative>)&&...),
                "SKEW_TAGGED: every alternative of a tagged variant is a described struct (or "
                "skew::unknown_alternative)");
  static_assert(unknown_count <= 1, "SKEW_TAGGED: skew::unknown_alternative is listed twice");
  static_assert(description::tags.size() == size - unknown_count,
                "SKEW_TAGGED: give one tag per described alternative, in the variant's order");
  static_assert(tags_distinct, "SKEW_TAGGED: two alternatives have the same tag");
  static_assert(!key.empty(), "SKEW_TAGGED: the tag key is empty");
  static_assert(!(has_member_named_key<A>() || ...),
                "SKEW_TAGGED: an alternative has a member named like the tag key");
};

}  // namespace detail

// A std::variant described with SKEW_TAGGED.
template <class V>
concept tagged_variant = detail::is_variant<V>::value && detail::has_variant_tags<V>;

}  // namespace skew

// SKEW_TAGGED(Variant, "tag key", "tag"...): at namespace scope, in the namespace of the
// alternatives (found by argument-dependent lookup through them), after the alternatives are
// described. Variant is a name for the std::variant (an alias), since a macro argument cannot
// hold its commas.
#define SKEW_TAGGED(Variant, Key, ...)                                           \
  [[maybe_unused]] constexpr ::skew::tagged<Key, __VA_ARGS__> skew_variant_tags( \
      const Variant*) noexcept {                                                 \
    return {};                                                                   \
  }

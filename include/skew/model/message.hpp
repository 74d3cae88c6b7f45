// Message families: a type name and its payload structs, one per schema version, and the upcast
// steps that carry an old payload to a newer version.
//
//   struct SendEmailV1 { ... };  struct SendEmailV2 { ... };
//   SendEmailV2 upcast(SendEmailV1&& v1);   // found by argument-dependent lookup
//   using SendEmail = skew::message<"send-email", SendEmailV1, SendEmailV2>;
//
// Versions are numbered 1, 2, ... in order; skew::version<N, T> sets a number explicitly (gaps, or
// families that start above 1); numbering continues from the last explicit number.
#pragma once

#include <skew/base/detail/fixed_string.hpp>
#include <skew/model/describe.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace skew {

template <std::uint32_t Number, class Payload>
struct version {
  static constexpr std::uint32_t number = Number;
  using payload = Payload;
};

// Specialize to provide an upcast step without a free function:
//   template <> struct skew::upcaster<V1, V2> { static V2 upcast(V1&& v); };
template <class From, class To>
struct upcaster;

// Specialize, or write `Old downcast(const New&)`, for producers that emit older versions.
template <class From, class To>
struct downcaster;

namespace detail {

template <class Entry>
struct version_entry {
  static constexpr std::optional<std::uint32_t> number = std::nullopt;
  using payload = Entry;
};
template <std::uint32_t N, class P>
struct version_entry<version<N, P>> {
  static constexpr std::optional<std::uint32_t> number = N;
  using payload = P;
};

template <class... Entries>
constexpr auto number_versions() {
  std::array<std::uint32_t, sizeof...(Entries)> out{};
  std::uint32_t next = 1;
  std::size_t i = 0;
  ((out[i++] =
        version_entry<Entries>::number ? (next = *version_entry<Entries>::number + 1) - 1 : next++),
   ...);
  return out;
}

template <class From, class To>
concept has_upcast_function = requires(From&& from) {
  { upcast(std::move(from)) } -> std::same_as<To>;
};
template <class From, class To>
concept has_upcaster = requires(From&& from) {
  { upcaster<From, To>::upcast(std::move(from)) } -> std::same_as<To>;
};
template <class From, class To>
concept has_downcast_function = requires(const From& from) {
  { downcast(from) } -> std::same_as<To>;
};
template <class From, class To>
concept has_downcaster = requires(const From& from) {
  { downcaster<From, To>::downcast(from) } -> std::same_as<To>;
};

// One step, From -> To. A missing step fails here, and the compiler's note names both types.
template <class From, class To>
To upcast_step(From&& from) {
  if constexpr (has_upcaster<From, To>) {
    return upcaster<From, To>::upcast(std::move(from));
  } else {
    static_assert(has_upcast_function<From, To>,
                  "skew: no upcast step between two consecutive versions of a message family: "
                  "write `To upcast(From&&)` next to the types, or specialize "
                  "skew::upcaster<From, To> (From and To are named in this instantiation)");
    return upcast(std::move(from));
  }
}

}  // namespace detail

template <detail::fixed_string Name, class... Entries>
struct message {
  static_assert(sizeof...(Entries) > 0, "a message family needs at least one version");

  using payloads = std::tuple<typename detail::version_entry<Entries>::payload...>;
  static constexpr std::string_view type_name = Name.view();
  static constexpr std::size_t version_count = sizeof...(Entries);
  static constexpr std::array<std::uint32_t, version_count> versions =
      detail::number_versions<Entries...>();
  static constexpr std::uint32_t oldest_version = versions.front();
  static constexpr std::uint32_t latest_version = versions.back();

  static_assert(oldest_version > 0, "schema versions start at 1");
  static_assert(
      [] {
        for (std::size_t i = 1; i < version_count; ++i) {
          if (versions[i] <= versions[i - 1]) return false;
        }
        return true;
      }(),
      "schema versions of a family must increase");

  template <std::size_t Index>
  using payload_at = std::tuple_element_t<Index, payloads>;
  using latest = payload_at<version_count - 1>;

  // The index of `number` among this family's versions, or nullopt for a version it never had.
  static constexpr std::optional<std::size_t> index_of(std::uint32_t number) noexcept {
    for (std::size_t i = 0; i < version_count; ++i) {
      if (versions[i] == number) return i;
    }
    return std::nullopt;
  }

  // Type names the family was sent under before a rename: none here; see `former`.
  static constexpr std::array<std::string_view, 0> former_names{};
  // The same family, also read under former type names (a rename's transition):
  //   using OrderPlaced = skew::message<"order-placed", V1, V2>::former<"order-created">;
  // Messages under a former name dispatch to the family, and are counted per name in
  // router.stats() like a field's former name, so operators see when it can be retired.
  // Producers write the current name.
  template <detail::fixed_string... Old>
  struct former;

  using message_family_tag = message;
};

template <detail::fixed_string Name, class... Entries>
template <detail::fixed_string... Old>
struct message<Name, Entries...>::former : message<Name, Entries...> {
  static_assert(sizeof...(Old) > 0, "former<...> lists at least one former type name");
  static constexpr std::array<std::string_view, sizeof...(Old)> former_names{Old.view()...};
};

// Whether T is a message family: a skew::message, or one with former type names.
template <class T>
    struct is_message : std::bool_constant < requires {
  typename T::message_family_tag;
} > {};

template <class T>
concept message_family = is_message<T>::value;

// The payload struct of `Family` at version number `Number`.
template <message_family Family, std::uint32_t Number>
requires(Family::index_of(Number).has_value()) using payload_t =
    typename Family::template payload_at<*Family::index_of(Number)>;

// Upcasts a payload at index From of `Family` to index To (From <= To), one user step at a time.
template <message_family Family, std::size_t From, std::size_t To>
typename Family::template payload_at<To> upcast_to(typename Family::template payload_at<From>&& p) {
  static_assert(From <= To, "upcast goes from older to newer versions");
  using next = typename Family::template payload_at<From + (From < To ? 1 : 0)>;
  if constexpr (From == To) {
    return std::move(p);
  } else if constexpr (From + 1 == To) {
    // The last step's result is returned as it is made: no extra move of the whole struct.
    return detail::upcast_step<typename Family::template payload_at<From>, next>(std::move(p));
  } else {
    return upcast_to<Family, From + 1, To>(
        detail::upcast_step<typename Family::template payload_at<From>, next>(std::move(p)));
  }
}

}  // namespace skew

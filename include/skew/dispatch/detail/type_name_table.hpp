// The type names a router reads: its families' current names in pack order, then their former
// names (message<...>::former), with the family each belongs to and the index that finds them.
#pragma once

#include <skew/json/detail/name_index.hpp>

#include <array>
#include <cstddef>
#include <string_view>

namespace skew::detail {

template <class... Families>
struct type_name_table {
  // Every type name the router reads: the families' current names in pack order, then their
  // former names, with the family each belongs to.
  static constexpr std::size_t count = (sizeof...(Families) + ... + Families::former_names.size());
  static constexpr std::array<std::string_view, count> names = [] {
    std::array<std::string_view, count> all{};
    std::size_t next = 0;
    ((all[next++] = Families::type_name), ...);
    (
        [&] {
          for (const std::string_view old : Families::former_names) all[next++] = old;
        }(),
        ...);
    return all;
  }();
  static constexpr std::array<std::size_t, count> owner = [] {
    std::array<std::size_t, count> of{};
    std::size_t next = 0;
    std::size_t family = 0;
    ((of[next++] = family++, void(sizeof(Families))), ...);
    family = 0;
    (
        [&] {
          for (std::size_t k = 0; k < Families::former_names.size(); ++k) of[next++] = family;
          ++family;
        }(),
        ...);
    return of;
  }();
  static constexpr name_index<count> index{names};
};

}  // namespace skew::detail

// Where a router's dispatch goes for a (family, version): one function pointer per version of
// every family, and per family one for the versions the table does not index.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/dispatch/detail/frame.hpp>
#include <skew/dispatch/outcome.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace skew::detail {

// Router must befriend this table: its entries call Router::decode_and_call<Family, Index> and
// Router::dispatch_family<Family>.
template <class Router, class... Families>
struct dispatch_table {
  using entry_function = void (*)(Router&, dispatch_frame&, outcome&);
  static constexpr std::size_t version_entries = (std::size_t{0} + ... + Families::version_count);

  // Where a family's entries start in the table. Versions numbered without gaps are found by
  // subtraction; any other version (and every version of a family with gaps) goes to the
  // family's general entry, which looks it up.
  struct family_row {
    std::uint32_t first_version;
    std::uint32_t contiguous_versions;  // 0 when the numbers have gaps
    std::size_t first_entry;
    std::size_t other_versions_entry;
  };
  static constexpr std::array<family_row, sizeof...(Families)> family_rows = [] {
    std::array<family_row, sizeof...(Families)> rows{};
    std::size_t k = 0;
    std::size_t first = 0;
    (
        [&] {
          constexpr bool gapless =
              Families::latest_version - Families::oldest_version + 1 == Families::version_count;
          rows[k] = {Families::oldest_version,
                     gapless ? static_cast<std::uint32_t>(Families::version_count) : 0u, first,
                     version_entries + k};
          first += Families::version_count;
          ++k;
        }(),
        ...);
    return rows;
  }();

  // Plain function pointers in a static table: one load and one call, where a table of member
  // function pointers local to a function was rebuilt on the stack on every dispatch.
  template <class Family, std::size_t Index>
  static void version_entry(Router& r, dispatch_frame& f, outcome& o) {
    r.template decode_and_call<Family, Index>(f, o);
  }
  template <class Family>
  static void other_versions_entry(Router& r, dispatch_frame& f, outcome& o) {
    r.template dispatch_family<Family>(f, o);
  }
  template <class Family, std::size_t... I>
  static constexpr void add_version_entries(entry_function*& next, std::index_sequence<I...>) {
    ((*next++ = &version_entry<Family, I>), ...);
  }
  static constexpr std::array<entry_function, version_entries + sizeof...(Families)>
  make_entries() {
    std::array<entry_function, version_entries + sizeof...(Families)> table{};
    entry_function* next = table.data();
    (add_version_entries<Families>(next, std::make_index_sequence<Families::version_count>{}), ...);
    ((*next++ = &other_versions_entry<Families>), ...);
    return table;
  }
  static constexpr std::array<entry_function, version_entries + sizeof...(Families)> entries =
      make_entries();

  // The entry of `version` of the family at `family` (in pack order), without branching on
  // either: a mixed stream mispredicts at the one indirect call, as a switch over the message
  // kinds would, not once for the type and again for the version.
  SKEW_ALWAYS_INLINE static entry_function of(std::size_t family, std::uint32_t version) noexcept {
    const family_row& row = family_rows[family];
    const std::uint32_t offset = version - row.first_version;
    return entries[offset < row.contiguous_versions ? row.first_entry + offset
                                                    : row.other_versions_entry];
  }
};

}  // namespace skew::detail

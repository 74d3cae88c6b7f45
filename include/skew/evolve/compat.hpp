// Layer evolve/: proving skew safety before merge (compatibility, JSON Schema, fixtures, the
// version matrix); never included by the runtime folders.
//
// Compile-time compatibility between versions of a payload, checked where C++ engineers already
// look: the compiler and the unit tests.
//
//   static_assert(skew::compatible<SendEmailV1, SendEmailV2, skew::compat::backward>);
//   static_assert(skew::family_compatible<SendEmail, skew::compat::full_transitive>);
//   for (auto& v : skew::compat::explain<V1, V2, skew::compat::full>()) log("{}", v);
//
// Rules, in the spirit of Avro's schema resolution. A reader reads a writer's message when every
// field the reader requires is written by the writer (under its name, an alias of the reader's, or
// a name the writer dual-writes), and each written type is one the reader accepts: the same type,
// a lossless widening (int32 -> int64, float -> double, small integers -> double), a string for a
// string, a known enum value for an open enum, element by element for containers and member by
// member for nested structs. A field the reader requires but the writer may omit or null breaks
// the pair; fields the reader does not know are ignored.
//   backward: the new version reads the old one (consumers upgrade first)
//   forward:  the old version reads the new one (producers upgrade first)
//   full:     both; the *_transitive modes check every pair of versions, not only neighbours.
#pragma once

#include <skew/evolve/detail/compat_checks.hpp>

#include <skew/base/detail/fmt.hpp>

#include <string>
#include <vector>

namespace skew {

// Whether payload structs Old and New are compatible in Mode (backward, forward or full).
template <described Old, described New, class Mode>
requires detail::is_mode<Mode>
inline constexpr bool compatible = detail::pair_compatible<Old, New, Mode>();

// Whether every neighbouring pair of Family's versions (every pair, for the *_transitive modes)
// is compatible in Mode.
template <message_family Family, class Mode>
requires detail::is_mode<Mode>
inline constexpr bool family_compatible = detail::family_pairs_compatible<Family, Mode>();

namespace compat {

// Every violation between Old and New in Mode, for tests and CI logs. Backward problems (New
// reading Old) come first, then forward ones (Old reading New); each rule names its direction.
template <described Old, described New, class Mode>
requires detail::is_mode<Mode> std::vector<violation> explain() {
  std::vector<violation> out;
  if constexpr (detail::checks_backward<Mode>) {
    detail::recording_visitor v;
    detail::check_struct<New, Old>(v);
    for (auto& x : v.found) {
      x.rule = "backward (new reads old): " + x.rule;
      out.push_back(std::move(x));
    }
  }
  if constexpr (detail::checks_forward<Mode>) {
    detail::recording_visitor v;
    detail::check_struct<Old, New>(v);
    for (auto& x : v.found) {
      x.rule = "forward (old reads new): " + x.rule;
      out.push_back(std::move(x));
    }
  }
  return out;
}

}  // namespace compat

}  // namespace skew

// "/locale: backward (new reads old): a field the reader requires is missing from the writer
//  (reader std::string)"
template <>
struct fmt::formatter<skew::compat::violation> : fmt::formatter<std::string_view> {
  // A template, so that a TU which never formats one does not compile this.
  template <class FormatContext>
  auto format(const skew::compat::violation& v, FormatContext& ctx) const {
    auto out = fmt::format_to(ctx.out(), "{}: {} (reader {}", v.field, v.rule, v.reader_type);
    if (!v.writer_type.empty()) out = fmt::format_to(out, ", writer {}", v.writer_type);
    return fmt::format_to(out, ")");
  }
};

// The compatibility checks behind skew::compatible and skew::compat::explain (evolve/compat.hpp):
// the compatibility modes, the visitors that count or record violations, and the checks of values,
// structs, tagged variants and families. Compile-time only: nothing here reads or writes JSON.
#pragma once

#include <skew/model/codec.hpp>
#include <skew/model/describe.hpp>
#include <skew/model/detail/builtin_codecs.hpp>
#include <skew/model/detail/traits.hpp>
#include <skew/model/enum.hpp>
#include <skew/model/field.hpp>
#include <skew/model/message.hpp>
#include <skew/model/raw_json.hpp>
#include <skew/model/unknown_fields.hpp>
#include <skew/model/variant.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace skew {

namespace compat {
struct backward {};
struct forward {};
struct full {};
struct backward_transitive {};
struct forward_transitive {};
struct full_transitive {};

// One reason a reader cannot read a writer's message.
struct violation {
  std::string field;        // JSON Pointer into the reader's struct, e.g. /items/sku
  std::string rule;         // what breaks
  std::string reader_type;  // the type the reader declares
  std::string writer_type;  // the type the writer declares (empty when the writer lacks it)
  friend bool operator==(const violation&, const violation&) = default;
};
}  // namespace compat

namespace detail {

// The name of T as the compiler spells it, for messages (GCC and Clang).
template <class T>
std::string type_name() {
  std::string_view s = __PRETTY_FUNCTION__;
  const auto start = s.find("T = ");
  if (start == std::string_view::npos) return std::string(s);
  s.remove_prefix(start + 4);
  const auto end = s.find_first_of(";]");
  return std::string(s.substr(0, end));
}

template <class T>
struct strip_presence {
  using type = T;
};
template <class T>
struct strip_presence<std::optional<T>> {
  using type = T;
};
template <class T>
struct strip_presence<field<T>> {
  using type = T;
};

template <class R, class W>
concept codec_with_reads_all_of = has_codec<R> && requires {
  { codec<R>::template reads_all_of<W>() } -> std::convertible_to<bool>;
};

// Whether every value of integer type W fits integer type R.
template <class R, class W>
constexpr bool integer_widens() {
  using rl = std::numeric_limits<R>;
  using wl = std::numeric_limits<W>;
  if constexpr (wl::is_signed && !rl::is_signed) {
    return false;
  } else if constexpr (!wl::is_signed && rl::is_signed) {
    return rl::digits >= wl::digits + 0;  // digits excludes the sign bit
  } else {
    return rl::digits >= wl::digits;
  }
}

// Collects violations; the counting visitor is used in constant expressions, the recording one
// at run time by explain().
struct counting_visitor {
  int count = 0;
  constexpr void report(std::string_view, std::string_view, const auto*, const auto*) { ++count; }
};

struct recording_visitor {
  std::vector<compat::violation> found;
  std::string path;
  template <class R, class W>
  void report(std::string_view field, std::string_view rule, const R*, const W*) {
    compat::violation v;
    v.field = path + "/" + std::string(field);
    v.rule = std::string(rule);
    v.reader_type = type_name<R>();
    if constexpr (!std::is_void_v<W>) v.writer_type = type_name<W>();
    found.push_back(std::move(v));
  }
};

template <class Visitor>
constexpr void push_path(Visitor&, std::string_view) {}
constexpr void push_path(recording_visitor& v, std::string_view name) {
  v.path += "/";
  v.path += name;
}
template <class Visitor>
constexpr void pop_path(Visitor&, std::string_view) {}
constexpr void pop_path(recording_visitor& v, std::string_view name) {
  v.path.resize(v.path.size() - name.size() - 1);
}

template <class Reader, class Writer, class Visitor>
constexpr void check_struct(Visitor& visitor);
// Tagged variants, alternative by alternative: check_variant, at the end of this file.
template <class R, class W, class Visitor>
constexpr bool check_variant(Visitor& visitor, std::string_view field);

// Whether a reader of type R accepts every value a writer of type W writes (presence aside).
template <class R, class W, class Visitor>
constexpr bool check_value(Visitor& visitor, std::string_view field) {
  if constexpr (std::is_same_v<R, W>) {
    return true;
  } else if constexpr (std::is_same_v<R, raw_json>) {
    return true;  // raw JSON takes any value
  } else if constexpr (is_optional<R>::value || is_field<R>::value || is_optional<W>::value ||
                       is_field<W>::value) {
    return check_value<typename strip_presence<R>::type, typename strip_presence<W>::type>(visitor,
                                                                                           field);
  } else if constexpr (codec_with_reads_all_of<R, W>) {
    return codec<R>::template reads_all_of<W>();
  } else if constexpr (has_codec<R> || has_codec<W>) {
    return check_value<wire_t<R>, wire_t<W>>(visitor, field);  // codec types travel as their wire
  } else if constexpr (std::is_same_v<R, bool> || std::is_same_v<W, bool>) {
    return false;
  } else if constexpr (std::is_integral_v<R> && std::is_integral_v<W>) {
    return integer_widens<R, W>();
  } else if constexpr (std::is_floating_point_v<R> && std::is_floating_point_v<W>) {
    return sizeof(R) >= sizeof(W);
  } else if constexpr (std::is_floating_point_v<R> && std::is_integral_v<W>) {
    // Exact while every value of W fits the mantissa.
    return std::numeric_limits<R>::digits >= std::numeric_limits<W>::digits;
  } else if constexpr (json_array<R> && json_array<W>) {
    // A std::array reads only arrays of its length, a set only arrays without repeats.
    constexpr array_kind rk = array_kind_of<R>::value;
    constexpr array_kind wk = array_kind_of<W>::value;
    if constexpr (rk == array_kind::fixed) {
      if constexpr (wk != array_kind::fixed) {
        return false;
      } else if constexpr (std::tuple_size_v<R> != std::tuple_size_v<W>) {
        return false;
      }
    }
    if constexpr (rk == array_kind::set && wk != array_kind::set) return false;
    return check_value<typename R::value_type, typename W::value_type>(visitor, field);
  } else if constexpr (json_object_map<R> && json_object_map<W>) {
    // Names as strings read any; integer names need a type that holds the writer's.
    using RK = typename R::key_type;
    using WK = typename W::key_type;
    constexpr bool keys =
        std::is_same_v<RK, WK> || std::is_same_v<RK, std::string> ||
        (std::is_integral_v<RK> && std::is_integral_v<WK> && integer_widens<RK, WK>());
    return keys && check_value<typename R::mapped_type, typename W::mapped_type>(visitor, field);
  } else if constexpr (described<R> && described<W>) {
    // Member by member; violations inside are reported with their own paths.
    push_path(visitor, field);
    check_struct<R, W>(visitor);
    pop_path(visitor, field);
    return true;
  } else if constexpr (tagged_variant<R> && tagged_variant<W>) {
    return check_variant<R, W>(visitor, field);
  } else {
    if constexpr (is_variant<R>::value) require_variant_tags<R>();
    if constexpr (is_variant<W>::value) require_variant_tags<W>();
    return false;
  }
}

// Whether the writer's member W named `name` (with its aliases) supplies the reader's member R.
template <class RM, class WM>
constexpr bool supplies(const RM& reader, const WM& writer) {
  if (writer.name == reader.name) return true;
  for (std::size_t a = 0; a < reader.alias_count; ++a) {
    if (reader.aliases[a] == writer.name) return true;
  }
  if (writer.writes_aliases) {
    for (std::size_t a = 0; a < writer.alias_count; ++a) {
      if (writer.aliases[a] == reader.name) return true;
    }
  }
  return false;
}

// Whether the writer may leave the member out (or write null where the reader wants a value).
template <class WM>
constexpr bool writer_may_omit(const WM&) {
  using W = typename WM::value_type;
  return is_optional<W>::value || is_field<W>::value;
}

template <class Reader, class Writer, class Visitor>
constexpr void check_struct(Visitor& visitor) {
  constexpr auto& reader_members = members_of<Reader>;
  constexpr auto& writer_members = members_of<Writer>;
  [&]<std::size_t... R>(std::index_sequence<R...>) {
    (
        [&] {
          constexpr auto& rm = member_at<R>(reader_members);
          using RT = typename std::decay_t<decltype(rm)>::value_type;
          if constexpr (std::decay_t<decltype(rm)>::is_unknown_fields) {
            return;
          } else {
            const bool required = member_is_required(rm);
            // A reader that tolerates null takes whatever presence the writer has.
            const bool reader_takes_null = is_optional<RT>::value || is_field<RT>::value;
            bool found = false;
            [&]<std::size_t... W>(std::index_sequence<W...>) {
              (
                  [&] {
                    constexpr auto& wm = member_at<W>(writer_members);
                    using WT = typename std::decay_t<decltype(wm)>::value_type;
                    if constexpr (!std::decay_t<decltype(wm)>::is_unknown_fields) {
                      if (found || !supplies(rm, wm)) return;
                      found = true;
                      if (!check_value<RT, WT>(visitor, rm.name)) {
                        visitor.report(rm.name, "the reader does not accept the writer's type",
                                       static_cast<const RT*>(nullptr),
                                       static_cast<const WT*>(nullptr));
                      } else if (required && !reader_takes_null && writer_may_omit(wm)) {
                        visitor.report(
                            rm.name, "the writer may omit or null a field the reader requires",
                            static_cast<const RT*>(nullptr), static_cast<const WT*>(nullptr));
                      }
                    }
                  }(),
                  ...);
            }
            (std::make_index_sequence<std::decay_t<decltype(writer_members)>::size>{});
            if (!found && required) {
              visitor.report(rm.name, "a field the reader requires is missing from the writer",
                             static_cast<const RT*>(nullptr), static_cast<const void*>(nullptr));
            }
          }
        }(),
        ...);
  }
  (std::make_index_sequence<std::decay_t<decltype(reader_members)>::size>{});
}

template <class Reader, class Writer>
constexpr int violation_count() {
  counting_visitor v;
  check_struct<Reader, Writer>(v);
  return v.count;
}

template <class Mode>
inline constexpr bool checks_backward =
    std::is_same_v<Mode, compat::backward> || std::is_same_v<Mode, compat::full> ||
    std::is_same_v<Mode, compat::backward_transitive> ||
    std::is_same_v<Mode, compat::full_transitive>;
template <class Mode>
inline constexpr bool checks_forward =
    std::is_same_v<Mode, compat::forward> || std::is_same_v<Mode, compat::full> ||
    std::is_same_v<Mode, compat::forward_transitive> ||
    std::is_same_v<Mode, compat::full_transitive>;
template <class Mode>
inline constexpr bool is_transitive = std::is_same_v<Mode, compat::backward_transitive> ||
                                      std::is_same_v<Mode, compat::forward_transitive> ||
                                      std::is_same_v<Mode, compat::full_transitive>;
template <class Mode>
inline constexpr bool is_mode = checks_backward<Mode> || checks_forward<Mode>;

template <class Old, class New, class Mode>
constexpr bool pair_compatible() {
  bool ok = true;
  if constexpr (checks_backward<Mode>) ok = ok && violation_count<New, Old>() == 0;
  if constexpr (checks_forward<Mode>) ok = ok && violation_count<Old, New>() == 0;
  return ok;
}

template <class Family, class Mode, std::size_t I, std::size_t J>
constexpr bool family_pair_compatible() {
  if constexpr (J > I && (is_transitive<Mode> || J == I + 1)) {
    return pair_compatible<typename Family::template payload_at<I>,
                           typename Family::template payload_at<J>, Mode>();
  } else {
    return true;
  }
}

template <class Family, class Mode, std::size_t I>
constexpr bool family_row_compatible() {
  return []<std::size_t... J>(std::index_sequence<J...>) {
    return (family_pair_compatible<Family, Mode, I, J>() && ...);
  }
  (std::make_index_sequence<Family::version_count>{});
}

template <class Family, class Mode>
constexpr bool family_pairs_compatible() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return (family_row_compatible<Family, Mode, I>() && ...);
  }
  (std::make_index_sequence<Family::version_count>{});
}

}  // namespace detail

}  // namespace skew

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

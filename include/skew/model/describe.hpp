// Layer model/: how C++ types are described to skew (descriptions, codecs, vocabulary types,
// message families, manifests); declarations and compile-time tables only, no reading or writing.
//
// Describing structs for skew: which members map to which JSON keys, under which old names, with
// which defaults.
//
// Short form, at namespace scope next to the type (JSON names equal member names):
//
//   struct SendEmailV1 { std::string to; std::string templateId; };
//   SKEW_DESCRIBE(SendEmailV1, to, templateId)
//
// Long form, at global scope, for renames, defaults and requirement overrides:
//
//   template <>
//   struct skew::describe<app::Payment> {
//     static constexpr auto fields = skew::fields(
//         skew::member<&app::Payment::amount_minor>("amount_minor").alias("amountCents"),
//         skew::member<&app::Payment::currency>("currency").default_value("EUR"));
//   };
//
// Requirement rules: a plain T member is required; std::optional<T> accepts missing or null;
// skew::field<T> keeps missing/null/set apart; a member with a default takes it when missing.
// A member of type skew::unknown_fields collects the keys nobody describes.
#pragma once

#include <skew/base/detail/fixed_string.hpp>
#include <skew/base/detail/preprocessor.hpp>
#include <skew/model/field.hpp>
#include <skew/model/unknown_fields.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace skew {

namespace detail {

template <class M>
struct member_pointer_traits;
template <class C, class V>
struct member_pointer_traits<V C::*> {
  using owner = C;
  using value = V;
};

struct no_default {
  friend constexpr bool operator==(no_default, no_default) noexcept { return true; }
};

enum class requirement : unsigned char { by_type, required, optional };

inline constexpr std::size_t max_aliases = 4;

// Not constexpr on purpose: reaching it during constant evaluation is a compile error.
inline void too_many_aliases() noexcept {}

}  // namespace detail

template <auto MemberPtr, class Default = detail::no_default>
struct member_descriptor {
  using owner_type = typename detail::member_pointer_traits<decltype(MemberPtr)>::owner;
  using value_type = typename detail::member_pointer_traits<decltype(MemberPtr)>::value;
  static constexpr auto pointer = MemberPtr;
  static constexpr bool has_default = !std::is_same_v<Default, detail::no_default>;
  static constexpr bool is_unknown_fields = std::is_same_v<value_type, unknown_fields>;

  std::string_view name;
  // Former names, still accepted on read (renames). The first one is the most recent former name.
  std::array<std::string_view, detail::max_aliases> aliases{};
  std::size_t alias_count = 0;
  detail::requirement requirement = detail::requirement::by_type;
  // During a rename's transition, encoders write the value under the name and every alias.
  bool writes_aliases = false;
  Default default_{};

  // Accept `old_name` too when reading (the value may arrive under either name, not both with
  // different values). Up to four aliases per member.
  constexpr member_descriptor alias(std::string_view old_name) const {
    auto copy = *this;
    if (copy.alias_count >= detail::max_aliases) detail::too_many_aliases();
    copy.aliases[copy.alias_count++] = old_name;
    return copy;
  }
  // When the key is missing, the member becomes `value` (and the key is not required).
  template <class D>
  constexpr member_descriptor<MemberPtr, D> default_value(D value) const {
    member_descriptor<MemberPtr, D> out{name,        aliases,        alias_count,
                                        requirement, writes_aliases, value};
    return out;
  }
  // Overrides the type-based rule: required(true) makes even an optional member mandatory;
  // required(false) lets a plain member be missing (it is then value-initialized).
  constexpr member_descriptor required(bool is_required = true) const {
    auto copy = *this;
    copy.requirement = is_required ? detail::requirement::required : detail::requirement::optional;
    return copy;
  }
  // Write the value under the current name and every alias: the dual-write phase of a rename.
  constexpr member_descriptor dual_write() const {
    auto copy = *this;
    copy.writes_aliases = true;
    return copy;
  }

  static constexpr value_type& get(owner_type& object) noexcept { return object.*MemberPtr; }
  static constexpr const value_type& get(const owner_type& object) noexcept {
    return object.*MemberPtr;
  }
};

// `skew::member<&T::m>("jsonName")`: one member of a long-form description.
template <auto MemberPtr>
constexpr member_descriptor<MemberPtr> member(std::string_view json_name) {
  return member_descriptor<MemberPtr>{json_name};
}

namespace detail {

template <std::size_t I, class Member>
struct member_slot {
  Member value;
};
template <class Indices, class... Members>
struct member_slots;
template <std::size_t... I, class... Members>
struct member_slots<std::index_sequence<I...>, Members...> : member_slot<I, Members>... {};

}  // namespace detail

// The members of a description, in declaration order: a list much cheaper for the compiler to
// build than a std::tuple (skew::fields_of gives one of those). Read it with
// skew::detail::member_at<I> and skew::detail::apply_members.
template <class... Members>
struct member_list : detail::member_slots<std::index_sequence_for<Members...>, Members...> {
  static constexpr std::size_t size = sizeof...(Members);
};

// The list of members of a long-form description.
template <class... Members>
constexpr member_list<Members...> fields(Members... members) {
  return member_list<Members...>{{{members}...}};
}

namespace detail {

// Member I of a member_list.
template <std::size_t I, class Member>
constexpr const Member& member_at(const member_slot<I, Member>& slot) noexcept {
  return slot.value;
}

// f(member 0, member 1, ...).
template <class F, class... Members>
constexpr decltype(auto) apply_members(F&& f, const member_list<Members...>& list) {
  return [&]<std::size_t... I>(std::index_sequence<I...>)->decltype(auto) {
    return f(member_at<I>(list)...);
  }
  (std::index_sequence_for<Members...>{});
}

template <class... Members>
constexpr const member_list<Members...>& as_member_list(const member_list<Members...>& list) {
  return list;
}
// A long form written with a std::tuple of members, as skew::fields once returned.
template <class... Members>
constexpr member_list<Members...> as_member_list(const std::tuple<Members...>& members) {
  return std::apply([](const auto&... m) { return member_list<Members...>{{{m}...}}; }, members);
}

}  // namespace detail

// One enumerator and its JSON text, for long-form enum descriptions.
template <class E>
struct enumerator {
  E value;
  std::string_view name;
};
template <class E>
enumerator(E, const char*) -> enumerator<E>;

// Specialize for the long form: `fields` for a struct, `enumerators` for an enum.
template <class T>
struct describe {};

namespace detail {

template <class T>
concept has_long_form_fields = requires {
  describe<T>::fields;
};
template <class T>
concept has_short_form_fields = requires(const T* p) {
  skew_describe(p);
};
template <class T>
concept has_long_form_enumerators = requires {
  describe<T>::enumerators;
};
template <class T>
concept has_short_form_enumerators = requires(const T* p) {
  skew_enumerators(p);
};

// Whether skew finds the short form of T's description where it looks for it: by argument-
// dependent lookup, in T's namespace. SKEW_DESCRIBE and SKEW_ENUM check it where they are written.
// Functions of their own rather than the concepts above: a concept checked before the macro (a use
// of the type before its description) keeps its first answer, and the macro's check would then
// blame the namespace.
template <class T>
constexpr bool describe_is_found() {
  return requires(const T* p) {
    skew_describe(p);
  };
}
template <class T>
constexpr bool enumerators_are_found() {
  return requires(const T* p) {
    skew_enumerators(p);
  };
}

template <class T>
constexpr auto lookup_fields() {
  if constexpr (has_long_form_fields<T>) {
    return describe<T>::fields;
  } else {
    return skew_describe(static_cast<const T*>(nullptr));
  }
}

template <class T>
constexpr auto lookup_enumerators() {
  if constexpr (has_long_form_enumerators<T>) {
    return describe<T>::enumerators;
  } else {
    return skew_enumerators(static_cast<const T*>(nullptr));
  }
}

}  // namespace detail

// A struct skew can read and write.
template <class T>
concept described = std::is_class_v<T> &&
    (detail::has_long_form_fields<T> || detail::has_short_form_fields<T>);

// An enum read and written by its enumerators' names.
template <class T>
concept described_enum = std::is_enum_v<T> &&
    (detail::has_long_form_enumerators<T> || detail::has_short_form_enumerators<T>);

namespace detail {
// The member list of a described struct: what skew itself reads.
template <class T>
inline constexpr auto members_of = as_member_list(lookup_fields<T>());
}  // namespace detail

// The tuple of member descriptors of a described struct, for code that inspects a description
// with std::get and std::apply. Built only where it is named.
template <described T>
inline constexpr auto fields_of = detail::apply_members(
    [](const auto&... m) { return std::tuple<std::decay_t<decltype(m)>...>{m...}; },
    detail::members_of<T>);

// The array of enumerators of a described enum.
template <described_enum E>
inline constexpr auto enumerators_of = detail::lookup_enumerators<E>();

namespace detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// Whether a member may be absent from the JSON, by the rules in the header comment.
template <class Member>
constexpr bool member_is_required(const Member& m) {
  if (m.requirement == requirement::required) return true;
  if (m.requirement == requirement::optional || Member::has_default) return false;
  using V = typename Member::value_type;
  return !is_optional<V>::value && !is_field<V>::value && !Member::is_unknown_fields;
}

struct no_such_member {};
struct missing_member_placeholder {
  int value;
};

// `skew::member<MemberPtr>(Name)`, or for a name the type has no member of, one error that says
// so (the name is in the template arguments of the line above it) and a placeholder that keeps
// the rest of the description well-formed, so that nothing else fails after it.
template <fixed_string Name, auto MemberPtr>
constexpr auto checked_member() {
  if constexpr (std::is_same_v<std::remove_cv_t<decltype(MemberPtr)>, no_such_member>) {
    static_assert(!std::is_same_v<std::remove_cv_t<decltype(MemberPtr)>, no_such_member>,
                  "SKEW_DESCRIBE names a member the type does not have (or cannot access): its "
                  "name is the Name argument above");
    return member<&missing_member_placeholder::value>(Name.view());
  } else {
    return member<MemberPtr>(Name.view());
  }
}

}  // namespace detail

}  // namespace skew

// The member is looked up where a missing one is not an error (a requires-expression in a generic
// lambda), so that checked_member reports it in one static_assert instead of the compiler
// tracing the failed lookup through every level of the member list's macro expansion.
#define SKEW_DETAIL_DESCRIBE_MEMBER(Type, m)           \
  ::skew::detail::checked_member<#m, []<class T>(T*) { \
    if constexpr (requires { &T::m; }) {               \
      return &T::m;                                    \
    } else {                                           \
      return ::skew::detail::no_such_member{};         \
    }                                                  \
  }(static_cast<Type*>(nullptr))>()
#define SKEW_DETAIL_DESCRIBE_ENUMERATOR(Enum, e) \
  ::skew::enumerator<Enum> {                     \
    Enum::e, #e                                  \
  }

// SKEW_DESCRIBE(Type, member...): at namespace scope, in the namespace of Type, after it.
#define SKEW_DESCRIBE(Type, ...)                                                                 \
  [[maybe_unused]] constexpr auto skew_describe(const Type*) noexcept {                          \
    return ::skew::fields(SKEW_DETAIL_FOR_EACH(SKEW_DETAIL_DESCRIBE_MEMBER, Type, __VA_ARGS__)); \
  }                                                                                              \
  static_assert(::skew::detail::describe_is_found<Type>(),                                       \
                "SKEW_DESCRIBE(" #Type                                                           \
                ", ...) must be written in the namespace that declares " #Type                   \
                " (after the type): skew finds it there, by argument-dependent lookup");

// SKEW_ENUM(Enum, enumerator...): at namespace scope, in the namespace of Enum; JSON names equal
// the enumerator names.
#define SKEW_ENUM(Enum, ...)                                                                       \
  [[maybe_unused]] constexpr auto skew_enumerators(const Enum*) noexcept {                         \
    return ::std::array{SKEW_DETAIL_FOR_EACH(SKEW_DETAIL_DESCRIBE_ENUMERATOR, Enum, __VA_ARGS__)}; \
  }                                                                                                \
  static_assert(::skew::detail::enumerators_are_found<Enum>(),                                     \
                "SKEW_ENUM(" #Enum ", ...) must be written in the namespace that declares " #Enum  \
                " (after the enum): skew finds it there, by argument-dependent lookup");

// The tolerant reader: turns simdjson On-Demand values into described C++ types in one pass.
//
// Every function returns false after storing an error in the context; callers on the way out
// prepend their path segment, so the success path never builds a JSON Pointer.
#pragma once

#include <skew/describe.hpp>
#include <skew/detail/scan.hpp>
#include <skew/detail/simdjson.hpp>
#include <skew/enum.hpp>
#include <skew/error.hpp>
#include <skew/field.hpp>
#include <skew/options.hpp>
#include <skew/raw_json.hpp>
#include <skew/unknown_fields.hpp>

#include <array>
#include <charconv>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace skew::detail {

struct decode_context {
  const options& opts;
  const char* input_begin;
  const char* input_end;
  std::uint32_t depth = 0;
  // Values read under a former name (alias) in this decode: how operators learn an old name is
  // still being written.
  std::uint32_t alias_reads = 0;
  // Undescribed keys stepped over (or kept in unknown_fields): how operators see that producers
  // write fields this build does not know yet.
  std::uint32_t ignored_keys = 0;
  // The first distinct former names read, for per-name counters. They view descriptor names,
  // which have static storage.
  std::array<std::string_view, 4> alias_names{};
  std::uint8_t alias_name_count = 0;
  // Keys of the root object that belong to an envelope header (flat layout): known, so neither
  // unknown_key nor captured, and validated by the envelope reader instead. When on_header_key is
  // set, it sees each of them (with its value) so the envelope can keep their text.
  const std::string_view* header_keys = nullptr;
  std::size_t header_key_count = 0;
  bool (*on_header_key)(void* sink, decode_context& ctx, std::string_view key,
                        od::value& value) = nullptr;
  void* header_sink = nullptr;
  error err{};

  void note_alias(std::string_view name) noexcept {
    ++alias_reads;
    for (std::uint8_t i = 0; i < alias_name_count; ++i) {
      if (alias_names[i].data() == name.data()) return;
    }
    if (alias_name_count < alias_names.size()) alias_names[alias_name_count++] = name;
  }

  bool is_header_key(std::string_view key) const noexcept {
    if (depth != 1) return false;
    for (std::size_t i = 0; i < header_key_count; ++i) {
      if (header_keys[i] == key) return true;
    }
    return false;
  }

  bool fail(errc code, const char* at = nullptr) {
    err.code = code;
    err.path.clear();
    if (at != nullptr && at >= input_begin && at <= input_end) {
      err.offset = static_cast<std::size_t>(at - input_begin);
    } else {
      err.offset.reset();
    }
    return false;
  }
  template <class V>
  bool fail_at(errc code, V& v) {
    const std::string_view token = peek_token(v);
    return fail(code, token.empty() ? nullptr : token.data());
  }
};

template <class>
inline constexpr bool dependent_false = false;

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
concept string_keyed_map = requires {
  typename T::mapped_type;
}
&&(std::is_same_v<T, std::map<std::string, typename T::mapped_type, typename T::key_compare,
                              typename T::allocator_type>> ||
   std::is_same_v<T, std::unordered_map<std::string, typename T::mapped_type, typename T::hasher,
                                        typename T::key_equal, typename T::allocator_type>>);

// std::equality_comparable<std::vector<X>> holds even when X has no ==, so look inside containers.
template <class T>
constexpr bool deeply_equality_comparable() {
  if constexpr (is_vector<T>::value || is_optional<T>::value || is_field<T>::value) {
    return deeply_equality_comparable<typename T::value_type>();
  } else if constexpr (string_keyed_map<T>) {
    return deeply_equality_comparable<typename T::mapped_type>();
  } else {
    return std::equality_comparable<T>;
  }
}

enum class json_kind : unsigned char { boolean, integer, floating, string, object, array, any };

// Explains why simdjson refused a value: a malformed token is malformed_json wherever it sits; a
// well-formed one of another type is unexpected_null or wrong_type; a well-formed number that does
// not fit is out_of_range.
template <class V>
bool fail_value(decode_context& ctx, V& v, json_kind expected,
                simdjson::error_code cause = simdjson::INCORRECT_TYPE) {
  const std::string_view token = peek_token(v);
  if (token.empty()) return ctx.fail(errc::malformed_json);
  const char* at = token.data();
  switch (token[0]) {
    case 'n':
      return ctx.fail(is_literal(token, "null") ? errc::unexpected_null : errc::malformed_json, at);
    case 't':
      return ctx.fail(is_literal(token, "true") ? errc::wrong_type : errc::malformed_json, at);
    case 'f':
      return ctx.fail(is_literal(token, "false") ? errc::wrong_type : errc::malformed_json, at);
    case '"': {
      const scan_status s = check_string(token.data() + 1, nullptr);
      if (s == scan_status::bad_surrogate) return ctx.fail(errc::invalid_utf8, at);
      return ctx.fail(s == scan_status::ok ? errc::wrong_type : errc::malformed_json, at);
    }
    case '{':
    case '[':
      // A container of the wrong kind, or one that is cut short or broken inside.
      return ctx.fail(
          cause == simdjson::INCORRECT_TYPE ? errc::wrong_type : map_simdjson_error(cause), at);
    default:
      break;
  }
  const number_shape shape = classify_number(token);
  if (!shape.valid) return ctx.fail(errc::malformed_json, at);
  if (expected == json_kind::integer) {
    // A fraction or exponent is not an integer; an integral token simdjson refused overflowed.
    return ctx.fail(shape.integral ? errc::out_of_range : errc::wrong_type, at);
  }
  if (expected == json_kind::floating) return ctx.fail(errc::out_of_range, at);
  return ctx.fail(errc::wrong_type, at);
}

// ---------------------------------------------------------------------------------------------
// Validation of values nobody reads (options::validate_skipped): On-Demand only checks what is
// read, so an unread `[1,tru]` would otherwise pass as valid JSON.

template <class V>
bool validate_value(decode_context& ctx, V& v);

inline bool validate_key(decode_context& ctx, od::field& f, std::size_t* length) {
  const char* raw = f.key().raw();
  const scan_status s = check_string(raw, length);
  if (s == scan_status::ok) return true;
  return ctx.fail(s == scan_status::bad_surrogate ? errc::invalid_utf8 : errc::malformed_json, raw);
}

template <class V>
bool validate_object(decode_context& ctx, V& v) {
  od::object object;
  if (auto e = v.get_object().get(object)) return ctx.fail(map_simdjson_error(e));
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, v);
  for (auto field_result : object) {
    // Used in place: copying the field out with get() costs a store-forwarding stall per key.
    if (auto e = field_result.error()) return ctx.fail(map_simdjson_error(e));
    od::field& f = field_result.value_unsafe();
    std::size_t key_length = 0;
    if (!validate_key(ctx, f, &key_length)) return false;
    if (!validate_value(ctx, f.value())) {
      prepend_pointer_segment(ctx.err.path, std::string_view(f.key().raw(), key_length));
      return false;
    }
  }
  --ctx.depth;
  return true;
}

template <class V>
bool validate_array(decode_context& ctx, V& v) {
  od::array array;
  if (auto e = v.get_array().get(array)) return ctx.fail(map_simdjson_error(e));
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, v);
  std::size_t index = 0;
  for (auto element_result : array) {
    if (auto e = element_result.error()) return ctx.fail(map_simdjson_error(e));
    od::value& element = element_result.value_unsafe();
    if (!validate_value(ctx, element)) {
      char digits[24];
      auto end = std::to_chars(digits, digits + sizeof digits, index).ptr;
      prepend_pointer_segment(ctx.err.path, std::string_view(digits, end - digits));
      return false;
    }
    ++index;
  }
  --ctx.depth;
  return true;
}

// Checks one scalar token; scalars are left unconsumed (iteration steps over them).
inline bool validate_scalar_token(decode_context& ctx, std::string_view token) {
  if (token.empty()) return ctx.fail(errc::malformed_json);
  const char* at = token.data();
  bool ok = false;
  switch (token[0]) {
    case '"': {
      const scan_status s = check_string(token.data() + 1, nullptr);
      if (s == scan_status::bad_surrogate) return ctx.fail(errc::invalid_utf8, at);
      ok = s == scan_status::ok;
      break;
    }
    case 't':
      ok = is_literal(token, "true");
      break;
    case 'f':
      ok = is_literal(token, "false");
      break;
    case 'n':
      ok = is_literal(token, "null");
      break;
    default:
      ok = classify_number(token).valid;
      break;
  }
  return ok ? true : ctx.fail(errc::malformed_json, at);
}

template <class V>
bool validate_value(decode_context& ctx, V& v) {
  const std::string_view token = peek_token(v);
  if (token.empty()) return ctx.fail(errc::malformed_json);
  if (token[0] == '{') return validate_object(ctx, v);
  if (token[0] == '[') return validate_array(ctx, v);
  return validate_scalar_token(ctx, token);
}

// The raw text of a value, validated when validate_skipped is on (for raw_json and unknown_fields).
template <class V>
bool capture_raw(decode_context& ctx, V& v, std::string_view& out) {
  const std::string_view token = peek_token(v);
  if (token.empty()) return ctx.fail(errc::malformed_json);
  if (token[0] != '{' && token[0] != '[') {
    if (!validate_scalar_token(ctx, token)) return false;
    out = trim_right(token);
    return true;
  }
  if (!ctx.opts.validate_skipped) {
    if (auto e = simdjson::to_json_string(v).get(out)) return ctx.fail(map_simdjson_error(e));
    return true;
  }
  const char* start = token.data();
  if (!validate_value(ctx, v)) return false;
  // After the walk the iterator stands on the token after the value (or past the end).
  const char* end = ctx.input_end;
  const char* location = nullptr;
  if (v.current_location().get(location) == simdjson::SUCCESS) end = location;
  out = trim_right(std::string_view(start, static_cast<std::size_t>(end - start)));
  return true;
}

// A key's raw bytes, as written (escapes not decoded): enough to match every unescaped name.
inline std::string_view raw_key(od::field& f) noexcept {
  const char* raw = f.key().raw();
  return std::string_view(raw, key_length(raw, peek_token(f.value()).data()));
}

// Replaces a raw key that contains escapes by its unescaped text (in the parser's buffer).
inline bool unescape_key(decode_context& ctx, od::field& f, std::string_view& key) {
  if (!validate_key(ctx, f, nullptr)) return false;
  if (auto e = f.unescaped_key().get(key)) return ctx.fail(map_simdjson_error(e), key.data());
  return true;
}

// ---------------------------------------------------------------------------------------------
// Typed reads.

template <class T, class V>
bool read_value(decode_context& ctx, V& v, T& out);

// A string's content without copying when it holds no escapes (a view into the input); otherwise
// simdjson unescapes it into the parser's string buffer. Stage 1 already rejected raw control
// characters and unclosed strings, and the token ends at the closing quote (plus whitespace), so
// only the presence of a backslash needs a look at the bytes.
template <class V>
bool read_string_view(decode_context& ctx, V& v, std::string_view& out) {
  if constexpr (std::is_same_v<V, od::value>) {
    const std::string_view token = trim_right(peek_token(v));
    if (token.size() >= 2 && token.front() == '"' && token.back() == '"') [[likely]] {
      const std::string_view content = token.substr(1, token.size() - 2);
      if (!contains_backslash(content.data(), content.size())) [[likely]] {
        out = content;
        return true;
      }
      const scan_status s = check_string(content.data(), nullptr);
      if (s != scan_status::ok) {
        return ctx.fail(s == scan_status::bad_surrogate ? errc::invalid_utf8 : errc::malformed_json,
                        token.data());
      }
    }
  }
  if (v.get_string().get(out) != simdjson::SUCCESS) return fail_value(ctx, v, json_kind::string);
  return true;
}

template <class T, class V>
bool read_integer(decode_context& ctx, V& v, T& out) {
  if constexpr (std::is_signed_v<T>) {
    std::int64_t x;
    if (v.get_int64().get(x) != simdjson::SUCCESS) return fail_value(ctx, v, json_kind::integer);
    if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max()) {
      return ctx.fail_at(errc::out_of_range, v);
    }
    out = static_cast<T>(x);
  } else {
    std::uint64_t x;
    if (v.get_uint64().get(x) != simdjson::SUCCESS) return fail_value(ctx, v, json_kind::integer);
    if (x > std::numeric_limits<T>::max()) return ctx.fail_at(errc::out_of_range, v);
    out = static_cast<T>(x);
  }
  return true;
}

template <class T, class V>
bool read_floating(decode_context& ctx, V& v, T& out) {
  double x;
  if (v.get_double().get(x) != simdjson::SUCCESS) return fail_value(ctx, v, json_kind::floating);
  if constexpr (sizeof(T) < sizeof(double)) {
    if (x > std::numeric_limits<T>::max() || x < std::numeric_limits<T>::lowest()) {
      return ctx.fail_at(errc::out_of_range, v);
    }
  }
  out = static_cast<T>(x);
  return true;
}

template <class V>
bool peek_null(V& v) {
  const std::string_view token = peek_token(v);
  if (token.empty() || token[0] != 'n') return false;
  bool is_null = false;
  return v.is_null().get(is_null) == simdjson::SUCCESS && is_null;
}

template <class T, class V>
bool read_vector(decode_context& ctx, V& v, T& out) {
  od::array array;
  if (auto e = v.get_array().get(array)) return fail_value(ctx, v, json_kind::array, e);
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, v);
  // Elements already in `out` are overwritten in place so decode_into keeps their capacity.
  std::size_t index = 0;
  for (auto element_result : array) {
    if (auto e = element_result.error()) return ctx.fail(map_simdjson_error(e));
    od::value& element = element_result.value_unsafe();
    if (index == out.size()) out.emplace_back();
    bool ok;
    if constexpr (std::is_same_v<typename T::value_type, bool>) {
      bool b = false;
      ok = read_value(ctx, element, b);
      out[index] = b;
    } else {
      ok = read_value(ctx, element, out[index]);
    }
    if (!ok) {
      char digits[24];
      auto end = std::to_chars(digits, digits + sizeof digits, index).ptr;
      prepend_pointer_segment(ctx.err.path, std::string_view(digits, end - digits));
      return false;
    }
    ++index;
  }
  out.resize(index);
  --ctx.depth;
  return true;
}

template <class T, class V>
bool read_map(decode_context& ctx, V& v, T& out) {
  od::object object;
  if (auto e = v.get_object().get(object)) return fail_value(ctx, v, json_kind::object, e);
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, v);
  out.clear();
  for (auto field_result : object) {
    // Used in place: copying the field out with get() costs a store-forwarding stall per key.
    if (auto e = field_result.error()) return ctx.fail(map_simdjson_error(e));
    od::field& f = field_result.value_unsafe();
    std::string_view key;
    const char* raw = f.key().raw();
    const std::size_t n = find_string_special(raw);
    if (raw[n] == '"') {
      key = std::string_view(raw, n);
    } else {
      if (!validate_key(ctx, f, nullptr)) return false;
      if (auto e = f.unescaped_key().get(key)) return ctx.fail(map_simdjson_error(e), raw);
    }
    auto [it, inserted] = out.try_emplace(std::string(key));
    if (!inserted) {
      ctx.fail(errc::duplicate_key, raw);
      prepend_pointer_segment(ctx.err.path, key);
      return false;
    }
    if (!read_value(ctx, f.value(), it->second)) {
      prepend_pointer_segment(ctx.err.path, key);
      return false;
    }
  }
  --ctx.depth;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Described structs: one pass over the object's fields, matching each raw key against the names
// known at compile time; unescaping only keys that contain a backslash.

template <class T>
struct member_table {
  static constexpr auto& members = ::skew::fields_of<T>;
  static constexpr std::size_t member_count = std::tuple_size_v<std::decay_t<decltype(members)>>;

  struct entry {
    std::string_view name;
    std::size_t member;
    std::size_t name_index;  // 0: the member's name; k: its k-th alias
  };

  static constexpr std::size_t entry_count = std::apply(
      [](const auto&... m) {
        return (std::size_t{0} + ... + (m.is_unknown_fields ? 0 : 1 + m.alias_count));
      },
      members);

  static constexpr std::array<entry, entry_count> entries = [] {
    std::array<entry, entry_count> out{};
    std::size_t next = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            const auto& m = std::get<I>(members);
            if (m.is_unknown_fields) return;
            out[next++] = entry{m.name, I, 0};
            for (std::size_t a = 0; a < m.alias_count; ++a)
              out[next++] = entry{m.aliases[a], I, a + 1};
          }(),
          ...);
    }
    (std::make_index_sequence<member_count>{});
    return out;
  }();

  static constexpr std::size_t unknown_fields_index = [] {
    std::size_t index = member_count;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((std::get<I>(members).is_unknown_fields && index == member_count ? (index = I) : 0), ...);
    }
    (std::make_index_sequence<member_count>{});
    return index;
  }();
  static constexpr bool has_unknown_fields = unknown_fields_index != member_count;

  static_assert(entry_count > 0 || has_unknown_fields,
                "a described struct needs at least one field");
};

// 0 when the member has not been seen yet, else 1 + the index of the name it arrived under.
template <std::size_t N>
using seen_names = std::array<std::uint8_t, N>;

template <class T, std::size_t Entry>
bool read_member(decode_context& ctx, od::value& v, T& out,
                 seen_names<member_table<T>::member_count>& seen) {
  constexpr auto e = member_table<T>::entries[Entry];
  const auto& desc = std::get<e.member>(member_table<T>::members);
  auto& slot = desc.get(out);
  constexpr std::uint8_t tag = static_cast<std::uint8_t>(e.name_index + 1);
  // Counted on every copy, also the second of a dual-written pair: either way a producer still
  // writes the old name.
  if constexpr (e.name_index > 0) ctx.note_alias(e.name);
  if (seen[e.member] == 0) {
    seen[e.member] = tag;
    return read_value(ctx, v, slot);
  }
  const std::string_view token = peek_token(v);
  if (seen[e.member] == tag) return ctx.fail(errc::duplicate_key, token.data());
  // The same member under another of its names, as during a rename's dual-write phase: accepted
  // when both copies agree, because a reader that picked either one would see the same message.
  using value_type = typename std::decay_t<decltype(desc)>::value_type;
  value_type other{};
  if (!read_value(ctx, v, other)) return false;
  if constexpr (deeply_equality_comparable<value_type>()) {
    if (other == slot) return true;
  }
  return ctx.fail(errc::conflicting_alias, token.data());
}

// 1: matched and read; 0: not a described key; -1: matched but failed.
template <class T, std::size_t... E>
int match_and_read(decode_context& ctx, std::string_view key, od::value& v, T& out,
                   seen_names<member_table<T>::member_count>& seen, std::index_sequence<E...>) {
  int result = 0;
  (void)((key.size() == member_table<T>::entries[E].name.size() &&
                  std::memcmp(key.data(), member_table<T>::entries[E].name.data(),
                              member_table<T>::entries[E].name.size()) == 0
              ? (result = read_member<T, E>(ctx, v, out, seen) ? 1 : -1, true)
              : false) ||
         ...);
  return result;
}

template <class T, std::size_t I>
bool finish_member(decode_context& ctx, T& out,
                   const seen_names<member_table<T>::member_count>& seen) {
  const auto& desc = std::get<I>(member_table<T>::members);
  using desc_type = std::decay_t<decltype(desc)>;
  using value_type = typename desc_type::value_type;
  if constexpr (desc_type::is_unknown_fields) {
    return true;
  } else {
    if (seen[I] != 0) return true;
    auto& slot = desc.get(out);
    if constexpr (desc_type::has_default) {
      slot = desc.default_;
      return true;
    } else {
      if (member_is_required(desc)) {
        ctx.fail(errc::missing_field);
        append_pointer_segment(ctx.err.path, desc.name);
        return false;
      }
      if constexpr (is_optional<value_type>::value || is_field<value_type>::value) {
        slot.reset();
      } else {
        slot = value_type{};
      }
      return true;
    }
  }
}

// Reads the fields from `it` to the end of an object whose depth is already counted, then gives
// every member not seen its default. The router starts it mid-object, after the envelope header.
template <class T>
bool read_struct_fields(decode_context& ctx, od::object_iterator& it, od::object_iterator end,
                        T& out) {
  using table = member_table<T>;
  seen_names<table::member_count> seen{};
  unknown_fields* extras = nullptr;
  if constexpr (table::has_unknown_fields) {
    extras = &std::get<table::unknown_fields_index>(table::members).get(out);
    extras->clear();
  }
  for (; it != end; ++it) {
    auto field_result = *it;
    // Used in place: copying the field out with get() costs a store-forwarding stall per key.
    if (auto e = field_result.error()) return ctx.fail(map_simdjson_error(e));
    od::field& f = field_result.value_unsafe();
    od::value& value = f.value();
    std::string_view key = raw_key(f);
    const char* raw = key.data();
    int matched =
        match_and_read(ctx, key, value, out, seen, std::make_index_sequence<table::entry_count>{});
    if (matched == 0 && contains_backslash(key.data(), key.size())) [[unlikely]] {
      // Escaped keys are matched by their unescaped name, so `"\u0074o"` is `to`.
      if (!unescape_key(ctx, f, key)) return false;
      matched = match_and_read(ctx, key, value, out, seen,
                               std::make_index_sequence<table::entry_count>{});
    }
    if (matched > 0) [[likely]]
      continue;
    if (matched == 0) {
      if (ctx.header_key_count != 0 && ctx.is_header_key(key)) {
        if (ctx.on_header_key == nullptr || ctx.on_header_key(ctx.header_sink, ctx, key, value)) {
          continue;
        }
        prepend_pointer_segment(ctx.err.path, key);
        return false;
      }
      ++ctx.ignored_keys;
      if (ctx.opts.unknown_keys == unknown_keys::reject) {
        ctx.fail(errc::unknown_key, raw);
      } else if (extras != nullptr) {
        std::string_view json;
        if (capture_raw(ctx, value, json)) {
          extras->add(key, json);
          continue;
        }
      } else if (!ctx.opts.validate_skipped || validate_value(ctx, value)) {
        continue;
      }
    }
    prepend_pointer_segment(ctx.err.path, key);
    return false;
  }
  --ctx.depth;
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (finish_member<T, I>(ctx, out, seen) && ...);
  }
  (std::make_index_sequence<table::member_count>{});
}

template <class T, class V>
bool read_struct(decode_context& ctx, V& v, T& out) {
  od::object object;
  if (auto e = v.get_object().get(object)) return fail_value(ctx, v, json_kind::object, e);
  if (++ctx.depth > ctx.opts.max_depth) return ctx.fail_at(errc::too_deep, v);
  od::object_iterator it;
  od::object_iterator end;
  if (auto e = object.begin().get(it)) return ctx.fail(map_simdjson_error(e));
  if (auto e = object.end().get(end)) return ctx.fail(map_simdjson_error(e));
  return read_struct_fields(ctx, it, end, out);
}

template <class T, class V>
bool read_value(decode_context& ctx, V& v, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (v.get_bool().get(out) != simdjson::SUCCESS) return fail_value(ctx, v, json_kind::boolean);
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    return read_integer(ctx, v, out);
  } else if constexpr (std::is_floating_point_v<T>) {
    return read_floating(ctx, v, out);
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::string_view s;
    if (!read_string_view(ctx, v, s)) return false;
    out.assign(s.data(), s.size());
    return true;
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return read_string_view(ctx, v, out);
  } else if constexpr (std::is_same_v<T, raw_json>) {
    std::string_view json;
    if (!capture_raw(ctx, v, json)) return false;
    out = raw_json(json);
    return true;
  } else if constexpr (described_enum<T>) {
    std::string_view s;
    if (!read_string_view(ctx, v, s)) return false;
    if (auto e = enum_from_name<T>(s)) {
      out = *e;
      return true;
    }
    return ctx.fail_at(errc::invalid_enum, v);
  } else if constexpr (is_open_enum<T>::value) {
    std::string_view s;
    if (!read_string_view(ctx, v, s)) return false;
    out.assign_text(s);
    return true;
  } else if constexpr (is_optional<T>::value) {
    if (peek_null(v)) {
      out.reset();
      return true;
    }
    if (!out.has_value()) out.emplace();
    return read_value(ctx, v, *out);
  } else if constexpr (is_field<T>::value) {
    if (peek_null(v)) {
      out.set_null();
      return true;
    }
    out.set_state(presence::value);
    return read_value(ctx, v, out.storage());
  } else if constexpr (is_vector<T>::value) {
    return read_vector(ctx, v, out);
  } else if constexpr (string_keyed_map<T>) {
    return read_map(ctx, v, out);
  } else if constexpr (described<T>) {
    return read_struct(ctx, v, out);
  } else {
    static_assert(dependent_false<T>,
                  "skew cannot read this type: describe structs with SKEW_DESCRIBE and enums with "
                  "SKEW_ENUM; maps need std::string keys");
    return false;
  }
}

}  // namespace skew::detail

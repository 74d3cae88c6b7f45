// The encoder's internals: JSON text for every type the decoder reads, appended to any contiguous
// char buffer, reporting values JSON cannot carry instead of writing corrupt output.
#pragma once

#include <skew/describe.hpp>
#include <skew/detail/read.hpp>
#include <skew/enum.hpp>
#include <skew/error.hpp>
#include <skew/field.hpp>
#include <skew/raw_json.hpp>
#include <skew/unknown_fields.hpp>

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace skew::detail {

// fmt::memory_buffer appends ranges; std::string and std::vector<char> insert them.
template <class Buffer>
void append(Buffer& out, std::string_view s) {
  if constexpr (requires { out.append(s.data(), s.data() + s.size()); }) {
    out.append(s.data(), s.data() + s.size());
  } else {
    out.insert(out.end(), s.data(), s.data() + s.size());
  }
}
template <class Buffer>
void append(Buffer& out, char c) {
  out.push_back(c);
}

// Makes room for n more bytes and returns where they start: one capacity check and one copy per
// token instead of one per piece.
template <class Buffer>
[[gnu::always_inline]] inline char* grow(Buffer& out, std::size_t n) {
  const std::size_t size = out.size();
  out.resize(size + n);
  return out.data() + size;
}

struct encode_context {
  error err{};
  // Keys already written at this level by the envelope (flat layout): never written twice.
  const std::string_view* reserved_keys = nullptr;
  std::size_t reserved_key_count = 0;

  bool fail(errc code) {
    err.code = code;
    err.path.clear();
    err.offset.reset();
    return false;
  }
  bool is_reserved(std::string_view key) const noexcept {
    for (std::size_t i = 0; i < reserved_key_count; ++i) {
      if (reserved_keys[i] == key) return true;
    }
    return false;
  }
};

inline constexpr char hex_digits[] = "0123456789abcdef";

// Whether a byte must be escaped inside a JSON string (RFC 8259: quote, backslash, controls).
constexpr bool needs_escape(unsigned char c) noexcept {
  return c < 0x20 || c == '"' || c == '\\';
}

// A quoted JSON string. Invalid UTF-8 is an error: writing it would produce text that no strict
// reader accepts, and replacing it would change the message.
// Where the first byte at or after `from` that needs an escape or is not ASCII lies, 16 bytes at a
// time with SSE2 (the x86-64 baseline); s.size() when there is none. Strings in messages are
// mostly plain ASCII, and for those this is the whole scan.
inline std::size_t find_special(std::string_view s, std::size_t from) noexcept {
  std::size_t i = from;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // Signed compare: bytes >= 0x80 are negative, so "below space" also flags non-ASCII.
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, quote), _mm_cmpeq_epi8(c, backslash)),
                     _mm_cmplt_epi8(c, space));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0)
      return i + static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (needs_escape(c) || c >= 0x80) return i;
  }
  return s.size();
}

template <class Buffer>
bool write_string(encode_context& ctx, Buffer& out, std::string_view s) {
  std::size_t special = find_special(s, 0);
  if (special == s.size()) [[likely]] {
    char* p = grow(out, s.size() + 2);
    p[0] = '"';
    if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    return true;
  }
  // Only text with non-ASCII bytes needs the UTF-8 check.
  bool ascii = true;
  for (std::size_t k = special; k < s.size() && ascii; ++k) {
    ascii = static_cast<unsigned char>(s[k]) < 0x80;
  }
  if (!ascii && !simdjson::validate_utf8(s.data(), s.size())) {
    return ctx.fail(errc::not_representable);
  }
  append(out, '"');
  std::size_t run = 0;
  for (std::size_t i = special; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) [[likely]]
      continue;
    append(out, s.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"':
        append(out, std::string_view("\\\""));
        break;
      case '\\':
        append(out, std::string_view("\\\\"));
        break;
      case '\n':
        append(out, std::string_view("\\n"));
        break;
      case '\r':
        append(out, std::string_view("\\r"));
        break;
      case '\t':
        append(out, std::string_view("\\t"));
        break;
      case '\b':
        append(out, std::string_view("\\b"));
        break;
      case '\f':
        append(out, std::string_view("\\f"));
        break;
      default: {
        const char escaped[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xf]};
        append(out, std::string_view(escaped, 6));
      }
    }
  }
  append(out, s.substr(run));
  append(out, '"');
  return true;
}

// A key whose text is fixed at compile time and known to need no escaping is written as is.
constexpr bool plain_key(std::string_view key) noexcept {
  for (char c : key) {
    if (needs_escape(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

// `,"key":` (the comma unless first) in one write, for keys known to need no escaping.
template <class Buffer>
[[gnu::always_inline]] inline void write_plain_key(Buffer& out, std::string_view key, bool& first) {
  const std::size_t comma = first ? 0 : 1;
  first = false;
  char* p = grow(out, comma + key.size() + 3);
  p[0] = ',';
  p += comma;
  p[0] = '"';
  std::memcpy(p + 1, key.data(), key.size());
  p[key.size() + 1] = '"';
  p[key.size() + 2] = ':';
}

template <class Buffer>
bool write_key(encode_context& ctx, Buffer& out, std::string_view key, bool& first) {
  if (plain_key(key)) {
    write_plain_key(out, key, first);
    return true;
  }
  if (!first) append(out, ',');
  first = false;
  if (!write_string(ctx, out, key)) return false;
  append(out, ':');
  return true;
}

template <class T>
constexpr bool omitted_when_absent() {
  return is_optional<T>::value || is_field<T>::value;
}

// Whether a member's value is written at all: a missing skew::field and an empty std::optional are
// omitted (null is written for a null skew::field).
template <class T>
bool is_present(const T& v) {
  if constexpr (is_optional<T>::value) {
    return v.has_value();
  } else if constexpr (is_field<T>::value) {
    return !v.is_missing();
  } else {
    return true;
  }
}

template <class T, class Buffer>
bool write_value(encode_context& ctx, Buffer& out, const T& v);

template <class T>
bool table_has_name(std::string_view key) {
  for (const auto& e : member_table<T>::entries) {
    if (e.name == key) return true;
  }
  return false;
}

template <class T, std::size_t I, class Buffer>
bool write_member(encode_context& ctx, Buffer& out, const T& v, bool& first) {
  constexpr auto& m = std::get<I>(member_table<T>::members);
  using value_type = typename std::decay_t<decltype(m)>::value_type;
  const auto& value = m.get(v);
  if constexpr (std::is_same_v<value_type, unknown_fields>) {
    // Fields a newer build wrote: back as received, unless this level already has the key.
    for (const auto& entry : value) {
      if (ctx.is_reserved(entry.key) || table_has_name<T>(entry.key)) continue;
      if (!write_key(ctx, out, entry.key, first)) return false;
      append(out, std::string_view(entry.json));
    }
    return true;
  } else {
    if (!is_present(value)) return true;
    constexpr std::size_t names = 1 + (m.writes_aliases ? m.alias_count : 0);
    for (std::size_t n = 0; n < names; ++n) {
      const std::string_view name = n == 0 ? m.name : m.aliases[n - 1];
      if (n == 0 && plain_key(m.name)) {
        write_plain_key(out, name, first);
      } else if (!write_key(ctx, out, name, first)) {
        return false;
      }
      if (!write_value(ctx, out, value)) {
        prepend_pointer_segment(ctx.err.path, name);
        return false;
      }
    }
    return true;
  }
}

template <class T, class Buffer>
bool write_struct(encode_context& ctx, Buffer& out, const T& v, bool& first) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (write_member<T, I>(ctx, out, v, first) && ...);
  }
  (std::make_index_sequence<member_table<T>::member_count>{});
}

template <class T, class Buffer>
bool write_value(encode_context& ctx, Buffer& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    append(out, v ? std::string_view("true") : std::string_view("false"));
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, v);
    append(out, std::string_view(digits, static_cast<std::size_t>(r.ptr - digits)));
    return true;
  } else if constexpr (std::is_floating_point_v<T>) {
    // JSON has no NaN or infinity; writing null would silently change the value.
    if (!std::isfinite(v)) return ctx.fail(errc::not_representable);
    char digits[40];
    // fmt's default is the shortest text that reads back as the same value.
    const auto r = fmt::format_to_n(digits, sizeof digits, "{}", v);
    append(out, std::string_view(digits, r.size));
    return true;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    return write_string(ctx, out, v);
  } else if constexpr (std::is_same_v<T, raw_json>) {
    if (v.empty()) {
      append(out, std::string_view("null"));
    } else {
      append(out, v.json());
    }
    return true;
  } else if constexpr (described_enum<T>) {
    const std::string_view name = enum_name(v);
    if (name.empty()) return ctx.fail(errc::invalid_enum);
    return write_string(ctx, out, name);
  } else if constexpr (is_open_enum<T>::value) {
    return write_string(ctx, out, v.text());
  } else if constexpr (is_optional<T>::value) {
    if (!v) {
      append(out, std::string_view("null"));
      return true;
    }
    return write_value(ctx, out, *v);
  } else if constexpr (is_field<T>::value) {
    if (!v.has_value()) {
      append(out, std::string_view("null"));
      return true;
    }
    return write_value(ctx, out, *v);
  } else if constexpr (is_vector<T>::value) {
    append(out, '[');
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i != 0) append(out, ',');
      if (!write_value(ctx, out, v[i])) {
        prepend_pointer_segment(ctx.err.path, std::to_string(i));
        return false;
      }
    }
    append(out, ']');
    return true;
  } else if constexpr (string_keyed_map<T>) {
    append(out, '{');
    bool first = true;
    for (const auto& [key, value] : v) {
      if (!write_key(ctx, out, key, first)) return false;
      if (!write_value(ctx, out, value)) {
        prepend_pointer_segment(ctx.err.path, key);
        return false;
      }
    }
    append(out, '}');
    return true;
  } else if constexpr (described<T>) {
    append(out, '{');
    bool first = true;
    encode_context inner{};  // reserved keys apply to the envelope's level only
    if (!write_struct(inner, out, v, first)) {
      ctx.err = std::move(inner.err);
      return false;
    }
    append(out, '}');
    return true;
  } else {
    static_assert(dependent_false<T>, "skew cannot write this type: describe it first");
    return false;
  }
}

}  // namespace skew::detail

// The encoder's internals: JSON text for every type the decoder reads, appended to any contiguous
// char buffer, reporting values JSON cannot carry instead of writing corrupt output.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/detail/hex.hpp>
#include <skew/base/error.hpp>
#include <skew/json/detail/escape_scan.hpp>
#include <skew/model/codec.hpp>
#include <skew/model/describe.hpp>
#include <skew/model/detail/builtin_codecs.hpp>
#include <skew/model/detail/traits.hpp>
#include <skew/model/enum.hpp>
#include <skew/model/field.hpp>
#include <skew/model/raw_json.hpp>
#include <skew/model/unknown_fields.hpp>
#include <skew/model/variant.hpp>
#include <skew/payload/detail/struct_table.hpp>

#include <skew/base/detail/fmt.hpp>
#include <skew/json/detail/utf8.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace skew::detail {

// Where the encoder writes: any contiguous char buffer with size(), resize() and data()
// (fmt::memory_buffer, std::string, std::vector<char>), behind one indirect call per growth, so
// that the writers are compiled once, not once per buffer type.
class output {
 public:
  template <class Buffer>
  explicit output(Buffer& buffer) noexcept : buffer_(&buffer), grow_(&grow_buffer<Buffer>) {}

  // Makes room for n more bytes and returns where they start: one capacity check and one copy
  // per token instead of one per piece.
  SKEW_ALWAYS_INLINE char* grow(std::size_t n) { return grow_(buffer_, n); }
  void append(std::string_view s) {
    if (!s.empty()) std::memcpy(grow(s.size()), s.data(), s.size());
  }
  void append(char c) { *grow(1) = c; }

 private:
  template <class Buffer>
  static char* grow_buffer(void* buffer, std::size_t n) {
    Buffer& b = *static_cast<Buffer*>(buffer);
    const std::size_t size = b.size();
    b.resize(size + n);
    return b.data() + size;
  }

  void* buffer_;
  char* (*grow_)(void*, std::size_t);
};

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

// A quoted JSON string. Invalid UTF-8 is an error: writing it would produce text that no strict
// reader accepts, and replacing it would change the message.
inline bool write_string(encode_context& ctx, output& out, std::string_view s) {
  std::size_t special = find_special(s, 0);
  if (special == s.size()) [[likely]] {
    char* p = out.grow(s.size() + 2);
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
  if (!ascii && !valid_utf8(s.data(), s.size())) {
    return ctx.fail(errc::not_representable);
  }
  out.append('"');
  std::size_t run = 0;
  for (std::size_t i = special; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) [[likely]]
      continue;
    out.append(s.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      case '\b':
        out.append(std::string_view("\\b"));
        break;
      case '\f':
        out.append(std::string_view("\\f"));
        break;
      default: {
        const char escaped[6] = {
            '\\', 'u', '0', '0', lower_hex_digits[c >> 4], lower_hex_digits[c & 0xf]};
        out.append(std::string_view(escaped, 6));
      }
    }
  }
  out.append(s.substr(run));
  out.append('"');
  return true;
}

// `,"key":` (the comma unless first) in one write, for keys known to need no escaping.
SKEW_ALWAYS_INLINE inline void write_plain_key(output& out, std::string_view key, bool& first) {
  const std::size_t comma = first ? 0 : 1;
  first = false;
  char* p = out.grow(comma + key.size() + 3);
  p[0] = ',';
  p += comma;
  p[0] = '"';
  std::memcpy(p + 1, key.data(), key.size());
  p[key.size() + 1] = '"';
  p[key.size() + 2] = ':';
}

inline bool write_key(encode_context& ctx, output& out, std::string_view key, bool& first) {
  if (is_plain_json(key)) {
    write_plain_key(out, key, first);
    return true;
  }
  if (!first) out.append(',');
  first = false;
  if (!write_string(ctx, out, key)) return false;
  out.append(':');
  return true;
}

template <class T>
bool write_value(encode_context& ctx, output& out, const T& v);
// Defined in write_variant.hpp, which the encoder includes.
template <class V>
bool write_variant(encode_context& ctx, output& out, const V& v);

template <class V>
bool write_erased(encode_context& ctx, output& out, const void* slot) {
  return write_value(ctx, out, *static_cast<const V*>(slot));
}

template <class V>
bool present_erased(const void* slot) {
  const V& v = *static_cast<const V*>(slot);
  if constexpr (is_optional<V>::value) {
    return v.has_value();
  } else {
    return !v.is_missing();
  }
}

// The writer's table of described struct T: constant data, built at compile time.
template <class T>
struct write_table_for {
  using layout = struct_layout<T>;

  template <std::size_t I>
  static constexpr write_member entry() {
    constexpr auto& m = member_at<I>(layout::members);
    using M = typename layout::template member_type<I>;
    using V = typename M::value_type;
    write_member e;
    if constexpr (!M::is_unknown_fields) {
      e.name = m.name;
      e.aliases = m.aliases.data();
      e.alias_count = static_cast<std::uint8_t>(m.alias_count);
      e.writes_aliases = m.writes_aliases;
      e.plain_name = is_plain_json(m.name);
      e.write = &write_erased<V>;
      if constexpr (is_optional<V>::value || is_field<V>::value) e.present = &present_erased<V>;
    }
    return e;
  }

  static constexpr std::array<write_member, layout::member_count> members =
      []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<write_member, layout::member_count>{entry<I>()...};
  }
  (std::make_index_sequence<layout::member_count>{});

  static constexpr write_table table{layout::keys.data(), &layout::lookup, members.data(),
                                     static_cast<std::uint32_t>(layout::member_count),
                                     &layout::offsets};
};

template <class T>
const write_table& write_table_of() {
  return write_table_for<T>::table;
}

// A described struct's members through its table, in declaration order: a missing skew::field and
// an empty std::optional are omitted, renamed members in their dual-write phase are written under
// every name, and unknown keys are written back as received unless this level already has them.
inline bool write_struct(encode_context& ctx, output& out, const void* object, const write_table& t,
                         bool& first) {
  const char* const base = static_cast<const char*>(object);
  const std::uint32_t* const offsets = t.offsets();
  for (std::uint32_t m = 0; m < t.member_count; ++m) {
    const write_member& e = t.members[m];
    const void* slot = base + offsets[m];
    if (e.write == nullptr) {
      for (const auto& entry : *static_cast<const unknown_fields*>(slot)) {
        if (ctx.is_reserved(entry.key) || table_has_name(t, entry.key)) continue;
        if (!write_key(ctx, out, entry.key, first)) return false;
        out.append(std::string_view(entry.json));
      }
      continue;
    }
    if (e.present != nullptr && !e.present(slot)) continue;
    const std::size_t names = 1 + (e.writes_aliases ? e.alias_count : 0);
    for (std::size_t n = 0; n < names; ++n) {
      const std::string_view name = n == 0 ? e.name : e.aliases[n - 1];
      if (n == 0 && e.plain_name) {
        write_plain_key(out, name, first);
      } else if (!write_key(ctx, out, name, first)) {
        return false;
      }
      if (!e.write(ctx, out, slot)) {
        prepend_pointer_segment(ctx.err.path, name);
        return false;
      }
    }
  }
  return true;
}

// A described struct as a JSON object.
inline bool write_object(encode_context& ctx, output& out, const void* object,
                         const write_table& t) {
  out.append('{');
  bool first = true;
  encode_context inner{};  // reserved keys apply to the envelope's level only
  if (!write_struct(inner, out, object, t, first)) {
    ctx.err = std::move(inner.err);
    return false;
  }
  out.append('}');
  return true;
}

template <class T>
bool write_value(encode_context& ctx, output& out, const T& v) {
  if constexpr (has_codec<T>) {
    auto wire = codec<T>::write(v);
    if constexpr (is_result<decltype(wire)>) {
      if (!wire) return ctx.fail(wire.error().code);
      return write_value(ctx, out, *wire);
    } else {
      return write_value(ctx, out, wire);
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    out.append(v ? std::string_view("true") : std::string_view("false"));
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, v);
    out.append(std::string_view(digits, static_cast<std::size_t>(r.ptr - digits)));
    return true;
  } else if constexpr (std::is_floating_point_v<T>) {
    // JSON has no NaN or infinity; writing null would silently change the value.
    if (!std::isfinite(v)) return ctx.fail(errc::not_representable);
    char digits[40];
    // fmt's default is the shortest text that reads back as the same value.
    const auto r = fmt::format_to_n(digits, sizeof digits, "{}", v);
    out.append(std::string_view(digits, r.size));
    return true;
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return write_string(ctx, out, v);
  } else if constexpr (std::is_same_v<T, raw_json>) {
    if (v.empty()) {
      out.append(std::string_view("null"));
    } else {
      out.append(v.json());
    }
    return true;
  } else if constexpr (is_optional<T>::value) {
    if (!v) {
      out.append(std::string_view("null"));
      return true;
    }
    return write_value(ctx, out, *v);
  } else if constexpr (is_field<T>::value) {
    if (!v.has_value()) {
      out.append(std::string_view("null"));
      return true;
    }
    return write_value(ctx, out, *v);
  } else if constexpr (json_array<T>) {
    out.append('[');
    std::size_t i = 0;
    for (const auto& element : v) {
      if (i != 0) out.append(',');
      if (!write_value(ctx, out, element)) {
        prepend_pointer_segment(ctx.err.path, std::to_string(i));
        return false;
      }
      ++i;
    }
    out.append(']');
    return true;
  } else if constexpr (json_object_map<T>) {
    out.append('{');
    bool first = true;
    for (const auto& [key, value] : v) {
      // The name: the text, an integer in decimal, or an enumerator's name.
      char digits[24];
      std::string_view name;
      using K = typename T::key_type;
      if constexpr (std::is_same_v<K, std::string>) {
        name = key;
      } else if constexpr (std::is_integral_v<K>) {
        const auto r = std::to_chars(digits, digits + sizeof digits, key);
        name = std::string_view(digits, static_cast<std::size_t>(r.ptr - digits));
      } else {
        name = enum_name(key);
        if (name.empty()) return ctx.fail(errc::invalid_enum);
      }
      if (!write_key(ctx, out, name, first)) return false;
      if (!write_value(ctx, out, value)) {
        prepend_pointer_segment(ctx.err.path, name);
        return false;
      }
    }
    out.append('}');
    return true;
  } else if constexpr (described<T>) {
    return write_object(ctx, out, &v, write_table_of<T>());
  } else if constexpr (tagged_variant<T>) {
    return write_variant(ctx, out, v);
  } else if constexpr (is_variant<T>::value) {
    require_variant_tags<T>();
    return false;
  } else {
    static_assert(dependent_false<T>,
                  "skew cannot write this type (T in the line above): describe structs with "
                  "SKEW_DESCRIBE, enums with SKEW_ENUM, or specialize skew::codec<T>");
    return false;
  }
}

}  // namespace skew::detail

// skew's own leaf types as codecs over JSON strings: std::string, described enums (closed: an
// unknown name is invalid_enum), open_enum (any name is kept) and std::chrono::sys_time (an RFC
// 3339 timestamp). The reader, the writer, schema export and the compatibility checks know only
// JSON's values and containers; every other type reaches them through skew::codec, these included.
#pragma once

#include <skew/base/detail/rfc3339.hpp>
#include <skew/base/error.hpp>
#include <skew/base/result.hpp>
#include <skew/model/codec.hpp>
#include <skew/model/describe.hpp>
#include <skew/model/enum.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace skew {

template <>
struct codec<std::string> {
  using wire = std::string_view;
  static bool read(std::string_view in, std::string& out) {
    out.assign(in.data(), in.size());  // assign, so decode_into keeps the capacity
    return true;
  }
  static std::string_view write(const std::string& v) noexcept { return v; }
};

template <class E>
requires described_enum<E>
struct codec<E> {
  using wire = std::string_view;
  static errc read(std::string_view in, E& out) noexcept {
    if (auto e = enum_from_name<E>(in)) {
      out = *e;
      return errc{};
    }
    return errc::invalid_enum;
  }
  // A value without a described name has no text to write.
  static result<std::string_view> write(E v) {
    const std::string_view name = enum_name(v);
    if (name.empty()) return failure(errc::invalid_enum);
    return name;
  }
  static void schema_keywords(auto& schema, bool nullable) {
    schema.raw(",\"enum\":[");
    for (std::size_t i = 0; i < enumerators_of<E>.size(); ++i) {
      if (i != 0) schema.raw(",");
      schema.string(enumerators_of<E>[i].name);
    }
    if (nullable) schema.raw(",null");
    schema.raw("]");
  }
  // A closed enum reads only its own names: a writer's string or other enum may hold others.
  template <class Writer>
  static constexpr bool reads_all_of() {
    return std::is_same_v<Writer, E>;
  }
};

template <class E>
struct codec<open_enum<E>> {
  using wire = std::string_view;
  static bool read(std::string_view in, open_enum<E>& out) {
    out.assign_text(in);
    return true;
  }
  static std::string_view write(const open_enum<E>& v) noexcept { return v.text(); }
  static void schema_keywords(auto& schema, bool) {
    std::string known;
    for (std::size_t i = 0; i < enumerators_of<E>.size(); ++i) {
      if (i != 0) known += ", ";
      known += enumerators_of<E>[i].name;
    }
    schema.raw(",\"description\":");
    schema.string("open enum: known values " + known + "; other values are kept");
  }
  // Every name is kept: its own enum's, or any string.
  template <class Writer>
  static constexpr bool reads_all_of() {
    return std::is_same_v<Writer, E> || std::is_same_v<Writer, std::string> ||
           std::is_same_v<Writer, std::string_view>;
  }
};

namespace detail {
// The text of a timestamp being written, held by value: no allocation per encode.
struct timestamp_text {
  std::array<char, 32> bytes{};
  std::size_t size = 0;
};

template <class T>
inline constexpr bool is_sys_time = false;
template <class Duration>
inline constexpr bool is_sys_time<std::chrono::sys_time<Duration>> = true;
}  // namespace detail

template <>
struct codec<detail::timestamp_text> {
  using wire = std::string_view;
  static bool read(std::string_view in, detail::timestamp_text& out) noexcept {
    if (in.size() > out.bytes.size()) return false;
    for (std::size_t k = 0; k < in.size(); ++k) out.bytes[k] = in[k];
    out.size = in.size();
    return true;
  }
  static std::string_view write(const detail::timestamp_text& t) noexcept {
    return {t.bytes.data(), t.size};
  }
};

// A point in time as an RFC 3339 timestamp: read with `Z` or an offset (normalised to UTC), with
// any fraction of a second (kept to the nanosecond, then floored to Duration); written in UTC with
// the shortest exact fraction. A timestamp that is not RFC 3339 is invalid_value; one Duration
// cannot hold (sys_time<nanoseconds> ends in 2262) is out_of_range.
template <class Duration>
struct codec<std::chrono::sys_time<Duration>> {
  using wire = std::string_view;
  using time_point = std::chrono::sys_time<Duration>;

  static errc read(std::string_view in, time_point& out) noexcept {
    return detail::read_rfc3339(in, out);
  }
  static result<detail::timestamp_text> write(const time_point& v) {
    using namespace std::chrono;
    const auto whole = floor<seconds>(v);
    detail::utc_timestamp t;
    t.seconds = sys_seconds{whole.time_since_epoch()};
    t.nanoseconds = static_cast<std::uint32_t>(duration_cast<nanoseconds>(v - whole).count());
    detail::timestamp_text text;
    text.size = detail::format_rfc3339(t, text.bytes.data());
    if (text.size == 0) return failure(errc::not_representable);
    return text;
  }
  static void schema_keywords(auto& schema, bool) { schema.raw(",\"format\":\"date-time\""); }
  // Any sys_time is a timestamp (read to this Duration); a string may be anything.
  template <class Writer>
  static constexpr bool reads_all_of() {
    return detail::is_sys_time<Writer>;
  }
};

}  // namespace skew

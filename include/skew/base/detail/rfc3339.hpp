// RFC 3339 timestamps (section 5.6 `date-time`): parsed into seconds and nanoseconds since the Unix
// epoch in UTC, and written in UTC with the shortest exact fraction.
#pragma once

#include <skew/base/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace skew::detail {

struct utc_timestamp {
  std::chrono::sys_seconds seconds;
  std::uint32_t nanoseconds = 0;  // 0 to 999'999'999
};

constexpr bool take_digits(std::string_view s, std::size_t at, std::size_t n, int& out) noexcept {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t k = at; k < at + n; ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
    v = v * 10 + (s[k] - '0');
  }
  out = v;
  return true;
}

// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, `T` and `Z` in either case (RFC 3339 uses
// ABNF, whose strings are case-insensitive). A date that does not exist, an hour past 23, a
// minute past 59 or a second past 60 is rejected; a leap second (60) is read as the next second,
// as sys_time has none. More than 9 fraction digits are read to the nanosecond (the rest must be
// digits and is dropped).
constexpr bool parse_rfc3339(std::string_view s, utc_timestamp& out) noexcept {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!take_digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !take_digits(s, 5, 2, month) ||
      s[7] != '-' || !take_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !take_digits(s, 11, 2, hour) || s[13] != ':' || !take_digits(s, 14, 2, minute) ||
      s[16] != ':' || !take_digits(s, 17, 2, second)) {
    return false;
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return false;
  std::size_t at = 19;
  std::uint32_t nanos = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    const std::size_t first = at;
    std::uint32_t scale = 100'000'000;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      nanos += static_cast<std::uint32_t>(s[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first) return false;  // a point needs at least one digit
  }
  if (at >= s.size()) return false;
  int offset_minutes = 0;
  if (s[at] == 'Z' || s[at] == 'z') {
    ++at;
  } else if (s[at] == '+' || s[at] == '-') {
    int oh = 0, om = 0;
    if (!take_digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':' ||
        !take_digits(s, at + 4, 2, om) || oh > 23 || om > 59) {
      return false;
    }
    offset_minutes = (s[at] == '-' ? -1 : 1) * (oh * 60 + om);
    at += 6;
  } else {
    return false;
  }
  if (at != s.size()) return false;
  using namespace std::chrono;
  out.seconds =
      sys_days{date} + hours{hour} + minutes{minute} + seconds{second} - minutes{offset_minutes};
  out.nanoseconds = nanos;
  return true;
}

// `text` as a time point of Duration, the fraction floored to it: errc{} with `out` set,
// invalid_value for text that is not RFC 3339, out_of_range for a time Duration cannot hold
// (sys_time<nanoseconds> ends in 2262).
template <class Duration>
constexpr errc read_rfc3339(std::string_view text, std::chrono::sys_time<Duration>& out) noexcept {
  utc_timestamp t;
  if (!parse_rfc3339(text, t)) return errc::invalid_value;
  using namespace std::chrono;
  constexpr auto limit = duration_cast<seconds>(Duration::max()).count() - 1;
  const auto s = t.seconds.time_since_epoch().count();
  if (s > limit || s < -limit) return errc::out_of_range;
  out = floor<Duration>(t.seconds) + floor<Duration>(nanoseconds{t.nanoseconds});
  return errc{};
}

// Writes `t` as `YYYY-MM-DDTHH:MM:SS[.fraction]Z` into `buffer` (at least 30 bytes); returns the
// length, or 0 for a year outside 0000 to 9999, which RFC 3339 cannot write.
inline std::size_t format_rfc3339(const utc_timestamp& t, char* buffer) noexcept {
  using namespace std::chrono;
  const sys_days day = floor<days>(t.seconds);
  const year_month_day date{day};
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) return 0;
  const auto in_day = t.seconds - day;
  const auto h = duration_cast<hours>(in_day);
  const auto m = duration_cast<minutes>(in_day - h);
  const auto sec = duration_cast<seconds>(in_day - h - m);
  auto put = [&](std::size_t at, long value, std::size_t width) {
    for (std::size_t k = width; k > 0; --k) {
      buffer[at + k - 1] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  buffer[4] = '-';
  put(5, static_cast<long>(static_cast<unsigned>(date.month())), 2);
  buffer[7] = '-';
  put(8, static_cast<long>(static_cast<unsigned>(date.day())), 2);
  buffer[10] = 'T';
  put(11, h.count(), 2);
  buffer[13] = ':';
  put(14, m.count(), 2);
  buffer[16] = ':';
  put(17, sec.count(), 2);
  std::size_t n = 19;
  if (t.nanoseconds != 0) {
    // The shortest fraction that is exact: trailing zeros dropped.
    std::uint32_t digits = t.nanoseconds;
    std::size_t width = 9;
    while (digits % 10 == 0) {
      digits /= 10;
      --width;
    }
    buffer[n++] = '.';
    put(n, digits, width);
    n += width;
  }
  buffer[n++] = 'Z';
  return n;
}

}  // namespace skew::detail

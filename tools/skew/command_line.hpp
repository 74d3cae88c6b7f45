// The skew command's command line: a subcommand, then --name value options and --flags. Unknown
// options are errors (exit 2), so that a typo never runs a redrive with defaults.
#pragma once

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace skew_tool {

class command_line {
 public:
  // `valued` options take a value, `flags` do not; anything else is an error.
  command_line(std::vector<std::string_view> args, const std::set<std::string_view>& valued,
               const std::set<std::string_view>& flags) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string_view a = args[i];
      if (flags.contains(a)) {
        flags_.insert(std::string(a));
      } else if (valued.contains(a)) {
        if (i + 1 == args.size()) {
          error_ = fmt::format("{} needs a value", a);
          return;
        }
        values_[std::string(a)] = std::string(args[++i]);
      } else {
        error_ = fmt::format("unknown option '{}'", a);
        return;
      }
    }
  }

  const std::string& error() const noexcept { return error_; }
  bool flag(std::string_view name) const { return flags_.contains(std::string(name)); }
  std::optional<std::string> value(std::string_view name) const {
    const auto it = values_.find(std::string(name));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  std::string value_or(std::string_view name, std::string fallback) const {
    return value(name).value_or(std::move(fallback));
  }
  // A non-negative number, or the fallback; a value that is not one sets error().
  std::uint64_t number(std::string_view name, std::uint64_t fallback) {
    const auto v = value(name);
    if (!v) return fallback;
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc{} || end != v->data() + v->size()) {
      error_ = fmt::format("{} expects a number, got '{}'", name, *v);
      return fallback;
    }
    return n;
  }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::string error_;
};

// host:port
inline bool split_host_port(const std::string& text, std::string& host, int& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  host = text.substr(0, colon);
  const std::string_view digits(text.data() + colon + 1, text.size() - colon - 1);
  return std::from_chars(digits.data(), digits.data() + digits.size(), port).ec == std::errc{} &&
         !host.empty();
}

}  // namespace skew_tool

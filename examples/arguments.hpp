// The examples' command line: --name value pairs, with defaults.
#pragma once

#include <fmt/core.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace demo {

// The demo's programs share their command line: --name value pairs.
class arguments {
 public:
  arguments(int argc, char** argv) : argv_(argv + 1, argv + argc) {}

  std::string get(std::string_view name, std::string fallback) const {
    for (std::size_t i = 0; i + 1 < argv_.size(); i += 2) {
      if (argv_[i] == name) return std::string(argv_[i + 1]);
    }
    return fallback;
  }
  long number(std::string_view name, long fallback) const {
    const std::string value = get(name, "");
    if (value.empty()) return fallback;
    char* end = nullptr;
    const long n = std::strtol(value.c_str(), &end, 10);
    if (*end != '\0') {
      fmt::print(stderr, "{} expects a number, got '{}'\n", name, value);
      std::exit(2);
    }
    return n;
  }

 private:
  std::vector<std::string_view> argv_;
};

}  // namespace demo

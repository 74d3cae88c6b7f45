// The Prometheus text exposition format (0.0.4), as every skew exporter writes it: label values.
#pragma once

#include <string>
#include <string_view>

namespace skew::detail {

// Label values escape backslash, double quote and line feed (text exposition format 0.0.4).
inline void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace skew::detail

// The application types the guides' snippets use without defining them: a UUID and money with
// their parsers, a payment, an order status and two shapes. Each is as small as a snippet needs.
#pragma once

#include <skew/fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace app {

struct Uuid {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
};
inline bool parse_uuid(std::string_view text, Uuid& out) {
  if (text.size() != 32) return false;
  out = {text.size(), 0};
  return true;
}
inline std::string to_string(const Uuid& u) {
  return std::string(32, u.high ? '1' : '0');
}

class Money {
 public:
  Money() = default;
  Money(std::int64_t minor, std::string_view currency) : minor_(minor), currency_(currency) {}
  std::int64_t minor() const { return minor_; }
  std::string_view currency() const { return currency_; }

 private:
  std::int64_t minor_ = 0;
  std::string currency_;
};
inline bool is_currency_code(std::string_view c) {
  return c.size() == 3 && c[0] >= 'A' && c[0] <= 'Z';
}

struct Payment {
  std::int64_t amount_minor = 0;
  std::string currency;
  int attempts = 0;
};

enum class Status { pending, paid, shipped };
SKEW_ENUM(Status, pending, paid, shipped)

struct Circle {
  double radius = 0;
};
SKEW_DESCRIBE(Circle, radius)
struct Square {
  double side = 0;
};
SKEW_DESCRIBE(Square, side)

}  // namespace app

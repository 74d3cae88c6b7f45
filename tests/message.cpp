#include <skew/model/message.hpp>

#include <doctest/doctest.h>

#include <string>

namespace fam {
struct V1 {
  std::string to;
};
struct V2 {
  std::string to;
  std::string locale;
};
struct V3 {
  std::string to;
  std::string locale;
  int priority = 0;
};
V2 upcast(V1&& v) {
  return {std::move(v.to), "en"};
}
// Counts how often the struct holding it is copied or moved.
struct moves {
  static inline int count = 0;
  moves() = default;
  moves(const moves&) { ++count; }
  moves(moves&&) noexcept { ++count; }
  moves& operator=(const moves&) = default;
  moves& operator=(moves&&) noexcept = default;
};
struct Counted1 {
  std::string to;
};
struct Counted2 {
  std::string to;
  moves tracker;
};
struct Counted3 {
  std::string to;
  moves tracker;
};
Counted2 upcast(Counted1&& v) {
  return {std::move(v.to), {}};
}
Counted3 upcast(Counted2&& v) {
  return {std::move(v.to), {}};
}
}  // namespace fam

// The second step through the specialization route instead of a free function.
template <>
struct skew::upcaster<fam::V2, fam::V3> {
  static fam::V3 upcast(fam::V2&& v) { return {std::move(v.to), std::move(v.locale), 5}; }
};

using SendEmail = skew::message<"send-email", fam::V1, fam::V2, fam::V3>;
using Gapped =
    skew::message<"gapped", skew::version<3, fam::V1>, fam::V2, skew::version<7, fam::V3>>;

using Counted = skew::message<"counted", fam::Counted1, fam::Counted2, fam::Counted3>;

static_assert(SendEmail::type_name == "send-email");
static_assert(SendEmail::versions == std::array<std::uint32_t, 3>{1, 2, 3});
static_assert(SendEmail::oldest_version == 1 && SendEmail::latest_version == 3);
static_assert(std::is_same_v<SendEmail::latest, fam::V3>);
static_assert(Gapped::versions == std::array<std::uint32_t, 3>{3, 4, 7});
static_assert(std::is_same_v<skew::payload_t<Gapped, 4>, fam::V2>);
static_assert(!Gapped::index_of(5).has_value());
static_assert(skew::message_family<SendEmail>);
static_assert(!skew::message_family<fam::V1>);

TEST_CASE("upcasts chain one step at a time: v1 reaches v3 through v2") {
  fam::V3 v3 = skew::upcast_to<SendEmail, 0, 2>(fam::V1{"ada@example.com"});
  CHECK(v3.to == "ada@example.com");
  CHECK(v3.locale == "en");  // from the v1->v2 step
  CHECK(v3.priority == 5);   // from the v2->v3 step
  fam::V3 same = skew::upcast_to<SendEmail, 2, 2>(fam::V3{"x", "de", 1});
  CHECK(same.priority == 1);
}

TEST_CASE("an upcast hands over the last step's result without moving the struct again") {
  // The router upcasts on every old message: a move of the whole result per message is a copy of
  // every short string in it.
  fam::moves::count = 0;
  const fam::Counted2 one = skew::upcast_to<Counted, 0, 1>(fam::Counted1{"a"});
  CHECK(one.to == "a");
  CHECK(fam::moves::count == 0);
  const fam::Counted3 two = skew::upcast_to<Counted, 0, 2>(fam::Counted1{"b"});
  CHECK(two.to == "b");
  CHECK(fam::moves::count == 0);  // the intermediate v2 is consumed by the user's step, not moved
}

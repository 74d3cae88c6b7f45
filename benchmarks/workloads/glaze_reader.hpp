// glaze as a user would use it for the workload matrix: its reflection of the aggregates, unknown
// keys skipped, one rename spelled in glz::meta. Included only in a C++23 build that finds glaze
// (benchmarks/CMakeLists.txt points at ../shared/deps/glaze-5.7.2).
#pragma once

#if __has_include(<glaze/glaze.hpp>) && __cplusplus > 202002L
#include <glaze/glaze.hpp>
#define SKEW_BENCH_HAVE_GLAZE 1

#include <simdjson.h>

#include <string_view>

#include "messages.hpp"

template <>
struct glz::meta<workloads::Repository> {
  using T = workloads::Repository;
  static constexpr auto value = glz::object("id", &T::id, "full_name", &T::full_name, "private",
                                            &T::is_private, "owner", &T::owner);
};

namespace workloads {

inline constexpr glz::opts glaze_options{.error_on_unknown_keys = false};

// glaze leaves a member whose key is absent as it was: a reused struct with optional members must
// be reset first, or a webhook without `installation` keeps the previous one's.
template <class T>
void reset_optionals(T&) {}
inline void reset_optionals(Webhook& w) {
  w = {};
}

// The padded input is null-terminated, as glaze's default options expect.
template <class T>
bool read_glaze(const simdjson::padded_string& json, T& out) {
  reset_optionals(out);
  return !glz::read<glaze_options>(out, std::string_view(json.data(), json.size()));
}

}  // namespace workloads
#endif

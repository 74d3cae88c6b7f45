// Contract violations (calling value() on an error, and the like) are programming errors, not bad
// input: skew never throws, so it stops the process with a message instead of returning garbage.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace skew::detail {

[[noreturn]] inline void contract_violation(const char* what, const char* why = "") noexcept {
  std::fprintf(stderr, "skew: contract violation: %s%s\n", what, why);
  std::abort();
}

}  // namespace skew::detail

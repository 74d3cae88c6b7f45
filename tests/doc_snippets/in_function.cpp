// Context for statements: the body of a function, with the application's types and the
// send-email family in scope.
#include <skew/skew.hpp>

#include "doc_family.hpp"
#include "doc_types.hpp"

#include <string>

[[maybe_unused]] int snippet(skew::decoder& decoder, const std::string& json) {
  (void)decoder;
  (void)json;
  // snippet
  return 0;
}

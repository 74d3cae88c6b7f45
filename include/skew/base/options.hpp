// skew::options: how strict a decode is, and the limits that keep hostile input cheap.
#pragma once

#include <cstddef>
#include <cstdint>

namespace skew {

enum class unknown_keys : unsigned char {
  ignore,  // tolerant reader (default): keys nobody describes are skipped (or kept in
           // unknown_fields)
  reject,  // strict: an undescribed key is errc::unknown_key; for modules deployed in lockstep
};

struct options {
  ::skew::unknown_keys unknown_keys = ::skew::unknown_keys::ignore;
  // Containers nested deeper than this are errc::too_deep; the root object is depth 1.
  std::uint32_t max_depth = 64;
  // Longer input is errc::too_large before any parsing. 64 MiB is above every mainstream broker's
  // message limit, so only garbage or an attack reaches it.
  std::size_t max_bytes = std::size_t{64} << 20;
  // true: the whole message must be valid JSON, including values nobody reads, and their nesting
  // counts against max_depth. false: skipped values are stepped over by bracket counting only, so
  // malformed or deeply nested content inside an unread key goes unnoticed. Faster; only for input
  // from trusted producers.
  bool validate_skipped = true;
};

}  // namespace skew

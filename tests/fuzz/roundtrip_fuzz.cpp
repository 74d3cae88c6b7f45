// libFuzzer: for any input that decodes, encode succeeds and decoding its output gives an equal
// value (unknown fields and raw JSON included).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "fuzz_types.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  static skew::decoder first;
  static skew::decoder second;
  auto value = first.decode<fuzz::Everything>(json);
  if (!value) return 0;
  auto encoded = skew::encode(*value);
  if (!encoded) {
    std::fprintf(stderr, "encode failed: %s\n", fmt::format("{}", encoded.error()).c_str());
    __builtin_trap();
  }
  auto again = second.decode<fuzz::Everything>(*encoded);
  if (!again || !(*again == *value)) {
    std::fprintf(stderr, "round trip differs for %s\n", encoded->c_str());
    __builtin_trap();
  }
  return 0;
}

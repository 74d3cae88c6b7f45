// libFuzzer: decode arbitrary bytes into a struct with every kind of field, validated and not.
// A decode either fails with an error or gives a value; it never crashes, hangs or reads out of
// bounds (ASan and UBSan watch).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_types.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  static skew::decoder decoder;
  for (bool validate : {true, false}) {
    skew::options opts;
    opts.validate_skipped = validate;
    opts.max_depth = 32;
    auto r = decoder.decode<fuzz::Everything>(json, opts);
    if (!r && r.error().path.size() > size * 7 + 64) __builtin_trap();  // paths stay bounded
    auto h = skew::peek_header(json, {}, opts);
    (void)h;
  }
  return 0;
}

// JSONTestSuite (nst/JSONTestSuite): every n_ file must be rejected, every y_ file accepted.
#include <skew/payload/decoder.hpp>

#include <doctest/doctest.h>

#include "corpus.hpp"

namespace conformance {
// The most generic object a tolerant reader can describe: everything is an unknown field.
struct AnyObject {
  skew::unknown_fields fields;
};
SKEW_DESCRIBE(AnyObject, fields)
}  // namespace conformance

TEST_CASE("JSONTestSuite test_parsing: y_ accepted, n_ rejected") {
  const auto dir = skew_test::corpus_or_skip("JSONTestSuite/test_parsing");
  skew::decoder d;
  int accepted = 0;
  int rejected = 0;
  for (const auto& path : skew_test::files_in(dir)) {
    const std::string name = path.filename().string();
    const bool must_accept = name.rfind("y_", 0) == 0;
    const bool must_reject = name.rfind("n_", 0) == 0;
    if (!must_accept && !must_reject) continue;
    const std::string json = skew_test::read_file(path);
    CAPTURE(name);
    auto raw = d.decode<skew::raw_json>(json);
    // Object roots also go through the struct reader, which has its own key handling.
    auto as_object = d.decode<conformance::AnyObject>(json);
    const bool object_root = json.find_first_not_of(" \t\r\n") != std::string::npos &&
                             json[json.find_first_not_of(" \t\r\n")] == '{';
    if (must_accept) {
      if (!raw) INFO(fmt::format("{}", raw.error()));
      CHECK(raw.has_value());
      if (object_root) CHECK(as_object.has_value());
      ++accepted;
    } else {
      CHECK_FALSE(raw.has_value());
      CHECK_FALSE(as_object.has_value());
      ++rejected;
    }
  }
  MESSAGE("checked " << accepted << " y_ files and " << rejected << " n_ files");
  CHECK(accepted > 90);
  CHECK(rejected > 180);
}

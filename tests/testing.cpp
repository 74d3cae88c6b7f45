// skew/evolve/testing.hpp: golden fixtures of the examples' families, and the cross-version matrix.
#include <skew/evolve/testing.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fixture_families.hpp"

namespace fs = std::filesystem;

namespace {
const fs::path fixture_dir = fs::path(SKEW_SOURCE_DIR) / "tests" / "fixtures";

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("skew-testing-" + name);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return dir;
}
}  // namespace

TEST_CASE("every committed fixture still reads with this build") {
  const auto report =
      skew::testing::check_fixtures<fixtures::SendEmail, fixtures::Payment>(fixture_dir);
  for (const auto& f : report.failures) MESSAGE(f.file.string(), ": ", f.problem);
  CHECK(report.ok());
  CHECK(report.checked == 5);
}

TEST_CASE("check_fixtures reports each broken fixture with its file") {
  const fs::path dir = scratch_dir("broken");
  fs::create_directories(dir / "send-email" / "v1");
  fs::create_directories(dir / "send-email" / "v3");
  fs::create_directories(dir / "refund" / "v1");
  std::ofstream(dir / "send-email" / "v1" / "ok.json")
      << R"({"type":"send-email","schemaVersion":1,"to":"a","templateId":"t"})";
  std::ofstream(dir / "send-email" / "v1" / "wrong_folder.json")
      << R"({"type":"send-email","schemaVersion":2,"to":"a","templateId":"t"})";
  std::ofstream(dir / "send-email" / "v1" / "missing_field.json")
      << R"({"type":"send-email","schemaVersion":1,"to":"a"})";
  std::ofstream(dir / "send-email" / "v3" / "newer.json")
      << R"({"type":"send-email","schemaVersion":3,"to":"a","templateId":"t"})";
  std::ofstream(dir / "refund" / "v1" / "unknown.json") << R"({"type":"refund","schemaVersion":1})";
  const auto report = skew::testing::check_fixtures<fixtures::SendEmail>(dir);
  CHECK(report.checked == 4);
  REQUIRE(report.failures.size() == 4);
  auto problem_of = [&](const std::string& file) {
    for (const auto& f : report.failures) {
      if (f.file.filename() == file || f.file.filename() == fs::path(file)) return f.problem;
    }
    return std::string("<none>");
  };
  CHECK(problem_of("wrong_folder.json") ==
        "the message says send-email v2 but lives in send-email/v1");
  CHECK(problem_of("missing_field.json").find("missing_field at /templateId") != std::string::npos);
  CHECK(problem_of("newer.json").find("unsupported_version") != std::string::npos);
  CHECK(problem_of("refund") == "no family of this build has type refund");
  CHECK_FALSE(report.ok());
  CHECK_FALSE(skew::testing::check_fixtures<fixtures::SendEmail>(scratch_dir("empty")).ok());
}

TEST_CASE("write_fixtures records every version the build can emit, and they read back") {
  const fs::path dir = scratch_dir("written");
  auto written = skew::testing::write_fixtures<fixtures::SendEmail>(
      dir, "sample", {"ada@example.com", "welcome", "fr"}, {.id = "m-9"});
  REQUIRE(written);
  REQUIRE(written->size() == 2);
  CHECK(written->at(0) == dir / "send-email" / "v1" / "sample.json");
  CHECK(written->at(1) == dir / "send-email" / "v2" / "sample.json");
  const auto report = skew::testing::check_fixtures<fixtures::SendEmail>(dir);
  CHECK(report.ok());
  CHECK(report.checked == 2);
}

TEST_CASE("version_matrix: old readers retry newer messages, newer readers read everything") {
  const auto m = skew::testing::version_matrix<fixtures::SendEmail>(
      {{"ada@example.com", "welcome", "de"}, {"alan@example.com", "reset", std::nullopt}});
  CHECK(m.at(1, 1) == skew::action::ack);
  CHECK(m.at(1, 2) == skew::action::ack);
  CHECK(m.at(2, 1) == skew::action::retry);  // build N retries v2: never dropped
  CHECK(m.at(2, 2) == skew::action::ack);
  CHECK_FALSE(m.at(3, 1).has_value());
  MESSAGE(m.to_string());
  CHECK(m.to_string() ==
        "send-email   reads v1         reads v2        \n"
        "writes v1    ok               ok              \n"
        "writes v2    retry            ok              \n");
}

#include <skew/base/error.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

TEST_CASE("error: formats code, path, offset and explanation on one line") {
  skew::error e{skew::errc::missing_field, "/items/3/sku", 57};
  CHECK(fmt::format("{}", e) ==
        "missing_field at /items/3/sku (byte 57): a required field is missing");
}

TEST_CASE("error: root path and unknown offset") {
  skew::error e{skew::errc::malformed_json, "", std::nullopt};
  CHECK(fmt::format("{}", e) == "malformed_json at <root>: the message is not valid JSON");
}

TEST_CASE("errc: every code has a distinct name and description") {
  for (int i = 1; i <= static_cast<int>(skew::errc::reserved_key); ++i) {
    auto code = static_cast<skew::errc>(i);
    CAPTURE(i);
    CHECK(skew::to_string(code) != "unknown");
    CHECK(skew::describe_errc(code) != "unknown error");
    for (int j = 1; j < i; ++j)
      CHECK(skew::to_string(static_cast<skew::errc>(j)) != skew::to_string(code));
  }
  CHECK(fmt::format("{}", skew::errc::duplicate_key) == "duplicate_key");
}

TEST_CASE("internal: error: JSON Pointer segments are escaped per RFC 6901") {
  std::string path = "/x";
  skew::detail::prepend_pointer_segment(path, "a/b~c");
  CHECK(path == "/a~1b~0c/x");
}

TEST_CASE("errc: the last codes have their names, and values outside the enum are unknown") {
  CHECK(skew::to_string(skew::errc::invalid_value) == "invalid_value");
  CHECK(skew::describe_errc(skew::errc::invalid_value) ==
        "the value is not one the member's codec accepts");
  CHECK(static_cast<int>(skew::errc::unsupported_content_mode) == 19);  // values are stable
  CHECK(skew::to_string(skew::errc::unsupported_content_mode) == "unsupported_content_mode");
  CHECK(static_cast<int>(skew::errc::reserved_key) == 20);
  CHECK(skew::to_string(skew::errc::reserved_key) == "reserved_key");
  CHECK(skew::to_string(static_cast<skew::errc>(0)) == "unknown");
  const auto past_last = static_cast<int>(skew::errc::reserved_key) + 1;
  CHECK(skew::to_string(static_cast<skew::errc>(past_last)) == "unknown");
  CHECK(skew::describe_errc(static_cast<skew::errc>(past_last)) == "unknown error");
}

// Hostile input: each case a named test with the exact error it must give. A failed decode never
// presents a partially filled value as success.
#include <skew/skew.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace hostile {
struct Numbers {
  std::int8_t i8 = 0;
  std::uint8_t u8 = 0;
  std::int16_t i16 = 0;
  std::uint16_t u16 = 0;
  std::int32_t i32 = 0;
  std::uint32_t u32 = 0;
  std::int64_t i64 = 0;
  std::uint64_t u64 = 0;
  double d = 0;
};
struct Message {
  std::string to;
  std::optional<skew::raw_json> extra;
};
SKEW_DESCRIBE(Message, to, extra)
}  // namespace hostile

template <>
struct skew::describe<hostile::Numbers> {
  static constexpr auto fields =
      skew::fields(skew::member<&hostile::Numbers::i8>("i8").required(false),
                   skew::member<&hostile::Numbers::u8>("u8").required(false),
                   skew::member<&hostile::Numbers::i16>("i16").required(false),
                   skew::member<&hostile::Numbers::u16>("u16").required(false),
                   skew::member<&hostile::Numbers::i32>("i32").required(false),
                   skew::member<&hostile::Numbers::u32>("u32").required(false),
                   skew::member<&hostile::Numbers::i64>("i64").required(false),
                   skew::member<&hostile::Numbers::u64>("u64").required(false),
                   skew::member<&hostile::Numbers::d>("d").required(false));
};

namespace {
template <class T = hostile::Message>
skew::errc error_of(std::string_view json, const skew::options& opts = {}) {
  skew::decoder d;
  auto r = d.decode<T>(json, opts);
  REQUIRE_MESSAGE(!r.has_value(),
                  "decoded although it must fail: ", std::string(json.substr(0, 80)));
  return r.error().code;
}
template <class T = hostile::Message>
T value_of(std::string_view json, const skew::options& opts = {}) {
  skew::decoder d;
  auto r = d.decode<T>(json, opts);
  REQUIRE_MESSAGE(r.has_value(), "failed: ", std::string(json.substr(0, 80)));
  return *std::move(r);
}
std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}
}  // namespace

TEST_CASE("depth bomb of 100,000 arrays in an unknown key") {
  CHECK(error_of(R"({"to":"x","bomb":)" + nested_arrays(100000) + "}") == skew::errc::too_deep);
}

TEST_CASE("depth bomb of 100,000 arrays in a known key") {
  CHECK(error_of(R"({"to":"x","extra":)" + nested_arrays(100000) + "}") == skew::errc::too_deep);
}

TEST_CASE("a 100 MB string: too_large by default, read in full when the limit allows it") {
  const std::string big = R"({"to":")" + std::string(100u << 20, 'a') + R"("})";
  CHECK(error_of(big) == skew::errc::too_large);
  skew::options roomy;
  roomy.max_bytes = 128u << 20;
  CHECK(value_of(big, roomy).to.size() == (100u << 20));
}

TEST_CASE("integers at and past every bound") {
  using N = hostile::Numbers;
  CHECK(value_of<N>(R"({"i8":127})").i8 == 127);
  CHECK(value_of<N>(R"({"i8":-128})").i8 == -128);
  CHECK(error_of<N>(R"({"i8":128})") == skew::errc::out_of_range);
  CHECK(error_of<N>(R"({"i8":-129})") == skew::errc::out_of_range);
  CHECK(value_of<N>(R"({"u8":255})").u8 == 255);
  CHECK(error_of<N>(R"({"u8":256})") == skew::errc::out_of_range);
  CHECK(error_of<N>(R"({"u8":-1})") == skew::errc::out_of_range);
  CHECK(value_of<N>(R"({"i16":-32768})").i16 == -32768);
  CHECK(value_of<N>(R"({"i16":32767})").i16 == 32767);
  CHECK(error_of<N>(R"({"i16":32768})") == skew::errc::out_of_range);
  CHECK(error_of<N>(R"({"i16":-32769})") == skew::errc::out_of_range);
  CHECK(value_of<N>(R"({"u16":65535})").u16 == 65535);
  CHECK(error_of<N>(R"({"u16":65536})") == skew::errc::out_of_range);
  CHECK(value_of<N>(R"({"i32":-2147483648})").i32 == std::numeric_limits<std::int32_t>::min());
  CHECK(value_of<N>(R"({"i32":2147483647})").i32 == 2147483647);
  CHECK(error_of<N>(R"({"i32":2147483648})") == skew::errc::out_of_range);
  CHECK(error_of<N>(R"({"i32":-2147483649})") == skew::errc::out_of_range);
  CHECK(value_of<N>(R"({"u32":4294967295})").u32 == 4294967295u);
  CHECK(error_of<N>(R"({"u32":4294967296})") == skew::errc::out_of_range);
  CHECK(error_of<N>(R"({"u32":-1})") == skew::errc::out_of_range);
  CHECK(value_of<N>(R"({"i64":-9223372036854775808})").i64 ==
        std::numeric_limits<std::int64_t>::min());
  CHECK(value_of<N>(R"({"i64":9223372036854775807})").i64 ==
        std::numeric_limits<std::int64_t>::max());
  CHECK(error_of<N>(R"({"i64":9223372036854775808})") == skew::errc::out_of_range);
  CHECK(error_of<N>(R"({"i64":-9223372036854775809})") == skew::errc::out_of_range);
  CHECK(value_of<N>(R"({"u64":18446744073709551615})").u64 ==
        std::numeric_limits<std::uint64_t>::max());
  CHECK(error_of<N>(R"({"u64":18446744073709551616})") == skew::errc::out_of_range);
  CHECK(error_of<N>(R"({"u64":123456789012345678901234567890})") == skew::errc::out_of_range);
}

TEST_CASE("-0, 1e309, 1.0 for an integer, and big integers in skipped values") {
  using N = hostile::Numbers;
  CHECK(value_of<N>(R"({"i64":-0})").i64 == 0);
  CHECK(error_of<N>(R"({"u64":-0})") == skew::errc::out_of_range);  // no sign for unsigned
  CHECK(error_of<N>(R"({"d":1e309})") == skew::errc::out_of_range);
  CHECK(value_of<N>(R"({"d":1e-400})").d == 0.0);  // underflow reads as zero
  CHECK(error_of<N>(R"({"i64":1.0})") == skew::errc::wrong_type);
  CHECK(error_of<N>(R"({"i64":1e2})") == skew::errc::wrong_type);
  CHECK(value_of<N>(R"({"skipped":123456789012345678901234567890123456789,"i64":1})").i64 == 1);
  CHECK(value_of<N>(R"({"skipped":-1e99999,"i64":2})").i64 == 2);
  CHECK(error_of<N>(R"({"skipped":01,"i64":2})") == skew::errc::malformed_json);
}

TEST_CASE("duplicate key with one escaped copy") {
  CHECK(error_of(R"({"to":"a","t\u006f":"b"})") == skew::errc::duplicate_key);
}

TEST_CASE("\\u0000 inside keys and values") {
  CHECK(value_of(R"({"to":"a\u0000b"})").to == std::string("a\0b", 3));
  CHECK(value_of(R"({"t\u0000o":"ignored","to":"x"})").to == "x");
}

TEST_CASE("lone and reversed surrogates") {
  CHECK(error_of(R"({"to":"\ud800"})") == skew::errc::invalid_utf8);
  CHECK(error_of(R"({"to":"\udc00"})") == skew::errc::invalid_utf8);
  CHECK(error_of(R"({"to":"\udc00\ud800"})") == skew::errc::invalid_utf8);
  CHECK(error_of(R"({"to":"x","skipped":"\ud800x"})") == skew::errc::invalid_utf8);
  CHECK(value_of(R"({"to":"\ud83d\ude00"})").to == "\xF0\x9F\x98\x80");
}

TEST_CASE("invalid UTF-8 in keys, values and skipped values") {
  CHECK(error_of("{\"t\xff\":\"x\",\"to\":\"y\"}") == skew::errc::invalid_utf8);
  CHECK(error_of("{\"to\":\"\xc3\"}") == skew::errc::invalid_utf8);
  CHECK(error_of("{\"to\":\"x\",\"s\":[\"\xed\xa0\x80\"]}") == skew::errc::invalid_utf8);
}

TEST_CASE("a byte order mark is not JSON text") {
  // RFC 8259 forbids writers to add one; accepting it would hide a broken producer.
  CHECK(error_of("\xEF\xBB\xBF{\"to\":\"x\"}") == skew::errc::malformed_json);
}

TEST_CASE("empty, whitespace-only, scalar and array roots") {
  CHECK(error_of("") == skew::errc::malformed_json);
  CHECK(error_of(" \n\t ") == skew::errc::malformed_json);
  CHECK(error_of("42") == skew::errc::not_an_object);
  CHECK(error_of("\"to\"") == skew::errc::not_an_object);
  CHECK(error_of("[{\"to\":\"x\"}]") == skew::errc::not_an_object);
}

TEST_CASE("every prefix of a valid message is an error, never a success") {
  const std::string valid = R"({"to":"a\"b","extra":{"k":[1,2.5,true,null,"s"]},"n":-1e3})";
  REQUIRE(value_of(valid).to == "a\"b");
  for (std::size_t n = 0; n < valid.size(); ++n) {
    CAPTURE(n);
    skew::decoder d;
    CHECK_FALSE(d.decode<hostile::Message>(std::string_view(valid).substr(0, n)).has_value());
  }
}

TEST_CASE("trailing garbage, a second document, NUL bytes after the closing brace") {
  CHECK(error_of(R"({"to":"x"} x)") == skew::errc::trailing_content);
  CHECK(error_of(R"({"to":"x"}{"to":"y"})") == skew::errc::trailing_content);
  CHECK(error_of(std::string("{\"to\":\"x\"}\0\0", 12)) == skew::errc::trailing_content);
}

TEST_CASE("a key of 1 MB and 100,000 unknown keys are read, linearly") {
  const std::string long_key = R"({")" + std::string(1u << 20, 'k') + R"(":1,"to":"x"})";
  CHECK(value_of(long_key).to == "x");
  std::string many = "{";
  for (int i = 0; i < 100000; ++i)
    many += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  many += R"("to":"y"})";
  CHECK(value_of(many).to == "y");
  std::string dup = "{";
  for (int i = 0; i < 100000; ++i) dup += R"("same":1,)";
  dup += R"("to":"z"})";
  CHECK(value_of(dup).to == "z");  // duplicated unknown keys are tolerated
}

namespace hostile {
struct Mail {
  std::string to;
};
SKEW_DESCRIBE(Mail, to)
}  // namespace hostile
using Mail = skew::message<"mail", hostile::Mail>;

TEST_CASE("envelopes: type as a number or an object; schemaVersion of every wrong kind") {
  skew::router<Mail> router;
  router.on<Mail>([](const hostile::Mail&, const skew::envelope_view&) {});
  struct bad {
    const char* json;
    skew::errc code;
  };
  const bad cases[] = {
      {R"({"type":7,"schemaVersion":1,"to":"x"})", skew::errc::wrong_type},
      {R"({"type":{"name":"mail"},"schemaVersion":1,"to":"x"})", skew::errc::wrong_type},
      {R"({"type":"mail","schemaVersion":"1","to":"x"})", skew::errc::wrong_type},
      {R"({"type":"mail","schemaVersion":1.5,"to":"x"})", skew::errc::wrong_type},
      {R"({"type":"mail","schemaVersion":-1,"to":"x"})", skew::errc::out_of_range},
      {R"({"type":"mail","schemaVersion":0,"to":"x"})", skew::errc::out_of_range},
      {R"({"type":"mail","schemaVersion":9223372036854775808,"to":"x"})", skew::errc::out_of_range},
      {R"({"type":"mail","schemaVersion":4294967296,"to":"x"})", skew::errc::out_of_range},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    const auto o = router.dispatch(c.json);
    CHECK(o.reason == skew::reason::invalid_envelope);
    CHECK(o.action == skew::action::dead_letter);
    REQUIRE(o.error);
    CHECK(o.error->code == c.code);
  }
  CHECK(router.stats().total(skew::reason::handled) == 0);
}

// Numbers, strings and skipped values as the decoder reads them in one pass (json/detail/scan.hpp,
// json/detail/decode_context.hpp, json/detail/skip.hpp): a number token's grammar and value
// together, with the exact fast path checked against strtod; string content unescaped
// and checked together, against simdjson's own unescaping, at every offset around the 16-byte
// steps; skipped values validated in one loop, against simdjson's DOM parser.
#include <doctest/doctest.h>
#include <simdjson.h>
#include <skew/skew.hpp>

#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Number {
  double x = 0;
};
SKEW_DESCRIBE(Number, x)

struct Integers {
  std::int64_t s = 0;
  std::uint64_t u = 0;
};
SKEW_DESCRIBE(Integers, s, u)

struct Text {
  std::string s;
};
SKEW_DESCRIBE(Text, s)

struct Texts {
  std::vector<std::string> s;
};
SKEW_DESCRIBE(Texts, s)

std::string random_number(std::mt19937& random) {
  std::uniform_int_distribution<int> digit(0, 9), count(1, 21), exponent(-340, 340), coin(0, 3);
  std::string t;
  if (coin(random) == 0) t += '-';
  const int whole = count(random);
  t += static_cast<char>('1' + digit(random) % 9);
  for (int k = 1; k < whole; ++k) t += static_cast<char>('0' + digit(random));
  if (coin(random) != 0) {
    t += '.';
    const int fraction = count(random);
    for (int k = 0; k < fraction; ++k) t += static_cast<char>('0' + digit(random));
  }
  if (coin(random) != 0) {
    t += coin(random) == 0 ? 'E' : 'e';
    // Mostly small exponents, where the fast path applies.
    const int e = coin(random) == 0 ? exponent(random) : exponent(random) % 25;
    t += std::to_string(e);
  }
  return t;
}

// A random JSON value, then a few random edits (a byte dropped, doubled or replaced by a
// structural one), so that about half the values are no longer valid.
std::string random_value(std::mt19937& random, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 6 ? 4 : 7), small(0, 4);
  switch (kind(random)) {
    case 0:
      return "12.5e-3";
    case 1:
      return small(random) == 0 ? R"("esc"apedé")" : R"("plain")";
    case 2:
      return small(random) == 0 ? "false" : "null";
    case 3:
      return "-7";
    case 4:
      return "true";
    case 5:
    case 6: {
      std::string out = "[";
      const int n = small(random);
      for (int k = 0; k < n; ++k) out += (k ? "," : "") + random_value(random, depth + 1);
      return out + "]";
    }
    default: {
      std::string out = "{";
      const int n = small(random);
      for (int k = 0; k < n; ++k) {
        out += (k ? "," : "") + std::string(small(random) == 0 ? R"("kA")" : R"("k")") + ":" +
               random_value(random, depth + 1);
      }
      return out + "}";
    }
  }
}

std::string mutate(std::mt19937& random, std::string s) {
  const std::string_view replacements = "{}[]:,\"\\ 0tnx";
  std::uniform_int_distribution<int> edits(0, 2), what(0, 2);
  for (int e = edits(random); e > 0 && !s.empty(); --e) {
    const std::size_t at = std::uniform_int_distribution<std::size_t>(0, s.size() - 1)(random);
    const char r = replacements[std::uniform_int_distribution<std::size_t>(
        0, replacements.size() - 1)(random)];
    switch (what(random)) {
      case 0:
        s.erase(at, 1);
        break;
      case 1:
        s.insert(at, 1, s[at]);
        break;
      default:
        s[at] = r;
    }
  }
  return s;
}

}  // namespace

TEST_CASE("skipped values are valid exactly when simdjson's DOM parser accepts the message") {
  std::mt19937 random(28);
  skew::decoder decoder;
  simdjson::dom::parser dom;
  int valid = 0, invalid = 0;
  for (int n = 0; n < 30000; ++n) {
    const std::string value = mutate(random, random_value(random, 0));
    const std::string json = R"({"s":"x","skipped":)" + value + "}";
    CAPTURE(json);
    simdjson::dom::element root;
    const bool dom_ok = dom.parse(json).get(root) == simdjson::SUCCESS;
    Text t;
    const auto status = decoder.decode_into(t, json);
    CHECK(status.has_value() == dom_ok);
    (dom_ok ? valid : invalid) += 1;
    if (!status && status.error().offset) {
      // A located error comes from the precise walk, after the one valid value ("x", at offset
      // 5): in the skipped value, at the root when an edit broke the object around it, or in a
      // key an edit let out of it. Stage 1's errors (an unclosed string) have no offset.
      CHECK(*status.error().offset > 8);
    }
  }
  CHECK(valid > 5000);
  CHECK(invalid > 5000);
}

// The C library's strtod is the reference: correctly rounded (glibc), independent of both of
// skew's paths, and present where std::from_chars for double is not (libc++ before 20).
TEST_CASE("unvalidated skipping steps over exactly the container, and refuses one left open") {
  std::mt19937 random(29);
  skew::decoder decoder;
  skew::options fast;
  fast.validate_skipped = false;
  for (int n = 0; n < 20000; ++n) {
    const std::string value = random_value(random, 0);
    if (value.find("esc") != std::string::npos) continue;  // that piece is not JSON
    CAPTURE(value);
    // The member after the skipped value is read, so the skip ended right after it.
    Text t;
    REQUIRE(decoder.decode_into(t, R"({"skipped":)" + value + R"(,"s":"after"})", fast));
    CHECK(t.s == "after");
    // Cut before its last closing bracket, the container never closes.
    const std::size_t last_close = value.find_last_of("]}");
    if (last_close == std::string::npos) continue;
    const std::string open = R"({"s":"x","skipped":)" + value.substr(0, last_close);
    const auto cut = decoder.decode_into(t, open, fast);
    REQUIRE_FALSE(cut.has_value());
    CHECK(cut.error().code == skew::errc::malformed_json);
  }
}

TEST_CASE("numbers decode to the double strtod gives, fast path or not") {
  std::mt19937 random(20261207);
  skew::decoder decoder;
  int fast = 0;
  for (int n = 0; n < 50000; ++n) {
    const std::string token = random_number(random);
    char* end = nullptr;
    errno = 0;
    const double want = std::strtod(token.c_str(), &end);
    const bool out_of_range = errno == ERANGE;
    REQUIRE(end == token.data() + token.size());
    Number got;
    const auto status = decoder.decode_into(got, R"({"x":)" + token + "}");
    CAPTURE(token);
    if (out_of_range) {
      // Overflow is out_of_range; underflow reads as zero or the subnormal.
      if (!status) CHECK(status.error().code == skew::errc::out_of_range);
      continue;
    }
    REQUIRE(status.has_value());
    CHECK(std::bit_cast<std::uint64_t>(got.x) == std::bit_cast<std::uint64_t>(want));
    double exact = 0;
    if (skew::detail::exact_double(skew::detail::scan_decimal(token), exact)) ++fast;
  }
  // The generator reaches the fast path often, so both paths were compared.
  CHECK(fast > 5000);
}

TEST_CASE(
    "integers of every length read as std::from_chars reads them, out_of_range past 64 bits") {
  std::mt19937 random(20261207);
  std::uniform_int_distribution<int> digit(0, 9);
  skew::decoder decoder;
  for (int length = 1; length <= 24; ++length) {
    for (int n = 0; n < 200; ++n) {
      std::string digits(1, static_cast<char>('1' + digit(random) % 9));
      for (int k = 1; k < length; ++k) digits += static_cast<char>('0' + digit(random));
      if (n == 0) digits.replace(0, std::string::npos, std::size_t(length), '9');  // all nines
      for (const bool negative : {false, true}) {
        const std::string token = (negative ? "-" : "") + digits;
        CAPTURE(token);
        std::int64_t want_signed = 0;
        const auto signed_read =
            std::from_chars(token.data(), token.data() + token.size(), want_signed);
        Integers got;
        const auto s = decoder.decode_into(got, R"({"u":0,"s":)" + token + "}");
        if (signed_read.ec == std::errc{}) {
          REQUIRE(s.has_value());
          CHECK(got.s == want_signed);
        } else {
          REQUIRE_FALSE(s.has_value());
          CHECK(s.error().code == skew::errc::out_of_range);
        }
        std::uint64_t want_unsigned = 0;
        const auto unsigned_read =
            std::from_chars(digits.data(), digits.data() + digits.size(), want_unsigned);
        const auto u = decoder.decode_into(got, R"({"s":0,"u":)" + token + "}");
        if (!negative && unsigned_read.ec == std::errc{}) {
          REQUIRE(u.has_value());
          CHECK(got.u == want_unsigned);
        } else {
          REQUIRE_FALSE(u.has_value());
          CHECK(u.error().code == skew::errc::out_of_range);
        }
      }
    }
  }
  // Twenty digits around 2^64: the ones that wrap past it must not read as what is left.
  for (const char* edge : {"18446744073709551615", "18446744073709551616", "10000000000000000000",
                           "19999999999999999999", "28446744073709551615", "36893488147419103232",
                           "92233720368547758070"}) {
    CAPTURE(edge);
    std::uint64_t want = 0;
    const auto read = std::from_chars(edge, edge + std::strlen(edge), want);
    Integers got;
    const auto u = decoder.decode_into(got, std::string(R"({"s":0,"u":)") + edge + "}");
    if (read.ec == std::errc{}) {
      REQUIRE(u.has_value());
      CHECK(got.u == want);
    } else {
      REQUIRE_FALSE(u.has_value());
      CHECK(u.error().code == skew::errc::out_of_range);
    }
  }
  // A non-digit among or right after many digits is refused.
  Integers got;
  for (const char* bad : {"1234567a", "12345678a", "1234567890123456x", "12345678.5"}) {
    CAPTURE(bad);
    const auto r = decoder.decode_into(got, std::string(R"({"u":0,"s":)") + bad + "}");
    CHECK_FALSE(r.has_value());
  }
}

TEST_CASE("internal: eight bytes at a time are digits exactly when each byte is one") {
  std::mt19937 random(20261208);
  // Digits, the bytes beside them, and bytes that share their low or high nibble.
  static constexpr char bytes_to_try[] = "0123456789/:?\x20\xb0\xb9\x00\xff\xfa\x7f\x2f";
  const std::string_view alphabet(bytes_to_try, sizeof bytes_to_try - 1);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1), digit(0, 9);
  for (int n = 0; n < 200000; ++n) {
    char bytes[8];
    for (char& c : bytes)
      c = n % 2 == 0 ? alphabet[pick(random)] : static_cast<char>('0' + digit(random));
    if (n % 4 == 1) bytes[digit(random) % 8] = alphabet[10 + pick(random) % (alphabet.size() - 10)];
    const std::string_view text(bytes, 8);
    CAPTURE(text);
    const std::uint64_t w = skew::detail::load_le64(bytes);
    const bool want = std::all_of(text.begin(), text.end(), skew::detail::is_digit);
    REQUIRE(skew::detail::eight_digits(w) == want);
    if (want) {
      std::uint64_t value = 0;
      std::from_chars(bytes, bytes + 8, value);
      CHECK(skew::detail::eight_digits_value(w) == value);
    }
  }
  static_assert(skew::detail::eight_digits_value(skew::detail::load_le64("90817263")) == 90817263);
  static_assert(!skew::detail::eight_digits(skew::detail::load_le64("1234:678")));
}

TEST_CASE("long runs of fraction digits read as strtod reads them") {
  skew::decoder decoder;
  for (const char* token : {"0.000000012345678", "0.1234567890123456789", "0.12345678",
                            "12345678.87654321", "1234567890123456.5", "0.00000000000000000001",
                            "-98765432.123456789e-3", "1.1234567812345678123456781"}) {
    CAPTURE(token);
    Number got;
    REQUIRE(decoder.decode_into(got, std::string(R"({"x":)") + token + "}"));
    CHECK(std::bit_cast<std::uint64_t>(got.x) ==
          std::bit_cast<std::uint64_t>(std::strtod(token, nullptr)));
  }
}

TEST_CASE("internal: number tokens are valid exactly when RFC 8259's grammar matches them") {
  // The grammar of section 6, with the whitespace the structural index leaves after a token.
  const std::regex grammar(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?[ \t\n\r]*)");
  std::mt19937 random(7);
  const std::string_view alphabet = "0123456789-+.eE ";
  std::uniform_int_distribution<std::size_t> letter(0, alphabet.size() - 1), length(0, 12);
  for (int n = 0; n < 100000; ++n) {
    std::string token(length(random), ' ');
    for (char& c : token) c = alphabet[letter(random)];
    CAPTURE(token);
    const bool want = std::regex_match(token, grammar);
    CHECK(skew::detail::scan_decimal(token).valid == want);
    CHECK(skew::detail::classify_number(token).valid == want);
  }
  CHECK(skew::detail::scan_decimal("-0.0e-0").valid);
  CHECK(skew::detail::classify_number("12").integral);
  CHECK_FALSE(skew::detail::classify_number("12e0").integral);
  CHECK_FALSE(skew::detail::scan_decimal("01").valid);
  CHECK_FALSE(skew::detail::scan_decimal("1.").valid);
  CHECK_FALSE(skew::detail::scan_decimal("1e+").valid);
  // The digits, their scale and whether they fit, at compile time as at run time.
  constexpr skew::detail::decimal_number d = skew::detail::scan_decimal("-12.50e3 ");
  static_assert(d.valid && d.negative && !d.integral && d.short_digits);
  static_assert(d.mantissa == 1250 && d.exponent10 == 1);
  static_assert(skew::detail::scan_decimal("0.000123").exponent10 == -6);
  static_assert(skew::detail::scan_decimal("0.000123").mantissa == 123);
  static_assert(skew::detail::scan_decimal("1234567890123456789").short_digits);
  static_assert(!skew::detail::scan_decimal("12345678901234567890").short_digits);
  static_assert(!skew::detail::scan_decimal("1234567890.1234567890").short_digits);
}

TEST_CASE("negative zero and the edges of the fast path") {
  skew::decoder decoder;
  Number n;
  REQUIRE(decoder.decode_into(n, R"({"x":-0.0})"));
  CHECK(std::signbit(n.x));
  REQUIRE(decoder.decode_into(n, R"({"x":9007199254740993})"));  // 2^53 + 1: not exact
  CHECK(n.x == 9007199254740992.0);
  REQUIRE(decoder.decode_into(n, R"({"x":1e23})"));  // 10^23 is not a double
  CHECK(n.x == 1e23);
  REQUIRE(decoder.decode_into(n, R"({"x":4.35e-22})"));
  CHECK(n.x == 4.35e-22);
}

TEST_CASE("strings unescape as simdjson unescapes them, at every offset") {
  std::mt19937 random(11);
  const std::vector<std::string_view> pieces = {"a",
                                                "Z",
                                                " ",
                                                "é",
                                                "日本",
                                                "😀",
                                                R"(\")",
                                                R"(\\)",
                                                R"(\/)",
                                                R"(\b)",
                                                R"(\f)",
                                                R"(\n)",
                                                R"(\r)",
                                                R"(\t)",
                                                R"(\u00e9)",
                                                R"(\u65e5)",
                                                R"(\ud83d\ude00)",
                                                R"(\u0000)",
                                                "abcdefghijklmnop"};
  std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1), count(0, 40);
  skew::decoder decoder;
  simdjson::ondemand::parser parser;
  Text reused;
  Texts reused_array;
  for (int n = 0; n < 20000; ++n) {
    std::string content;
    const std::size_t k = count(random);
    for (std::size_t i = 0; i < k; ++i) content += pieces[piece(random)];
    const std::string json = R"({"s":")" + content + R"("})";
    const simdjson::padded_string padded(json);
    simdjson::ondemand::document doc;
    REQUIRE(parser.iterate(padded).get(doc) == simdjson::SUCCESS);
    std::string_view want;
    REQUIRE(doc["s"].get_string().get(want) == simdjson::SUCCESS);
    Text got;
    CAPTURE(json);
    REQUIRE(decoder.decode_into(got, json));
    CHECK(got.s == want);
    // Into strings that held the previous, longer or shorter, text: escaped content is unescaped
    // in place there, as a member and as an array's element.
    REQUIRE(decoder.decode_into(reused, json));
    CHECK(reused.s == want);
    REQUIRE(decoder.decode_into(reused_array, R"({"s":[")" + content + R"(","x"]})"));
    REQUIRE(reused_array.s.size() == 2);
    CHECK(reused_array.s[0] == want);
    CHECK(reused_array.s[1] == "x");
  }
}

// simdjson's reading of a string member: its content, or nothing when simdjson refuses it.
static std::optional<std::string> simdjson_string(simdjson::ondemand::parser& parser,
                                                  const std::string& json) {
  const simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  std::string_view s;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return std::nullopt;
  if (doc["s"].get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return std::string(s);
}

TEST_CASE("every byte after a backslash, and in each digit of a \\u escape, reads as simdjson's") {
  skew::decoder decoder;
  simdjson::ondemand::parser parser;
  Text t;
  int accepted_escapes = 0, accepted_digits = 0;
  for (int b = 1; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const std::string json = std::string(R"({"s":"x\)") + c + R"(y"})";
    CAPTURE(b);
    const std::optional<std::string> want = simdjson_string(parser, json);
    const auto got = decoder.decode_into(t, json);
    CHECK(bool(got) == want.has_value());
    if (got && want) {
      CHECK(t.s == *want);
      ++accepted_escapes;
    }
    for (int at = 0; at < 4; ++at) {
      std::string digits = "00e9";
      digits[static_cast<std::size_t>(at)] = c;
      const std::string escaped = R"({"s":"\u)" + digits + R"("})";
      CAPTURE(escaped);
      const auto read = decoder.decode_into(t, escaped);
      const std::optional<std::string> expected = simdjson_string(parser, escaped);
      CHECK(bool(read) == expected.has_value());
      if (read && expected) {
        CHECK(t.s == *expected);
        ++accepted_digits;
      }
    }
  }
  CHECK(accepted_escapes == 8);      // " \\ / b f n r t
  CHECK(accepted_digits == 4 * 22);  // 0-9 a-f A-F at each digit (?0e9 is never a surrogate)
}

TEST_CASE("bad escapes: malformed_json, lone surrogates invalid_utf8, each at its string") {
  skew::decoder decoder;
  Text t;
  const auto code = [&](std::string_view json) {
    return decoder.decode_into(t, json).error().code;
  };
  CHECK(code(R"({"s":"abc\x"})") == skew::errc::malformed_json);
  CHECK(code(R"({"s":"abc\u12g4"})") == skew::errc::malformed_json);
  CHECK(code(R"({"s":"0123456789abcdef\ud800"})") == skew::errc::invalid_utf8);
  CHECK(code(R"({"s":"\udc00 tail"})") == skew::errc::invalid_utf8);
  CHECK(code(R"({"s":"\ud800\u0041"})") == skew::errc::invalid_utf8);
  CHECK(code(R"({"s":"\ud800\uzzzz"})") == skew::errc::malformed_json);
  const auto status = decoder.decode_into(t, R"({"s":"0123456789abcdef0123\q"})");
  REQUIRE_FALSE(status);
  CHECK(status.error().path == "/s");
  CHECK(status.error().offset == std::optional<std::size_t>(5));
}

namespace scan_test {
struct Note {
  std::string text;
};
SKEW_DESCRIBE(Note, text)
}  // namespace scan_test

TEST_CASE("a message without a backslash does not make the next one's escapes plain") {
  using NoteFamily = skew::message<"note", scan_test::Note>;
  skew::router<NoteFamily> router;
  std::string seen;
  router.on<NoteFamily>(
      [&](const scan_test::Note& n, const skew::envelope_view&) { seen = n.text; });
  skew::decoder decoder;
  Text t;
  for (int round = 0; round < 3; ++round) {
    REQUIRE(router.dispatch(R"({"type":"note","schemaVersion":1,"text":"plain"})").action ==
            skew::action::ack);
    CHECK(seen == "plain");
    REQUIRE(router.dispatch(R"({"type":"note","schemaVersion":1,"text":"a\"b\u00e9"})").action ==
            skew::action::ack);
    CHECK(seen == "a\"b\xc3\xa9");
    REQUIRE(decoder.decode_into(t, R"({"s":"plain","skipped":["x"]})"));
    CHECK(t.s == "plain");
    REQUIRE(decoder.decode_into(t, R"({"s":"tab\there","skipped":["\q"]})").error().code ==
            skew::errc::malformed_json);
    REQUIRE(decoder.decode_into(t, R"({"s":"tab\there"})"));
    CHECK(t.s == "tab\there");
  }
}

// skew's stage 1 (json/detail/structural_index.hpp) against a byte-at-a-time reference of the same
// definition: the same positions and the same error for every JSONTestSuite file, every webhook
// payload, hand-picked block-boundary cases and random inputs.
#include <skew/json/detail/input_error.hpp>
#include <skew/json/detail/structural_index.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include "corpus.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

// Built a second time with SKEW_NO_SSE2 (test_structural_index_scalar), for the portable path.
#if defined(SKEW_NO_SSE2) && defined(SKEW_USE_SSE2)
#error "SKEW_NO_SSE2 must leave the SSE2 code out"
#endif

namespace {

struct indexed {
  skew::detail::stage1_status error = skew::detail::stage1::success;
  std::vector<std::uint32_t> positions;
};

// The definition, one byte at a time: an operator outside a string, or the first byte of a run
// of bytes that are neither operators nor whitespace (an opening quote counts; a closing quote
// ends a run); nothing inside a string or at its closing quote.
indexed reference(std::string_view s) {
  indexed out;
  bool escape_next = false;
  bool in_string = false;
  bool previous_unquoted_scalar = false;
  bool control_in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const bool escaped = escape_next;
    escape_next = b == '\\' && !escaped;
    const bool quote = b == '"' && !escaped;
    const bool was_in_string = in_string;
    if (quote) in_string = !in_string;
    const bool string_tail = was_in_string;  // inside, or the closing quote
    const bool op = b == '{' || b == '}' || b == '[' || b == ']' || b == ':' || b == ',';
    const bool whitespace = b == ' ' || b == '\t' || b == '\n' || b == '\r';
    const bool scalar = !op && !whitespace;
    if (!string_tail && (op || (scalar && !previous_unquoted_scalar))) {
      out.positions.push_back(static_cast<std::uint32_t>(i));
    }
    if (b < 0x20 && (in_string || was_in_string)) control_in_string = true;
    previous_unquoted_scalar = scalar && !quote;
  }
  if (in_string) {
    out.error = skew::detail::stage1::unclosed_string;
  } else if (control_in_string) {
    out.error = skew::detail::stage1::unescaped_chars;
  } else if (out.positions.empty()) {
    out.error = skew::detail::stage1::empty;
  } else if (skew::detail::first_invalid_utf8(s) != s.size()) {
    out.error = skew::detail::stage1::utf8_error;
  }
  if (out.error != skew::detail::stage1::success && out.error != skew::detail::stage1::utf8_error)
    out.positions.clear();
  return out;
}

indexed index_of(skew::detail::structural_index& index, std::string_view s,
                 skew::detail::stage1_kernel kernel = skew::detail::stage1_kernel::best) {
  const simdjson::padded_string padded(s);
  indexed out;
  out.error = index.build(padded.data(), s.size(), kernel);
  if (out.error == skew::detail::stage1::success || out.error == skew::detail::stage1::utf8_error) {
    out.positions.assign(index.positions(), index.positions() + index.count());
  }
  return out;
}

// Every kernel the processor runs: the portable one (SSE2, or scalar in the SKEW_NO_SSE2 build
// of this test), AVX2, and AVX-512 (the best where the processor has it).
std::vector<skew::detail::stage1_kernel> kernels() {
  std::vector<skew::detail::stage1_kernel> out{skew::detail::stage1_kernel::portable};
  if (skew::detail::avx2_kernel_available()) out.push_back(skew::detail::stage1_kernel::avx2);
#if defined(SKEW_AVX512_KERNEL)
  if (skew::detail::avx512_kernel_available()) out.push_back(skew::detail::stage1_kernel::best);
#endif
  return out;
}

void check_same(skew::detail::structural_index& index, std::string_view s) {
  const indexed want = reference(s);
  for (const auto kernel : kernels()) {
    const indexed got = index_of(index, s, kernel);
    CAPTURE(s);
    CAPTURE(static_cast<int>(kernel));
    CHECK(got.error == want.error);
    CHECK(got.positions == want.positions);
  }
}

}  // namespace

TEST_CASE("internal: structural positions of small documents") {
  skew::detail::structural_index index;
  const auto at = [&](std::string_view s) { return index_of(index, s).positions; };
  using p = std::vector<std::uint32_t>;
  CHECK(at(R"({"a":1,"b":[true,null]})") == p{0, 1, 4, 5, 6, 7, 10, 11, 12, 16, 17, 21, 22});
  CHECK(at(R"( "x\"y" )") == p{1});
  CHECK(at(R"(["\\",1])") == p{0, 1, 5, 6, 7});
  CHECK(at("12 34") == p{0, 3});
  CHECK(at(R"(a"b")") == p{0});  // a quote after a scalar byte does not open a token
}

namespace {
// simdjson's code for the stage 1 failure skew reports, and what simdjson's DOM parser says of
// the same text.
simdjson::error_code as_simdjson(skew::detail::stage1_status e) {
  switch (e) {
    case skew::detail::stage1::success:
      return simdjson::SUCCESS;
    case skew::detail::stage1::too_long:
      return simdjson::CAPACITY;
    case skew::detail::stage1::unclosed_string:
      return simdjson::UNCLOSED_STRING;
    case skew::detail::stage1::unescaped_chars:
      return simdjson::UNESCAPED_CHARS;
    case skew::detail::stage1::empty:
      return simdjson::EMPTY;
    case skew::detail::stage1::utf8_error:
      return simdjson::UTF8_ERROR;
  }
  return simdjson::UNINITIALIZED;
}
simdjson::error_code simdjson_verdict(std::string_view s) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  return parser.parse(s.data(), s.size()).get(root);
}
}  // namespace

TEST_CASE("internal: stage 1 errors, in simdjson's order") {
  skew::detail::structural_index index;
  const std::string_view failing[] = {
      R"(["abc)", "[\"a\tb\"]",     "[\"a\t\xff", " \n\t ",
      "",         "[\"\xc3\x28\"]", "[\"\xff\"]", "[\"a\x01\xff\"]"};
  const skew::detail::stage1_status expected[] = {
      skew::detail::stage1::unclosed_string, skew::detail::stage1::unescaped_chars,
      skew::detail::stage1::unclosed_string, skew::detail::stage1::empty,
      skew::detail::stage1::empty,           skew::detail::stage1::utf8_error,
      skew::detail::stage1::utf8_error,      skew::detail::stage1::unescaped_chars};
  for (std::size_t i = 0; i < std::size(failing); ++i) {
    CAPTURE(i);
    const skew::detail::stage1_status got = index_of(index, failing[i]).error;
    CHECK(got == expected[i]);
    CHECK(as_simdjson(got) == simdjson_verdict(failing[i]));
  }
  CHECK(index_of(index, "[\"\xc3\xa9\"]").error == skew::detail::stage1::success);
  // Outside a string a control byte is a token: stage 1 passes it, the reader rejects it.
  CHECK(index_of(index, "[1,\x01]").error == skew::detail::stage1::success);
}

TEST_CASE("internal: escapes, strings and scalars across 64-byte blocks agree with the reference") {
  skew::detail::structural_index index;
  for (std::size_t pad = 0; pad < 70; ++pad) {
    const std::string lead(pad, ' ');
    for (const char* tail : {R"("\\\"",1])", R"("\\\\" , true ])", R"("ab\"cd",{"k":-1.5e3}])",
                             R"(nul,"\u00e9\\"])", "\"\\\\\\\\\\\"\"]"}) {
      check_same(index, lead + "[" + tail);
      check_same(index, "[" + lead + tail);
      check_same(index, "[\"" + lead + "\"," + tail);
    }
  }
}

TEST_CASE("internal: blocks with every count of positions agree with the reference") {
  // The AVX-512 kernel writes sixteen positions at a time, the others eight: 0 to 64 per block.
  skew::detail::structural_index index;
  for (std::size_t count = 0; count <= 64; ++count) {
    std::string brackets(count, '[');
    brackets.resize(64, ' ');
    check_same(index, brackets + brackets + "1");
    std::string scalars;  // "1,1,..." then one string: every other byte starts a token
    for (std::size_t i = 0; i < count; ++i) scalars += i % 2 == 0 ? '1' : ',';
    scalars += "\"";
    scalars.resize(127, 'x');
    check_same(index, scalars + "\"");
  }
}

TEST_CASE("internal: the bytes of the padding past the end are never read as input") {
  // The last, partial block is loaded whole, padding included, and its bytes past the end are
  // replaced by spaces: padding full of quotes, backslashes and brackets changes nothing.
  const std::string text = R"({"key":"value","list":[1,true,null,"a\"b"],"n":-1.5e3})";
  skew::detail::structural_index index;
  for (std::size_t length = 1; length <= text.size(); ++length) {
    const std::string_view prefix(text.data(), length);
    const indexed want = reference(prefix);
    std::string buffer(prefix);
    for (std::size_t i = 0; i < skew::detail::input_padding; ++i) buffer += "\"\\{[,:1x"[i % 8];
    for (const auto kernel : kernels()) {
      CAPTURE(length);
      CAPTURE(static_cast<int>(kernel));
      const skew::detail::stage1_status error = index.build(buffer.data(), length, kernel);
      CHECK(error == want.error);
      if (error == skew::detail::stage1::success) {
        CHECK(std::vector<std::uint32_t>(index.positions(), index.positions() + index.count()) ==
              want.positions);
      }
    }
  }
}

TEST_CASE("internal: random inputs agree with the reference") {
  skew::detail::structural_index index;
  std::mt19937 random(20261205);
  // Two backslashes for runs of them; 0x0c and 0x1a share a low nibble with ',' and ':'.
  const std::string_view alphabet = "{}[]:,\"\\\\ \t\nabt0-1.e\x01\x0c\x1a\xc3\xa9\xff";
  std::uniform_int_distribution<std::size_t> letter(0, alphabet.size() - 1);
  std::uniform_int_distribution<std::size_t> length(0, 300);
  for (int n = 0; n < 20000; ++n) {
    std::string s(length(random), ' ');
    for (char& c : s) c = alphabet[letter(random)];
    check_same(index, s);
  }
}

TEST_CASE("internal: JSONTestSuite and the webhook corpus agree with the reference") {
  const auto suite = skew_test::corpus_or_skip("JSONTestSuite/test_parsing");
  skew::detail::structural_index index;
  int files = 0;
  for (const auto& path : skew_test::files_in(suite)) {
    check_same(index, skew_test::read_file(path));
    ++files;
  }
  for (const auto& path : skew_test::files_in(skew_test::corpus_or_skip("webhooks"))) {
    check_same(index, skew_test::read_file(path));
    ++files;
  }
  CHECK(files > 500);
}

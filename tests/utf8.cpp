// skew's UTF-8 validation (json/detail/utf8.hpp: the AVX-512 and AVX2 kernels where the processor
// has them, and the portable first_invalid_utf8) against simdjson's validate_utf8 and against a
// reference written from RFC 3629's definition (decode, then reject overlong forms, surrogates and
// values above U+10FFFF): the same verdict and the same first invalid offset for the classic
// ill-formed sequences at every position across the eight-byte ASCII skip and the 32- and 64-byte
// blocks, and for random text.
#include <skew/json/detail/utf8.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

// The offset of the first byte that does not start a well-formed sequence, by decoding.
std::size_t reference_first_invalid(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned lead = p[i];
    std::size_t length = 0;
    std::uint32_t value = 0;
    if (lead < 0x80) {
      length = 1;
      value = lead;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2;
      value = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      value = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      value = lead & 0x07;
    } else {
      return i;  // a continuation byte, or 0xf8..0xff
    }
    if (length > s.size() - i) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return i;
      value = (value << 6) | (p[i + k] & 0x3f);
    }
    const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (value < smallest[length]) return i;            // overlong
    if (value >= 0xd800 && value <= 0xdfff) return i;  // a surrogate
    if (value > 0x10ffff) return i;                    // beyond Unicode
    i += length;
  }
  return s.size();
}

// Every kernel valid_utf8 can run here: best (AVX-512 where the processor has it), at most AVX2,
// and the portable one.
constexpr skew::detail::stage1_kernel all_kernels[] = {skew::detail::stage1_kernel::best,
                                                       skew::detail::stage1_kernel::avx2,
                                                       skew::detail::stage1_kernel::portable};

void check(std::string_view s) {
  const std::size_t want = reference_first_invalid(s);
  CHECK(skew::detail::first_invalid_utf8(s) == want);
  for (const auto kernel : all_kernels) {
    CAPTURE(static_cast<int>(kernel));
    CHECK(skew::detail::valid_utf8(s.data(), s.size(), kernel) == (want == s.size()));
  }
  CHECK(simdjson::validate_utf8(s.data(), s.size()) == (want == s.size()));
}

std::string encode(std::uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return out;
}

const std::vector<std::string>& ill_formed() {
  static const std::vector<std::string> cases = {"\x80",
                                                 "\xbf",
                                                 "\xc0\x80",
                                                 "\xc1\xbf",
                                                 "\xc2",
                                                 "\xc2\x41",
                                                 "\xc2\xc2\x80",
                                                 "\xe0\x80\x80",
                                                 "\xe0\x9f\xbf",
                                                 "\xe0\xa0",
                                                 "\xed\xa0\x80",
                                                 "\xed\xbf\xbf",
                                                 "\xef\xbf",
                                                 "\xf0\x80\x80\x80",
                                                 "\xf0\x8f\xbf\xbf",
                                                 "\xf0\x90\x80",
                                                 "\xf4\x90\x80\x80",
                                                 "\xf5\x80\x80\x80",
                                                 "\xf8\x88\x80\x80\x80",
                                                 "\xfe",
                                                 "\xff",
                                                 "\xe1\x80\x41",
                                                 "\xf1\x80\x80\x41"};
  return cases;
}

const std::vector<std::string>& well_formed() {
  static const std::vector<std::string> cases = {
      "\xc2\x80",     "\xdf\xbf",     "\xe0\xa0\x80",     "\xed\x9f\xbf",
      "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
      "\xc3\xa9",     "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
  return cases;
}

}  // namespace

TEST_CASE("well-formed sequences pass at every offset across the ASCII skip and the blocks") {
  for (const std::string& seq : well_formed()) {
    for (std::size_t before = 0; before <= 134; ++before) {
      for (std::size_t after : {0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65}) {
        const std::string s = std::string(before, 'a') + seq + std::string(after, 'b');
        CAPTURE(before);
        CAPTURE(after);
        CHECK(skew::detail::first_invalid_utf8(s) == s.size());
        check(s);
      }
    }
  }
}

TEST_CASE("ill-formed sequences are found at their first byte, wherever they stand") {
  for (const std::string& seq : ill_formed()) {
    for (std::size_t before = 0; before <= 134; ++before) {
      for (std::size_t after : {0, 1, 8, 29, 32, 61, 64}) {
        const std::string s = std::string(before, 'a') + seq + std::string(after, 'b');
        CAPTURE(before);
        CAPTURE(after);
        CHECK(skew::detail::first_invalid_utf8(s) == before);
        check(s);
      }
    }
  }
}

TEST_CASE("every code point encodes to text that passes; every lead byte alone is judged") {
  for (std::uint32_t cp = 0; cp <= 0x10ffff; cp += (cp < 0x1000 ? 1 : 97)) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const std::string s = "x" + encode(cp) + "y";
    if (skew::detail::first_invalid_utf8(s) != s.size()) {
      FAIL_CHECK("U+", cp, " rejected");
    }
  }
  for (unsigned lead = 0x80; lead <= 0xff; ++lead) {
    for (unsigned next : {0x41u, 0x80u, 0x8fu, 0x90u, 0x9fu, 0xa0u, 0xbfu, 0xc0u}) {
      const std::string s{'"',
                          static_cast<char>(lead),
                          static_cast<char>(next),
                          static_cast<char>(0x80),
                          static_cast<char>(0x80),
                          '"'};
      check(s);
    }
  }
}

TEST_CASE("random text: the same verdict as simdjson and the reference's offset") {
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<int> piece(0, 9);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::uint32_t> code_point(0x80, 0x10ffff);
  std::size_t rejected = 0;
  for (int round = 0; round < 30000; ++round) {
    std::string s;
    const int pieces = 1 + round % 12;
    for (int k = 0; k < pieces; ++k) {
      switch (piece(rng)) {
        case 0:
          s += static_cast<char>(byte(rng));  // any byte: usually breaks the text
          break;
        case 1:
        case 2:
        case 3: {
          std::uint32_t cp = code_point(rng);
          if (cp >= 0xd800 && cp <= 0xdfff) cp += 0x800;
          s += encode(cp);
          break;
        }
        default:
          s.append(static_cast<std::size_t>(byte(rng) % 40), static_cast<char>('a' + k));
      }
    }
    if (round % 3 == 0 && !s.empty()) s.pop_back();  // cuts a sequence short now and then
    const std::size_t want = reference_first_invalid(s);
    if (want != s.size()) ++rejected;
    CAPTURE(s);
    REQUIRE(skew::detail::first_invalid_utf8(s) == want);
    REQUIRE(simdjson::validate_utf8(s.data(), s.size()) == (want == s.size()));
    for (const auto kernel : all_kernels) {
      CAPTURE(static_cast<int>(kernel));
      REQUIRE(skew::detail::valid_utf8(s.data(), s.size(), kernel) == (want == s.size()));
    }
  }
  // Both kinds of text were drawn.
  CHECK(rejected > 3000);
  CHECK(rejected < 27000);
}

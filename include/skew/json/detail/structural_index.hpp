// The input as the reader walks it: skew's own stage 1 (the position of every structural
// character and of the first byte of every scalar and string, found 64 bytes at a time) and a
// view of the input with those positions, and what stage 1 reports.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/errc.hpp>
#include <skew/json/detail/padded_input.hpp>
#include <skew/json/detail/scan.hpp>
#include <skew/json/detail/simd.hpp>
#include <skew/json/detail/simd_avx512.hpp>
#include <skew/json/detail/utf8.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace skew::detail {

// What stage 1 reports: zero for success, so `if (auto e = ...)` tests for a failure.
namespace stage1 {
enum status : std::uint8_t {
  success,
  too_long,         // longer than structural_index::max_length (or the caller's limit)
  unclosed_string,  // a string runs to the end of the input
  unescaped_chars,  // a raw control character in a string
  empty,            // no token at all
  utf8_error,       // not UTF-8
};
}  // namespace stage1
using stage1_status = stage1::status;

// Invalid UTF-8, an input too long for the index, and otherwise text that is not JSON.
constexpr errc map_stage1_error(stage1_status e) noexcept {
  switch (e) {
    case stage1::utf8_error:
      return errc::invalid_utf8;
    case stage1::too_long:
      return errc::too_large;
    default:
      return errc::malformed_json;
  }
}

// Set bits of x. std::popcount is a library call where the target has no popcnt instruction
// (x86-64 without -mpopcnt), which costs more than this.
constexpr std::uint32_t count_bits(std::uint64_t x) noexcept {
#if defined(__POPCNT__) || !defined(__x86_64__)
  return static_cast<std::uint32_t>(std::popcount(x));
#else
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<std::uint32_t>((x * 0x0101010101010101ULL) >> 56);
#endif
}

// Finds the structural positions of a whole input, block by block, carrying across blocks whether
// the last byte escaped the next one, ended inside a string, or was inside a scalar.
class structural_indexer {
 public:
  explicit structural_indexer(std::uint32_t* out) noexcept : out_(out) {}

  // What the blocks so far came to.
  struct summary {
    std::uint32_t count;     // positions written
    bool unclosed_string;    // the last block ended inside a string
    bool control_in_string;  // a raw control character in a string
    bool non_ascii;          // a byte from 0x80
    bool backslash;          // a backslash anywhere
  };
  summary summarize() const noexcept {
    return {count_, in_string_ != 0, control_in_string_ != 0, non_ascii_ != 0, backslash_ != 0};
  }

  SKEW_ALWAYS_INLINE inline void block(const char* p, std::uint32_t base) noexcept {
    const block_classes c = classify_block(p);
    const std::uint64_t quote = c.quote & ~escaped_bytes(c.backslash);
    const std::uint64_t bits = positions(c, quote, prefix_xor(quote));
    write(bits, count_bits(bits), base);
  }
#if defined(SKEW_AVX2_KERNEL)
  // The builtin is the popcnt instruction here, whatever -march says (count_bits follows -march).
  SKEW_TARGET_AVX2 SKEW_ALWAYS_INLINE inline void block_avx2(const char* p,
                                                             std::uint32_t base) noexcept {
    const block_classes c = classify_block_avx2(p);
    const std::uint64_t quote = c.quote & ~escaped_bytes(c.backslash);
    const std::uint64_t bits = positions(c, quote, prefix_xor_clmul(quote));
    write(bits, static_cast<std::uint32_t>(__builtin_popcountll(bits)), base);
  }
#endif
#if defined(SKEW_AVX512_KERNEL)
  SKEW_TARGET_AVX512 SKEW_ALWAYS_INLINE inline void block_avx512(const char* p,
                                                                 std::uint32_t base) noexcept {
    const block_classes c = classify_block_avx512(p);
    const std::uint64_t quote = c.quote & ~escaped_bytes(c.backslash);
    const std::uint64_t bits = positions(c, quote, prefix_xor_clmul(quote));
    const auto n = static_cast<std::uint32_t>(__builtin_popcountll(bits));
    write_positions_avx512(out_ + count_, bits, n, base);
    count_ += n;
  }
#endif

 private:
  // The positions of one classified block: `quote` are its unescaped quotes, `quote_prefix` their
  // prefix xor.
  SKEW_ALWAYS_INLINE inline std::uint64_t positions(const block_classes& c, std::uint64_t quote,
                                                    std::uint64_t quote_prefix) noexcept {
    const std::uint64_t in_string = quote_prefix ^ in_string_;
    in_string_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(in_string) >> 63);
    control_in_string_ |= c.control & in_string;
    non_ascii_ |= c.non_ascii;
    backslash_ |= c.backslash;
    // A scalar starts at a byte that is neither an operator nor whitespace and does not follow
    // another such byte (a closing quote counts as the end of one); string contents and closing
    // quotes never start anything.
    const std::uint64_t scalar = ~(c.op | c.whitespace);
    const std::uint64_t unquoted_scalar = scalar & ~quote;
    const std::uint64_t follows_scalar = (unquoted_scalar << 1) | scalar_carry_;
    scalar_carry_ = unquoted_scalar >> 63;
    const std::uint64_t string_tail = in_string ^ quote;
    return (c.op | (scalar & ~follows_scalar)) & ~string_tail;
  }

  // The non-backslash bytes escaped by a backslash: those right after a run of backslashes of odd
  // length (escaped backslashes themselves are left out: only quotes are asked about). Adding a
  // run's first bit to the run carries to the byte after it; the run is odd when that byte's
  // parity differs from its first's. A run that starts at an odd position and reaches the end of
  // the block carries into the next. Most blocks hold no backslash and follow none: for them the
  // answer is none, and the branch also cuts the carry's dependency from block to block, which
  // otherwise holds every block's quote mask back until the previous block's sum is known.
  std::uint64_t escaped_bytes(std::uint64_t backslash) noexcept {
    if ((backslash | escape_carry_) == 0) return 0;
    constexpr std::uint64_t even = 0x5555555555555555ULL;
    const std::uint64_t runs = backslash & ~escape_carry_;
    const std::uint64_t starts = runs & ~(runs << 1);
    const std::uint64_t after_even_starts = (runs + (starts & even)) & ~runs;
    const std::uint64_t odd_sum = runs + (starts & ~even);
    const std::uint64_t after_odd_starts = odd_sum & ~runs;
    const std::uint64_t escaped =
        (after_even_starts & ~even) | (after_odd_starts & even) | escape_carry_;
    escape_carry_ = odd_sum < runs ? 1 : 0;
    return escaped;
  }

  // Writes the positions of the `n` set bits, eight at a time without a branch per bit: past the
  // last one it writes junk that the next block overwrites (the output has a block of slack).
  // The count is a local: stores through out_ could alias a member.
  SKEW_ALWAYS_INLINE inline void write(std::uint64_t bits, std::uint32_t n,
                                       std::uint32_t base) noexcept {
    std::uint32_t* out = out_ + count_;
    for (std::uint32_t written = 0; written < n; written += 8) {
#if defined(__clang__)
#pragma clang loop unroll(full)
#elif defined(__GNUC__)
#pragma GCC unroll 8
#endif
      for (std::uint32_t k = 0; k < 8; ++k) {
        out[written + k] = base + static_cast<std::uint32_t>(std::countr_zero(bits));
        bits &= bits - 1;
      }
    }
    count_ += n;
  }

  std::uint32_t* out_;
  std::uint32_t count_ = 0;
  std::uint64_t escape_carry_ = 0;
  std::uint64_t in_string_ = 0;
  std::uint64_t scalar_carry_ = 0;
  std::uint64_t control_in_string_ = 0;
  std::uint64_t non_ascii_ = 0;
  std::uint64_t backslash_ = 0;
};

// The bytes after the last whole block, padded with spaces to a block.
struct tail_block {
  char bytes[64];
  tail_block(const char* json, std::size_t whole, std::size_t length) noexcept {
    std::memset(bytes, ' ', sizeof bytes);
    std::memcpy(bytes, json + whole, length - whole);
  }
};

// Indexes [json, json + length) into `out` with the portable kernel.
inline structural_indexer::summary portable_index(std::uint32_t* out, const char* json,
                                                  std::size_t length) noexcept {
  structural_indexer indexer(out);
  const std::size_t whole = length - length % 64;
  for (std::size_t at = 0; at < whole; at += 64) {
    indexer.block(json + at, static_cast<std::uint32_t>(at));
  }
  if (whole < length) {
    indexer.block(tail_block(json, whole, length).bytes, static_cast<std::uint32_t>(whole));
  }
  return indexer.summarize();
}

// The same with the AVX2 and the AVX-512 kernels. The indexer is a local whose address never
// escapes, so its state stays in registers; the summary comes back in registers too.
#if defined(SKEW_AVX2_KERNEL)
SKEW_TARGET_AVX2 SKEW_NOINLINE inline structural_indexer::summary avx2_index(
    std::uint32_t* out, const char* json, std::size_t length) noexcept {
  structural_indexer indexer(out);
  const std::size_t whole = length - length % 64;
  for (std::size_t at = 0; at < whole; at += 64) {
    indexer.block_avx2(json + at, static_cast<std::uint32_t>(at));
  }
  if (whole < length) {
    char tail[64];
    space_padded_block_avx2(json + whole, length - whole, tail);
    indexer.block_avx2(tail, static_cast<std::uint32_t>(whole));
  }
  return indexer.summarize();
}
#endif

#if defined(SKEW_AVX512_KERNEL)
SKEW_TARGET_AVX512 SKEW_NOINLINE inline structural_indexer::summary avx512_index(
    std::uint32_t* out, const char* json, std::size_t length) noexcept {
  structural_indexer indexer(out);
  const std::size_t whole = length - length % 64;
  for (std::size_t at = 0; at < whole; at += 64) {
    indexer.block_avx512(json + at, static_cast<std::uint32_t>(at));
  }
  if (whole < length) {
    char tail[64];
    space_padded_block_avx2(json + whole, length - whole, tail);
    indexer.block_avx512(tail, static_cast<std::uint32_t>(whole));
  }
  return indexer.summarize();
}
#endif

// Indexes [json, json + length) into `out` with the best kernel the processor has, up to the one
// the caller asks for.
inline structural_indexer::summary index_with(stage1_kernel kernel, std::uint32_t* out,
                                              const char* json, std::size_t length) noexcept {
#if defined(SKEW_AVX512_KERNEL)
  if (kernel == stage1_kernel::best && avx512_kernel_available()) {
    return avx512_index(out, json, length);
  }
#endif
#if defined(SKEW_AVX2_KERNEL)
  if (kernel != stage1_kernel::portable && avx2_kernel_available()) {
    return avx2_index(out, json, length);
  }
#endif
  (void)kernel;
  return portable_index(out, json, length);
}

// The structural positions of one input and the buffer that unescaped strings are written to.
// One per decoder: both are reused from message to message.
class structural_index {
 public:
  // The largest input: positions are 32-bit offsets.
  static constexpr std::size_t max_length = 0xffffffffu - 64;

  // Indexes `length` bytes at `json`, which has input_padding readable bytes past them (every
  // caller's input is padded: the last block is loaded whole). The errors and their order are those
  // of the JSON library tests/structural_index.cpp compares with (both report the same for the same
  // text): an unclosed string, a raw control character in a string, no token at all, invalid UTF-8.
  stage1_status build(const char* json, std::size_t length,
                      stage1_kernel kernel = stage1_kernel::best) {
    if (length > max_length) return stage1::too_long;
    if (length > capacity_ || !positions_) {
      // Grow geometrically so a stream of slowly growing messages does not reallocate each time.
      std::size_t capacity = capacity_ == 0 ? 4096 : capacity_;
      while (capacity < length) capacity *= 2;
      // Every byte may be a structural position (`[[[[`); one more block for the tail.
      positions_ = std::make_unique<std::uint32_t[]>(capacity + 64);
      // Unescaping never lengthens a string, and writes at most 15 bytes past one (16-byte copies);
      // a dispatch may walk the message twice.
      strings_ = std::make_unique<char[]>(2 * capacity + 2 * input_padding);
      capacity_ = capacity;
    }
    const structural_indexer::summary found = index_with(kernel, positions_.get(), json, length);
    count_ = found.count;
    has_backslash_ = found.backslash;
    if (found.unclosed_string) return stage1::unclosed_string;
    if (found.control_in_string) return stage1::unescaped_chars;
    if (count_ == 0) return stage1::empty;
    if (found.non_ascii && !valid_utf8(json, length, kernel)) {
      return stage1::utf8_error;
    }
    return stage1::success;
  }

  const std::uint32_t* positions() const noexcept { return positions_.get(); }
  std::uint32_t count() const noexcept { return count_; }
  char* strings() const noexcept { return strings_.get(); }
  // Whether the input holds a backslash anywhere: without one, no string needs unescaping.
  bool has_backslash() const noexcept { return has_backslash_; }

 private:
  std::unique_ptr<std::uint32_t[]> positions_;
  std::unique_ptr<char[]> strings_;
  std::size_t capacity_ = 0;
  std::uint32_t count_ = 0;
  bool has_backslash_ = true;
};

// The input and its structural positions, copied into a local by the hot functions: a local
// stays in registers, while members reached through the context are reloaded after every store
// through a char pointer (which may alias anything).
struct walk {
  const char* begin;
  const char* end;
  const std::uint32_t* positions;
  std::uint32_t count;
  bool has_backslash;  // stage 1 saw a backslash: without one, no string holds an escape

  // The character at position i, or '\0' past the last one.
  SKEW_ALWAYS_INLINE char at(std::uint32_t i) const noexcept {
    return i < count ? begin[positions[i]] : '\0';
  }
  SKEW_ALWAYS_INLINE const char* where(std::uint32_t i) const noexcept {
    return i < count ? begin + positions[i] : end;
  }
  // The token at position i: its bytes up to the next position, without trailing whitespace.
  SKEW_ALWAYS_INLINE std::string_view token(std::uint32_t i) const noexcept {
    if (i >= count) return {};
    const char* first = begin + positions[i];
    const char* last = i + 1 < count ? begin + positions[i + 1] : end;
    while (last > first && is_json_whitespace(last[-1])) --last;
    return std::string_view(first, static_cast<std::size_t>(last - first));
  }
};

}  // namespace skew::detail

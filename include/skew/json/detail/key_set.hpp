// Key names packed for compares by word loads, and the small set of an envelope's header keys
// found by length first.
#pragma once

#include <skew/base/detail/config.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace skew::detail {

// The length bucket of a name: its length, 63 for 63 or more. Every name matcher sorts its
// names into these buckets, so that most keys are ruled out by their length alone.
constexpr unsigned key_length_bit(std::size_t n) noexcept {
  return n < 63 ? static_cast<unsigned>(n) : 63u;
}

// The first 16 bytes of a name as two little-endian words, and masks of the bytes it has in
// each: a key at least 16 bytes readable from its start is this name's first 16 bytes when
// ((key0 ^ word0) & mask0) | ((key1 ^ word1) & mask1) is 0. Shared by every name matcher that
// compares by word loads (packed_key, packed_key_set, the struct tables' key_entry).
struct name_words {
  std::uint64_t word0 = 0;
  std::uint64_t word1 = 0;
  std::uint64_t mask0 = 0;
  std::uint64_t mask1 = 0;

  static constexpr name_words of(std::string_view name) noexcept {
    name_words w;
    for (std::size_t k = 0; k < name.size() && k < 16; ++k) {
      const std::uint64_t byte = static_cast<unsigned char>(name[k]);
      (k < 8 ? w.word0 : w.word1) |= byte << (8 * (k % 8));
    }
    const std::size_t n = name.size();
    constexpr std::uint64_t all = ~std::uint64_t{0};
    w.mask0 = n >= 8 ? all : (std::uint64_t{1} << (8 * n)) - 1;
    w.mask1 = n <= 8 ? 0 : n >= 16 ? all : (std::uint64_t{1} << (8 * (n - 8))) - 1;
    return w;
  }
};

// A key name packed for compares by word loads: keys being matched lie in padded input or a
// padded buffer, so 16 bytes can be read from their start; the name's bytes are kept in words.
struct packed_key {
  std::string_view name;
  std::uint64_t word0 = 0;
  std::uint64_t word1 = 0;

  static constexpr packed_key of(std::string_view name) noexcept {
    const name_words w = name_words::of(name);
    return packed_key{name, w.word0, w.word1};
  }

  SKEW_ALWAYS_INLINE bool matches(std::string_view key) const noexcept {
    const std::size_t n = key.size();
    if (n != name.size()) return false;
    if (n > 16 || std::endian::native != std::endian::little) {
      return std::memcmp(key.data(), name.data(), n) == 0;
    }
    if (n == 0) return true;
    std::uint64_t a;
    std::uint64_t b;
    std::memcpy(&a, key.data(), 8);
    std::memcpy(&b, key.data() + 8, 8);
    const std::uint64_t mask0 = n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
    const std::uint64_t mask1 = n <= 8    ? 0
                                : n >= 16 ? ~std::uint64_t{0}
                                          : (std::uint64_t{1} << (8 * (n - 8))) - 1;
    return ((a ^ word0) & mask0) == 0 && ((b ^ word1) & mask1) == 0;
  }
};

// The few key names of an envelope header, found by length first: most keys have a length no
// header key has, and most lengths belong to one name.
struct packed_key_set {
  static constexpr std::size_t size = 5;
  std::array<packed_key, size + 1> keys;  // and an empty one, find_without_branches' none
  // By key length (63: 63 or more): the one index with that length, -1 for none, -2 when several
  // share it (then every key is compared).
  std::array<std::int8_t, 64> by_length{};
  std::uint64_t lengths = 0;  // bit n: some name has length n (63: 63 or more)
  // For find_without_branches: by length, the one name's index or `size` for none, and per index
  // the masks of the name's bytes and the length to compare; entry `size` never matches.
  std::array<std::uint8_t, 64> candidate{};
  std::array<std::uint64_t, size + 1> mask0{};
  std::array<std::uint64_t, size + 1> mask1{};
  std::array<std::uint64_t, size + 1> length{};
  // Every name is 1 to 16 bytes long and no two share a length (the default names do).
  bool branch_free = std::endian::native == std::endian::little;

  explicit packed_key_set(const std::array<std::string_view, size>& names) noexcept {
    by_length.fill(-1);
    candidate.fill(static_cast<std::uint8_t>(size));
    length[size] = ~std::uint64_t{0};
    for (std::size_t k = 0; k < size; ++k) {
      keys[k] = packed_key::of(names[k]);
      const std::size_t m = names[k].size();
      const unsigned bit = key_length_bit(m);
      lengths |= std::uint64_t{1} << bit;
      std::int8_t& entry = by_length[bit];
      entry = entry == -1 && bit < 63 ? static_cast<std::int8_t>(k) : std::int8_t{-2};
      branch_free = branch_free && m >= 1 && m <= 16 && entry >= 0;
      candidate[bit] = static_cast<std::uint8_t>(k);
      const name_words w = name_words::of(names[k]);
      mask0[k] = w.mask0;
      mask1[k] = w.mask1;
      length[k] = m;
    }
  }

  // find() for sets with branch_free: no branch on the key, so a stream whose first payload key
  // varies from message to message (the one that ends a header) does not mispredict here. Reads
  // 16 bytes from key.data(): padded input only.
  SKEW_ALWAYS_INLINE int find_without_branches(std::string_view key) const noexcept {
    const std::size_t k = candidate[key_length_bit(key.size())];
    std::uint64_t a;
    std::uint64_t b;
    std::memcpy(&a, key.data(), 8);
    std::memcpy(&b, key.data() + 8, 8);
    const std::uint64_t diff = ((a ^ keys[k].word0) & mask0[k]) | ((b ^ keys[k].word1) & mask1[k]) |
                               (key.size() ^ length[k]);
    return diff == 0 ? static_cast<int>(k) : -1;
  }

  // Which of the names `key` is, or -1.
  SKEW_ALWAYS_INLINE inline int find(std::string_view key) const noexcept {
    const int only = by_length[key_length_bit(key.size())];
    if (only >= 0) {  // most keys: one compare, or none
      return keys[static_cast<std::size_t>(only)].matches(key) ? only : -1;
    }
    if (only == -1) return -1;
    for (std::size_t k = 0; k < size; ++k) {
      if (keys[k].matches(key)) return static_cast<int>(k);
    }
    return -1;
  }
};

}  // namespace skew::detail

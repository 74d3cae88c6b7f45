// skew::unknown_fields: keys a struct does not describe, kept with their raw JSON values.
//
// A build-N service that reads, modifies and re-emits a build-(N+1) message must not strip the
// fields it does not know (protobuf's unknown-field preservation). Put a member of this type in a
// described struct and the decoder fills it; the encoder writes the entries back.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace skew {

class unknown_fields {
 public:
  struct entry {
    std::string key;   // unescaped key
    std::string json;  // the value's raw JSON text, exactly as received (trimmed)
    friend bool operator==(const entry&, const entry&) = default;
  };

  using const_iterator = std::vector<entry>::const_iterator;

  bool empty() const noexcept { return entries_.empty(); }
  std::size_t size() const noexcept { return entries_.size(); }
  const_iterator begin() const noexcept { return entries_.begin(); }
  const_iterator end() const noexcept { return entries_.end(); }

  // The raw JSON of `key`, or nullptr when it was not received. Linear: these sets are small.
  const std::string* find(std::string_view key) const noexcept {
    for (const auto& e : entries_) {
      if (e.key == key) return &e.json;
    }
    return nullptr;
  }
  bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }

  // `json` must be one valid JSON value; the decoder guarantees that for what it captures.
  void add(std::string_view key, std::string_view json) {
    entries_.push_back(entry{std::string(key), std::string(json)});
  }
  void clear() noexcept { entries_.clear(); }

  // Order-sensitive, as received: re-emission keeps the original order.
  friend bool operator==(const unknown_fields&, const unknown_fields&) = default;

 private:
  std::vector<entry> entries_;
};

}  // namespace skew

// What the header readers collect: the envelope's type, version, id, stamps, attributes and,
// for the flat layout, where its header pass stopped (header_fields); storage for attributes and
// unescaped text (header_scratch); and the reads of header values.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/envelope/view.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/payload/detail/read_value.hpp>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace skew::detail {

// Attribute storage that lives on the dispatching stack frame: nothing is allocated for envelopes
// of up to 16 attributes and no escaped text, and a handler that dispatches again on the same
// thread cannot clobber its caller's view.
class header_scratch {
 public:
  header_scratch() = default;
  header_scratch(const header_scratch&) = delete;
  header_scratch& operator=(const header_scratch&) = delete;

  // Member by member into raw storage: value-initializing the whole array would cost a memset
  // per message, and copying a just-built attribute as one block stalls on store forwarding.
  void add(std::string_view name, std::string_view json, std::string_view text, bool is_string) {
    if (size_ < inline_capacity) [[likely]] {
      ::new (static_cast<void*>(&inline_[size_ * sizeof(envelope_attribute)]))
          envelope_attribute{name, json, text, is_string};
      ++size_;
      return;
    }
    std::vector<envelope_attribute>& overflow = spill().overflow;
    if (overflow.empty()) overflow.assign(inline_begin(), inline_begin() + size_);
    overflow.push_back(envelope_attribute{name, json, text, is_string});
    ++size_;
  }
  std::span<const envelope_attribute> attributes() const noexcept {
    if (size_ > inline_capacity) return spill_->overflow;
    return {inline_begin(), size_};
  }
  // Owned copies of unescaped text: the parser's string buffer is reused by the payload pass.
  // Capacity beyond the text, so word-load compares may read 32 bytes from its start.
  std::string_view keep(std::string_view text) {
    std::forward_list<std::string>& texts = spill().texts;
    texts.emplace_front();
    texts.front().reserve(text.size() + 32);
    texts.front().assign(text);
    return texts.front();
  }

 private:
  static constexpr std::size_t inline_capacity = 16;
  static_assert(std::is_trivially_copyable_v<envelope_attribute>);

  const envelope_attribute* inline_begin() const noexcept {
    return std::launder(reinterpret_cast<const envelope_attribute*>(inline_));
  }

  // What most envelopes never need, behind one pointer: a frame is made per message, and an
  // empty vector and list cost stores to make and checks to destroy on every one.
  struct spilled {
    std::vector<envelope_attribute> overflow;
    std::forward_list<std::string> texts;
  };
  spilled& spill() {
    if (!spill_) spill_ = std::make_unique<spilled>();
    return *spill_;
  }

  alignas(envelope_attribute) unsigned char inline_[inline_capacity * sizeof(envelope_attribute)];
  std::size_t size_ = 0;
  std::unique_ptr<spilled> spill_;
};

// The flat layout's header keys, by the names envelope_format gives them.
enum class header_slot : std::uint8_t { type, version, id, produced_by, config_revision };
inline constexpr std::size_t header_slot_count = 5;

constexpr unsigned slot_bit(header_slot s) noexcept {
  return 1u << static_cast<unsigned>(s);
}

// Where the flat layout's header pass stopped. Once type and version are known, the rest of the
// object is the payload pass's, which also records the header keys it meets (a late id, stamps).
struct flat_cursor {
  std::uint32_t next = 1;      // the next key, or the closing brace when at_end
  bool at_end = false;         // the whole object was read
  bool payload_first = false;  // a payload key came before type and version: read it again
  // The header keys that close the object were read from its end (match_trailing_header): the
  // payload pass reads the object from its start and ends at `end_keys`, their first key; a
  // message that then fails is read again from the start.
  bool from_end = false;
  std::uint32_t end_keys = 0;
};

struct header_fields {
  std::string_view type;
  std::string_view id;
  std::string_view produced_by;
  std::string_view config_revision;
  std::uint32_t version = 0;
  bool has_type = false;
  bool has_version = false;
  bool has_id = false;
  // Flat layout: the slots met, by slot_bit (a second type, version or id is a duplicate), and
  // where the header pass stopped.
  unsigned seen_slots = 0;
  flat_cursor cursor;
  // The flat layout's header attributes, in the order they came. Raw storage: zeroing five
  // attributes per message would cost more than filling the ones present.
  alignas(envelope_attribute) unsigned char flat_storage[header_slot_count *
                                                         sizeof(envelope_attribute)];
  std::size_t flat_count = 0;

  // A type to route by and a version: the flat header pass may stop. An empty type is no type,
  // and the pass reads on, so that bytes that are not JSON after it make the message malformed.
  bool routable() const noexcept { return has_type && !type.empty() && has_version; }

  // Constructed in place from its parts: building a temporary and copying it as one block
  // stalls on store forwarding.
  void add_flat(std::string_view name, std::string_view json, std::string_view text,
                bool is_string) noexcept {
    ::new (static_cast<void*>(flat_storage + flat_count * sizeof(envelope_attribute)))
        envelope_attribute{name, json, text, is_string};
    ++flat_count;
  }
  std::span<const envelope_attribute> flat_attributes() const noexcept {
    return {std::launder(reinterpret_cast<const envelope_attribute*>(flat_storage)), flat_count};
  }
  bool header_error = false;  // a header key failed during the payload pass
  // A `traceparent` attribute that is not a W3C traceparent: ignored, and counted.
  bool invalid_trace_context = false;
  // Nested and CloudEvents layouts.
  bool has_data = false;      // present and not null
  std::uint32_t data_at = 0;  // the position of its value
  bool has_data_base64 = false;
  // Binary content mode: the data is the whole parsed input (a broker message's value), and its
  // errors are told relative to it.
  bool data_is_document = false;
  bool has_spec_version = false;
  bool spec_version_ok = false;
  const char* spec_version_at = nullptr;
  bool has_source = false;
  // The first attribute that breaks a CloudEvents type rule: reported once the event is known to
  // be a CloudEvent (a foreign envelope is missing its specversion first).
  errc attribute_error{};
  const char* attribute_error_at = nullptr;
  std::string_view attribute_error_name;
};

inline bool in_input(const decode_context& ctx, std::string_view s) noexcept {
  return s.data() >= ctx.input_begin && s.data() + s.size() <= ctx.input_end;
}

// A string value as a view into the input, or an owned copy when it had escapes.
SKEW_ALWAYS_INLINE inline bool read_header_string(decode_context& ctx, std::uint32_t& i,
                                                  header_scratch& scratch, std::string_view& out) {
  char* const unescaped = ctx.strings;
  if (!read_string_view(ctx, i, out)) return false;
  // Text that had escapes went to the string buffer, which the payload pass may reuse.
  if (ctx.strings != unescaped) out = scratch.keep(out);
  return true;
}

// Versions are integers from 1 to 2^32-1: out_of_range outside them.
constexpr errc version_in_range(std::uint64_t v, std::uint32_t& out) noexcept {
  if (v == 0 || v > std::numeric_limits<std::uint32_t>::max()) return errc::out_of_range;
  out = static_cast<std::uint32_t>(v);
  return errc{};
}
// CloudEvents extensions may also carry a version as a string of digits, which some SDKs write for
// every extension (and binary mode's headers always do): wrong_type when it is not one.
inline errc version_from_text(std::string_view text, std::uint32_t& out) noexcept {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
    return errc::wrong_type;
  }
  return version_in_range(v, out);
}

SKEW_ALWAYS_INLINE inline bool read_header_version(decode_context& ctx, std::uint32_t& i,
                                                   bool allow_string, std::uint32_t& out) {
  const std::uint32_t at = i;
  if (allow_string && ctx.at(i) == '"') {
    std::string_view text;
    if (!read_string_view(ctx, i, text)) return false;
    const errc e = version_from_text(text, out);
    return e == errc{} || ctx.fail_at(e, at);
  }
  std::uint64_t v = 0;
  if (!read_integer(ctx, i, v)) return false;
  const errc e = version_in_range(v, out);
  return e == errc{} || ctx.fail_at(e, at);
}

// The key at position i, unescaped when needed (into `scratch`, which outlives the walk).
SKEW_ALWAYS_INLINE inline bool header_key(decode_context& ctx, std::uint32_t i,
                                          header_scratch& scratch, std::string_view& key) {
  if (!raw_key(ctx, i, key)) return false;
  if (contains_backslash(key.data(), key.size())) {
    if (!unescape_key(ctx, key)) return false;
    key = scratch.keep(key);
  }
  return true;
}

}  // namespace skew::detail

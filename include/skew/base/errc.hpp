// skew::errc: the codes of every failure skew reports, with their names and sentences. No fmt:
// the customization points (model/codec.hpp) name errc, and user headers include them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace skew {

// Every failure skew reports. Values are stable: they show up in logs, metrics and dead letters.
enum class errc : std::uint8_t {
  malformed_json = 1,   // not valid JSON (anywhere in the message, read or skipped)
  invalid_utf8,         // bytes that are not UTF-8, or a lone surrogate escape
  not_an_object,        // the root is not a JSON object but an object was expected
  missing_field,        // a required field is absent
  unexpected_null,      // null where the type does not accept null
  wrong_type,           // e.g. a string where a number is described
  out_of_range,         // a number that does not fit the described type
  duplicate_key,        // a described key appears twice (also when one copy is escaped)
  unknown_key,          // a key the struct does not describe, under unknown_keys::reject
  too_deep,             // nesting deeper than options::max_depth
  too_large,            // input longer than options::max_bytes
  trailing_content,     // anything but whitespace after the root value
  invalid_enum,         // a string that names no enumerator of a closed enum
  conflicting_alias,    // a field present under two of its names with different values
  not_representable,    // a value JSON cannot carry (NaN, infinity, invalid UTF-8 on encode)
  unsupported_version,  // a version this build cannot produce or read
  binary_data,          // a binary payload (CloudEvents data_base64) where JSON data was expected
  invalid_value,        // a value of the right JSON type that a member's skew::codec rejects
  unsupported_content_mode,  // a CloudEvents binary-mode message for a router of another format
  reserved_key,  // a flat envelope's payload describes a member under a header key's name
};

namespace detail {

struct errc_text {
  std::string_view name;      // the identifier, e.g. "missing_field"
  std::string_view sentence;  // for people reading a log line
};

// One entry per errc, in the enum's order (its values start at 1).
inline constexpr errc_text errc_texts[] = {
    {"malformed_json", "the message is not valid JSON"},
    {"invalid_utf8", "the message contains invalid UTF-8 or a lone surrogate"},
    {"not_an_object", "expected a JSON object at the root"},
    {"missing_field", "a required field is missing"},
    {"unexpected_null", "null is not accepted here"},
    {"wrong_type", "the JSON type does not match the described type"},
    {"out_of_range", "the number does not fit the described type"},
    {"duplicate_key", "a described key appears more than once"},
    {"unknown_key", "the key is not described (strict mode)"},
    {"too_deep", "nesting exceeds max_depth"},
    {"too_large", "the input exceeds max_bytes"},
    {"trailing_content", "content follows the root value"},
    {"invalid_enum", "the string names no known enumerator"},
    {"conflicting_alias", "a field and its alias carry different values"},
    {"not_representable", "the value cannot be represented in JSON"},
    {"unsupported_version", "this build does not handle that version"},
    {"binary_data", "the payload is base64 binary, not JSON data"},
    {"invalid_value", "the value is not one the member's codec accepts"},
    {"unsupported_content_mode",
     "a CloudEvents binary-mode message, and this router reads no CloudEvents format"},
    {"reserved_key", "the payload describes a member under the name of an envelope header key"},
};
static_assert(std::size(errc_texts) == static_cast<std::size_t>(errc::reserved_key),
              "one errc_texts entry per errc");

constexpr const errc_text* find_errc_text(errc code) noexcept {
  const auto index = static_cast<std::size_t>(code);
  return index >= 1 && index <= std::size(errc_texts) ? &errc_texts[index - 1] : nullptr;
}

}  // namespace detail

// The identifier of a code, e.g. "missing_field"; "unknown" for values outside the enum.
constexpr std::string_view to_string(errc code) noexcept {
  const detail::errc_text* t = detail::find_errc_text(code);
  return t != nullptr ? t->name : "unknown";
}

// A sentence for people reading a log line, not for programs (match on errc instead).
constexpr std::string_view describe_errc(errc code) noexcept {
  const detail::errc_text* t = detail::find_errc_text(code);
  return t != nullptr ? t->sentence : "unknown error";
}

}  // namespace skew

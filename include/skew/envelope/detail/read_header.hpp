// The header of any layout: the nested and CloudEvents layouts' one pass over the root keys, the
// flat layout's readers (flat_header.hpp), and the checks that make a header usable.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/envelope/detail/cloudevents.hpp>
#include <skew/envelope/detail/flat_header.hpp>
#include <skew/envelope/detail/header_fields.hpp>
#include <skew/envelope/format.hpp>
#include <skew/envelope/trace_context.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/json/detail/skip.hpp>

#include <charconv>
#include <cstdint>
#include <string_view>

namespace skew::detail {

// Which of the header's own attributes `key` names (type, version, id, and for CloudEvents
// specversion and source): the flag that says it was met, or nullptr for any other attribute.
inline bool* header_flag(const envelope_format& format, std::string_view key,
                         header_fields& out) noexcept {
  const bool cloudevents = format.layout == layout::cloudevents;
  if (key == format.type_key) return &out.has_type;
  if (key == format.version_key) return &out.has_version;
  if (key == format.id_key) return &out.has_id;
  if (cloudevents && key == "specversion") return &out.has_spec_version;
  if (cloudevents && key == "source") return &out.has_source;
  return nullptr;
}

// An attribute read (not null, not the version): checked against its CloudEvents type rule (the
// first break is kept, reported at `at`, which is nullptr for text outside the input), taken into
// the header's fields, and kept for the envelope_view. One rule for both content modes.
inline void take_attribute(const envelope_format& format, header_fields& out,
                           header_scratch& scratch, const envelope_attribute& a, const bool* seen,
                           const char* at) {
  if (format.layout == layout::cloudevents && out.attribute_error == errc{}) {
    errc e = seen == nullptr ? cloudevents_attribute_error(a) : errc{};
    if (e == errc{} && a.is_string && has_control_character(a.text)) {
      e = errc::invalid_value;  // a String holds no control characters
    }
    if (e != errc{}) {
      out.attribute_error = e;
      out.attribute_error_at = at;
      out.attribute_error_name = a.name;
    }
  }
  if (seen == &out.has_type) {
    out.type = a.text;
  } else if (seen == &out.has_id) {
    out.id = a.text;
  } else if (seen == &out.has_spec_version) {
    out.spec_version_ok = a.text == "1.0";
    out.spec_version_at = at;
  } else if (a.name == format.produced_by_key && a.is_string) {
    out.produced_by = a.text;
  } else if (a.name == format.config_revision_key && a.is_string) {
    out.config_revision = a.text;
  }
  if (seen == &out.has_source && a.text.empty()) out.has_source = false;
  if (seen == nullptr && a.name == "traceparent") [[unlikely]] {
    out.invalid_trace_context = !a.is_string || !parse_traceparent(a.text);
  }
  scratch.add(a.name, a.json, a.text, a.is_string);
}

// Nested and CloudEvents layouts: one pass over every root key; the payload under data_key is
// stepped over here (its position kept) and read by the payload pass.
inline bool scan_full_header(decode_context& ctx, std::uint32_t& i, const envelope_format& format,
                             header_scratch& scratch, header_fields& out) {
  const bool cloudevents = format.layout == layout::cloudevents;
  bool seen_data = false;
  bool seen_data_base64 = false;
  bool done = ctx.at(i) == '}';
  if (done) ++i;
  while (!done) {
    std::string_view key;
    if (!header_key(ctx, i, scratch, key)) return false;
    const char* raw = ctx.where(i);
    i += 2;
    const std::string_view token = ctx.token(i);
    if (token.empty()) return ctx.fail_at(errc::malformed_json, i);
    const bool is_null = token == "null";
    auto fail_here = [&](errc code, const char* at) {
      ctx.fail(code, at);
      append_pointer_segment(ctx.err.path, key);
      return false;
    };
    bool* seen = nullptr;
    if (key == format.data_key || (cloudevents && key == "data_base64")) {
      bool& seen_payload = key == format.data_key ? seen_data : seen_data_base64;
      if (seen_payload) return fail_here(errc::duplicate_key, raw);
      seen_payload = true;
      if (key == format.data_key) {
        out.has_data = !is_null;
        out.data_at = i;
      } else {
        out.has_data_base64 = !is_null;
      }
      if (!skip_value(ctx, i)) return false;  // the payload pass reads (and validates) it
    } else {
      seen = header_flag(format, key, out);
      if (seen != nullptr && *seen) return fail_here(errc::duplicate_key, raw);
      if (is_null) {
        ++i;  // a null attribute is an absent one
      } else {
        if (seen != nullptr) *seen = true;
        envelope_attribute a{key, token, {}, false};
        bool ok = true;
        if (seen == &out.has_version) {
          ok = read_header_version(ctx, i, cloudevents, out.version);
        } else if (token[0] == '"') {
          ok = read_header_string(ctx, i, scratch, a.text);
          a.is_string = true;
        } else if (seen != nullptr) {
          return fail_here(errc::wrong_type, token.data());
        } else {
          ok = capture_raw(ctx, i, a.json);
        }
        if (!ok) {
          append_pointer_segment(ctx.err.path, key);
          return false;
        }
        if (seen == &out.has_version) {
          scratch.add(a.name, a.json, a.text, a.is_string);
        } else {
          take_attribute(format, out, scratch, a, seen, token.data());
        }
      }
    }
    if (!next_item(ctx, i, '}', done)) return false;
    if (!done && ctx.at(i) != '"') return ctx.fail_at(errc::malformed_json, i);
  }
  return true;
}

// Splits "com.example.sent.v2" into "com.example.sent" and 2; false when there is no suffix.
inline bool split_version_suffix(std::string_view type, std::string_view& base,
                                 std::uint32_t& version) noexcept {
  const std::size_t dot = type.rfind('.');
  if (dot == std::string_view::npos || dot + 2 >= type.size() || type[dot + 1] != 'v') return false;
  const std::string_view digits = type.substr(dot + 2);
  if (digits[0] == '0') return false;
  std::uint32_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return false;
  base = type.substr(0, dot);
  version = v;
  return true;
}

// The checks that make a read header usable, in either content mode: a type, a version (from a
// `.v<N>` suffix of the type or the format's default when the layout allows), and for CloudEvents
// the required context attributes and the first attribute that broke its type rule.
inline bool check_header(decode_context& ctx, const envelope_format& format, header_fields& out) {
  auto missing = [&](std::string_view key) {
    ctx.fail(errc::missing_field);
    append_pointer_segment(ctx.err.path, key);
    return false;
  };
  if (format.layout == layout::cloudevents) {
    if (!out.has_spec_version) return missing("specversion");
    if (!out.spec_version_ok) {
      ctx.fail(errc::unsupported_version, out.spec_version_at);
      append_pointer_segment(ctx.err.path, "specversion");
      return false;
    }
    if (!out.has_id || out.id.empty()) return missing(format.id_key);
    if (!out.has_source) return missing("source");
    if (out.attribute_error != errc{}) {
      ctx.fail(out.attribute_error, out.attribute_error_at);
      append_pointer_segment(ctx.err.path, out.attribute_error_name);
      return false;
    }
  }
  if (!out.has_type || out.type.empty()) return missing(format.type_key);
  if (format.version_in_type_suffix) {
    std::string_view base;
    std::uint32_t suffix_version = 0;
    if (split_version_suffix(out.type, base, suffix_version)) {
      if (out.has_version && out.version != suffix_version) {
        // Two versions for one message: picking either would misread it for someone.
        ctx.fail(errc::conflicting_alias);
        append_pointer_segment(ctx.err.path, format.version_key);
        return false;
      }
      out.type = base;
      out.version = suffix_version;
      out.has_version = true;
    }
  }
  if (!out.has_version) {
    if (format.default_version == 0) return missing(format.version_key);
    out.version = format.default_version;
    out.has_version = true;
  }
  return true;
}

// The whole header of any layout, then the checks that make it usable: a type, a version, and
// for CloudEvents the required context attributes. Errors carry the header key's path.
SKEW_ALWAYS_INLINE inline bool read_header(decode_context& ctx, const envelope_format& format,
                                           header_scratch& scratch, header_fields& out,
                                           const flat_keys& keys,
                                           header_fast_paths fast = header_fast_paths::all) {
  if (ctx.count == 0) return ctx.fail(errc::malformed_json);
  if (ctx.at(0) != '{') {
    // A root that is not even a JSON value is malformed, not merely the wrong kind of envelope.
    std::uint32_t probe = 0;
    if (ctx.at(0) != '[' && !validate_value(ctx, probe)) return false;
    return ctx.fail(errc::not_an_object, ctx.input_begin);
  }
  ctx.depth = 1;
  std::uint32_t i = 1;
  const bool flat = format.layout == layout::flat;
  if (flat ? !read_flat_header(ctx, keys, scratch, out, fast)
           : !scan_full_header(ctx, i, format, scratch, out)) {
    return false;
  }
  if (!flat && i != ctx.count) {
    // The header pass walked the whole root object; anything after it is a second document.
    return ctx.fail_at(errc::trailing_content, i);
  }
  return check_header(ctx, format, out);
}

}  // namespace skew::detail

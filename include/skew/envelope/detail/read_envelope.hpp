// Reading one envelope, in three steps shared by peek_header, the cache reader and the router:
//   1. parse_envelope_input: the size limit, then stage 1 over the input;
//   2. read_header (read_header.hpp), then read_rest_of_header for a message whose payload is not
//      read, so that what is reported names its id and producer;
//   3. decode_payload (decode_payload.hpp).
// read_envelope_header runs steps 1 and 2 for peek_header and the cache reader. The router runs the
// same steps on its dispatch frame, with its match of the header as skew writes it before step 2
// (can_match_canonical_header says when that applies), and views the attributes of the header it
// read through header_attributes.
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/error.hpp>
#include <skew/base/options.hpp>
#include <skew/envelope/detail/decode_payload.hpp>
#include <skew/envelope/detail/flat_header.hpp>
#include <skew/envelope/detail/header_fields.hpp>
#include <skew/envelope/detail/read_header.hpp>
#include <skew/envelope/format.hpp>
#include <skew/envelope/view.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/json/detail/padded_input.hpp>
#include <skew/json/detail/parsed_input.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace skew::detail {

// Step 1: the input within opts.max_bytes, then its structural index: stage1::success, or the
// status whose error envelope_input_error gives. `json` is a std::string_view or a padded view.
template <class Input>
SKEW_ALWAYS_INLINE inline stage1_status parse_envelope_input(parsed_input& input, Input json,
                                                             const options& opts) {
  if (json.size() > opts.max_bytes) return stage1::too_long;
  return input.parse(json);
}

// The error of a failed step 1 (too_large for an input over opts.max_bytes).
inline error envelope_input_error(const parsed_input& input, stage1_status status) {
  return status == stage1::too_long ? error{errc::too_large, {}, {}} : input.failure(status);
}

// The rest of step 2. The flat layout's header pass stops once type and version are known, so the
// id and copies of header keys may come later; the other layouts have read their header whole.
inline bool read_rest_of_header(decode_context& ctx, const envelope_format& format,
                                const flat_keys& keys, header_scratch& scratch,
                                header_fields& header) {
  return format.layout != layout::flat || read_rest_of_flat_header(ctx, keys, scratch, header);
}

// The attributes an envelope_view shows, from wherever the layout's header reader kept them.
inline std::span<const envelope_attribute> header_attributes(const envelope_format& format,
                                                             const header_fields& header,
                                                             const header_scratch& scratch) {
  return format.layout == layout::flat ? header.flat_attributes() : scratch.attributes();
}

// Whether the header as skew writes it is read by match_canonical_header: the flat layout, key
// names it can compare, and no version in a type suffix (read_header's checks for the flat layout
// then all hold for a matched header).
inline bool can_match_canonical_header(const envelope_format& format,
                                       const flat_keys& keys) noexcept {
  return format.layout == layout::flat && keys.canonical() && !format.version_in_type_suffix;
}

// One envelope read outside the router: the context over the parsed input, the header and where
// its attributes go.
struct envelope_read {
  envelope_read(const parsed_input& input, const options& opts) noexcept
      : ctx(input.context(opts)) {}
  decode_context ctx;
  header_scratch scratch;
  header_fields header;
};

// Steps 1 and 2 over `json`, into `read` (emplaced once the input is parsed); the error, if any.
// With `whole_header`, the flat header is read to its end (peek_header), else up to type and
// version (a reader that decodes the payload next).
inline std::optional<error> read_envelope_header(parsed_input& input, std::string_view json,
                                                 const envelope_format& format, const options& opts,
                                                 const flat_keys& keys,
                                                 std::optional<envelope_read>& read,
                                                 bool whole_header) {
  if (auto status = parse_envelope_input(input, json, opts)) {
    return envelope_input_error(input, status);
  }
  envelope_read& r = read.emplace(input, opts);
  if (!read_header(r.ctx, format, r.scratch, r.header, keys) ||
      (whole_header && !read_rest_of_header(r.ctx, format, keys, r.scratch, r.header))) {
    return std::move(r.ctx.err);
  }
  return std::nullopt;
}

}  // namespace skew::detail

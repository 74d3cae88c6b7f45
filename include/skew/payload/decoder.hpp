// Layer payload/: one value to and from one JSON document (the decoder, value encoding, the
// table-driven readers and writers); knows nothing of envelopes.
//
// skew::decoder: decodes JSON messages into described structs, tolerantly and without throwing.
//
//   skew::decoder decoder;  // one per thread; reuse it, it owns the parser's buffers
//   skew::result<SendEmailV2> msg = decoder.decode<SendEmailV2>(json);
//   if (!msg) log("{}", msg.error());
#pragma once

#include <skew/base/detail/config.hpp>
#include <skew/base/options.hpp>
#include <skew/base/result.hpp>
#include <skew/json/detail/parsed_input.hpp>
#include <skew/payload/detail/read_struct.hpp>
#include <skew/payload/detail/read_variant.hpp>

#include <cstring>
#include <memory>
#include <string_view>

namespace skew {

class decoder;
namespace detail {
// The decoder's parsed input, for the envelope readers that share a decoder's buffers.
parsed_input& input_of(decoder& d) noexcept;
}  // namespace detail

class decoder {
 public:
  decoder() = default;
  // A decoder owns buffers that decoded views point into: copying one would be a trap.
  decoder(const decoder&) = delete;
  decoder& operator=(const decoder&) = delete;
  decoder(decoder&&) noexcept = default;
  decoder& operator=(decoder&&) noexcept = default;

  // Decodes `json` into a new T. The input is copied into the decoder's padded buffer, so `json`
  // need not outlive the call; std::string_view and skew::raw_json members of the result point
  // into that buffer (or the parser's) and stay valid until this decoder's next decode.
  template <class T>
  result<T> decode(std::string_view json, const options& opts = {}) {
    T out{};
    if (auto status = decode_into(out, json, opts); !status) return failure(status.error());
    return result<T>(std::move(out));
  }

  // Decodes input that already carries detail::input_padding (64) readable bytes past its end, read
  // where it lies (detail::padded_input: the JSON library's padded string or padded view, or any
  // view with padding() that converts to std::string_view). Views in the result point into
  // `json`, which must outlive them. A view with less padding is copied.
  template <class T, detail::padded_input Padded>
  result<T> decode(const Padded& json, const options& opts = {}) {
    T out{};
    if (auto status = decode_into(out, json, opts); !status) return failure(status.error());
    return result<T>(std::move(out));
  }

  // Decodes into an existing object, reusing the capacity of its strings and vectors: the
  // steady-state hot path. Every member is written (missing ones get their default, reset or
  // value-initialized state), so no value of the previous message survives. On failure `out` is
  // left in a valid but unspecified state.
  template <class T>
  result<void> decode_into(T& out, std::string_view json, const options& opts = {}) {
    if constexpr (described<T>) {
      return decode_struct(&out, detail::read_table_of<T>(), json, opts);
    } else {
      if (json.size() > opts.max_bytes) return failure(errc::too_large);
      last_alias_reads_ = 0;
      if (auto e = input_.parse(json)) return failure(input_.failure(e));
      detail::decode_context ctx = input_.context(opts);
      return decode_document(out, ctx);
    }
  }
  template <class T, detail::padded_input Padded>
  result<void> decode_into(T& out, const Padded& json, const options& opts = {}) {
    const detail::padded_view padded = detail::as_padded(json);
    if (padded.size() > opts.max_bytes) return failure(errc::too_large);
    if constexpr (described<T>) {
      return decode_struct_padded(&out, detail::read_table_of<T>(), padded, opts);
    } else {
      return decode_padded(out, padded, opts);
    }
  }

  // Reads a shared-cache entry written by skew::encode<Family>: the latest version's payload, or
  // an empty optional when the entry holds another version (a miss, not an error: recompute it
  // and overwrite). Defined in <skew/envelope/cache.hpp>, which skew.hpp includes.
  template <class Family>
  auto decode_cached(std::string_view json, const options& opts = {}) {
    // Found by argument-dependent lookup in namespace skew, where cache.hpp defines it.
    return read_cache_entry(*this, json, opts, static_cast<Family*>(nullptr));
  }

  // How many values the last decode read under a former name (an alias). Non-zero means some
  // producer still writes the old name, so it cannot be retired yet.
  std::uint32_t last_alias_reads() const noexcept { return last_alias_reads_; }

 private:
  friend detail::parsed_input& detail::input_of(decoder& d) noexcept;

  template <class T>
  result<void> decode_padded(T& out, detail::padded_view json, const options& opts) {
    last_alias_reads_ = 0;
    if (auto e = input_.parse(json)) return failure(input_.failure(e));
    detail::decode_context ctx = input_.context(opts);
    return decode_document(out, ctx);
  }

  // Described structs: one function for all of them, driven by the struct's table.
  SKEW_NOINLINE result<void> decode_struct(void* out, const detail::read_table& table,
                                           std::string_view json, const options& opts) {
    if (json.size() > opts.max_bytes) return failure(errc::too_large);
    last_alias_reads_ = 0;
    if (auto e = input_.parse(json)) return failure(input_.failure(e));
    return read_struct(out, table, opts);
  }
  SKEW_NOINLINE result<void> decode_struct_padded(void* out, const detail::read_table& table,
                                                  detail::padded_view json, const options& opts) {
    last_alias_reads_ = 0;
    if (auto e = input_.parse(json)) return failure(input_.failure(e));
    return read_struct(out, table, opts);
  }
  result<void> read_struct(void* out, const detail::read_table& table, const options& opts) {
    detail::decode_context ctx = input_.context(opts);
    if (!detail::read_struct_document(ctx, out, table)) return failure(std::move(ctx.err));
    last_alias_reads_ = ctx.alias_reads;
    return {};
  }

  // Reads the whole document into `out`: the root, then a check that nothing follows it.
  template <class T>
  result<void> decode_document(T& out, detail::decode_context& ctx) {
    last_alias_reads_ = 0;
    if (!detail::read_document(ctx, out)) return failure(std::move(ctx.err));
    last_alias_reads_ = ctx.alias_reads;
    return {};
  }

  detail::parsed_input input_;
  std::uint32_t last_alias_reads_ = 0;
};

inline detail::parsed_input& detail::input_of(decoder& d) noexcept {
  return d.input_;
}

}  // namespace skew

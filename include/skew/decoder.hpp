// skew::decoder: decodes JSON messages into described structs, tolerantly and without throwing.
//
//   skew::decoder decoder;  // one per thread; reuse it, it owns the parser's buffers
//   skew::result<SendEmailV2> msg = decoder.decode<SendEmailV2>(json);
//   if (!msg) log("{}", msg.error());
#pragma once

#include <skew/detail/read_struct.hpp>
#include <skew/options.hpp>
#include <skew/result.hpp>

#include <concepts>
#include <cstring>
#include <memory>
#include <string_view>

namespace skew {

namespace detail {
struct decoder_access;
}

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

  // Decodes input that already carries SIMDJSON_PADDING readable bytes past its end: no copy.
  // Views in the result point into `json`, which must outlive them.
  template <class T>
  result<T> decode(simdjson::padded_string_view json, const options& opts = {}) {
    T out{};
    if (auto status = decode_into(out, json, opts); !status) return failure(status.error());
    return result<T>(std::move(out));
  }
  // A simdjson::padded_string (a template so std::string arguments never convert to one).
  template <class T, class Padded>
  requires std::same_as<Padded, simdjson::padded_string> result<T> decode(
      const Padded& json, const options& opts = {}) {
    return decode<T>(static_cast<simdjson::padded_string_view>(json), opts);
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
      return decode_padded(out, pad(json), opts);
    }
  }
  template <class T>
  result<void> decode_into(T& out, simdjson::padded_string_view json, const options& opts = {}) {
    if (json.size() > opts.max_bytes) return failure(errc::too_large);
    if constexpr (described<T>) {
      return decode_struct_padded(&out, detail::read_table_of<T>(), json, opts);
    } else {
      return decode_padded(out, json, opts);
    }
  }
  template <class T, class Padded>
  requires std::same_as<Padded, simdjson::padded_string> result<void> decode_into(
      T& out, const Padded& json, const options& opts = {}) {
    return decode_into(out, static_cast<simdjson::padded_string_view>(json), opts);
  }

  // Reads a shared-cache entry written by skew::encode<Family>: the latest version's payload, or
  // an empty optional when the entry holds another version (a miss, not an error: recompute it
  // and overwrite). Defined in <skew/cache.hpp>, which skew.hpp includes.
  template <class Family>
  auto decode_cached(std::string_view json, const options& opts = {}) {
    // Found by argument-dependent lookup in namespace skew, where cache.hpp defines it.
    return read_cache_entry(*this, json, opts, static_cast<Family*>(nullptr));
  }

  // How many values the last decode read under a former name (an alias). Non-zero means some
  // producer still writes the old name, so it cannot be retired yet.
  std::uint32_t last_alias_reads() const noexcept { return last_alias_reads_; }

 private:
  friend struct detail::decoder_access;

  // Copies `json` into the decoder's buffer, followed by SIMDJSON_PADDING readable bytes.
  simdjson::padded_string_view pad(std::string_view json) {
    const std::size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
    if (needed > capacity_) {
      // Value-initialized, so the padding never holds uninitialized bytes.
      buffer_ = std::make_unique<char[]>(needed);
      capacity_ = needed;
    }
    if (!json.empty()) std::memcpy(buffer_.get(), json.data(), json.size());
    return simdjson::padded_string_view(buffer_.get(), json.size(), capacity_);
  }

  template <class T>
  result<void> decode_padded(T& out, simdjson::padded_string_view json, const options& opts) {
    last_alias_reads_ = 0;
    if (auto e = index_.build(json.data(), json.size())) {
      return failure(detail::map_simdjson_error(e));
    }
    detail::decode_context ctx{opts, json.data(), json.data() + json.size()};
    ctx.bind(index_);
    return decode_document(out, ctx);
  }

  // Described structs: one function for all of them, driven by the struct's table.
  [[gnu::noinline]] result<void> decode_struct(void* out, const detail::read_table& table,
                                               std::string_view json, const options& opts) {
    if (json.size() > opts.max_bytes) return failure(errc::too_large);
    return decode_struct_padded(out, table, pad(json), opts);
  }
  [[gnu::noinline]] result<void> decode_struct_padded(void* out, const detail::read_table& table,
                                                      simdjson::padded_string_view json,
                                                      const options& opts) {
    last_alias_reads_ = 0;
    if (auto e = index_.build(json.data(), json.size())) {
      return failure(detail::map_simdjson_error(e));
    }
    detail::decode_context ctx{opts, json.data(), json.data() + json.size()};
    ctx.bind(index_);
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

  detail::structural_index index_;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
  std::uint32_t last_alias_reads_ = 0;
};

}  // namespace skew

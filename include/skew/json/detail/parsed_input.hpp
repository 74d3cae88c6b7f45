// Layer json/: JSON text to tokens: stage 1, UTF-8 validation, the structural walk, skipping,
// unescaping, name compares and SIMD; knows no C++ type but strings and numbers, and includes no
// dependency.
//
// One message made ready for the reader: its bytes with input_padding readable bytes past the
// end (copied into an owned buffer when the caller's have fewer) and their structural index. The
// one setup every decode, dispatch, cache read and header peek starts from.
#pragma once

#include <skew/base/options.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/json/detail/input_error.hpp>
#include <skew/json/detail/padded_input.hpp>
#include <skew/json/detail/structural_index.hpp>

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace skew::detail {

class parsed_input {
 public:
  // Copies `json` into the owned buffer, then indexes it.
  stage1_status parse(std::string_view json) { return index(pad(json)); }

  // Indexes `json` where it lies when it carries the padding it claims; a view whose padding is
  // short (a std::string viewed with its capacity, say) is copied first, since the reader loads
  // up to input_padding bytes past the end.
  stage1_status parse(detail::padded_view json) {
    if (json.padding() < input_padding) return parse(std::string_view(json));
    return index(json);
  }

  // A context for reading the last parsed input; its views are valid until the next parse.
  decode_context context(const options& opts) const noexcept {
    decode_context ctx{opts, begin_, end_};
    ctx.bind(index_);
    return ctx;
  }
  // Points a context made elsewhere (a dispatch frame's) at the last parsed input.
  void bind(decode_context& ctx) const noexcept {
    ctx.input_begin = begin_;
    ctx.input_end = end_;
    ctx.bind(index_);
  }

  // The error for the last input, which stage 1 rejected with `e`: for invalid UTF-8, with the
  // offset of the first invalid byte and the path of its string.
  error failure(stage1_status e) const {
    return input_error(e, std::string_view(begin_, static_cast<std::size_t>(end_ - begin_)));
  }

  walk view() const noexcept {
    return {begin_, end_, index_.positions(), index_.count(), index_.has_backslash()};
  }
  const char* begin() const noexcept { return begin_; }
  const char* end() const noexcept { return end_; }

 private:
  detail::padded_view pad(std::string_view json) {
    const std::size_t needed = json.size() + input_padding;
    if (needed > capacity_) {
      // Value-initialized, so the padding never holds uninitialized bytes.
      buffer_ = std::make_unique<char[]>(needed);
      capacity_ = needed;
    }
    if (!json.empty()) std::memcpy(buffer_.get(), json.data(), json.size());
    return detail::padded_view(buffer_.get(), json.size(), capacity_);
  }

  stage1_status index(detail::padded_view json) {
    begin_ = json.data();
    end_ = json.data() + json.size();
    return index_.build(json.data(), json.size());
  }

  structural_index index_;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
  const char* begin_ = nullptr;
  const char* end_ = nullptr;
};

}  // namespace skew::detail

// Encoding one value: a described struct, or any type the decoder reads, to JSON.
//
//   skew::result<std::string> plain = skew::encode(value);
//   fmt::memory_buffer buffer;                    // reused: no allocation in steady state
//   skew::encode_to(buffer, value);               // also std::string, std::vector<char>
//
// A missing skew::field and an empty std::optional are omitted, a null skew::field is written as
// null; unknown_fields are written back as received. NaN, infinity and invalid UTF-8 are
// errc::not_representable: JSON cannot carry them, and writing something else would change the
// message. On failure the buffer is left as it was. Envelopes of a message family are written by
// envelope/encode.hpp, through the same encode_into.
#pragma once

#include <skew/base/result.hpp>
#include <skew/model/message.hpp>
#include <skew/payload/detail/write_value.hpp>
#include <skew/payload/detail/write_variant.hpp>

#include <skew/base/detail/fmt.hpp>  // fmt::memory_buffer, the buffer encode_to is made for

#include <cstddef>
#include <string>

namespace skew {

namespace detail {

// Undoes a partial write: a failed encode leaves the caller's buffer as it was.
template <class Buffer>
class buffer_rollback {
 public:
  explicit buffer_rollback(Buffer& b) : buffer_(b), size_(b.size()) {}
  ~buffer_rollback() {
    if (!committed_) buffer_.resize(size_);
  }
  buffer_rollback(const buffer_rollback&) = delete;
  buffer_rollback& operator=(const buffer_rollback&) = delete;
  void commit() noexcept { committed_ = true; }

 private:
  Buffer& buffer_;
  std::size_t size_;
  bool committed_ = false;
};

// Writes with `write` into `out`, leaving `out` as it was on failure. One per buffer type, shared
// by every value and envelope written to it.
template <class Buffer, class Write>
result<void> encode_into(Buffer& out, const Write& write) {
  buffer_rollback<Buffer> rollback(out);
  encode_context ctx;
  output sink(out);
  if (!write(ctx, sink)) return failure(std::move(ctx.err));
  rollback.commit();
  return {};
}

struct value_writer {
  const void* value;
  write_function write;
  bool operator()(encode_context& ctx, output& out) const { return write(ctx, out, value); }
};

}  // namespace detail

// Appends `value` (a described struct, or any type the decoder reads) as JSON to `out`: a
// fmt::memory_buffer, std::string or std::vector<char>.
template <class T, class Buffer>
requires(!message_family<T>) result<void> encode_to(Buffer& out, const T& value) {
  return detail::encode_into(out, detail::value_writer{&value, &detail::write_erased<T>});
}

template <class T>
requires(!message_family<T>) result<std::string> encode(const T& value) {
  std::string out;
  if (auto status = encode_to(out, value); !status) return failure(status.error());
  return result<std::string>(std::move(out));
}

}  // namespace skew

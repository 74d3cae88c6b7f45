// The error for an input that stage 1 rejected. Stage 1 reports only a code; for invalid UTF-8
// this finds where: the offset of the first byte that is not UTF-8, and the JSON Pointer of the
// string that holds it (for a key, of the object that holds the key). Cold code: it runs once per
// rejected message.
#pragma once

#include <skew/base/error.hpp>
#include <skew/json/detail/decode_context.hpp>
#include <skew/json/detail/padded_input.hpp>
#include <skew/json/detail/structural_index.hpp>
#include <skew/json/detail/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace skew::detail {

// The JSON Pointer of the token at position `target`, by walking the positions before it: a
// stack of open containers with the current key or index of each. Empty when the walk finds the
// text is not JSON before it gets there.
inline bool pointer_to_token(const walk& w, std::uint32_t target, std::string& path) {
  struct level {
    bool object;
    bool expecting_key;
    std::size_t index;
    std::string_view key;
  };
  std::vector<level> open;
  for (std::uint32_t i = 0; i <= target && i < w.count; ++i) {
    const char c = w.at(i);
    level* top = open.empty() ? nullptr : &open.back();
    const bool is_key = top != nullptr && top->object && top->expecting_key && c == '"';
    if (i == target) {
      path.clear();
      for (const level& l : open) {
        if (&l == top && is_key) break;  // a key: the path of its object
        if (l.object) {
          append_pointer_segment(path, l.key);
        } else {
          path += '/';
          path += std::to_string(l.index);
        }
      }
      return true;
    }
    if (is_key) {
      const std::string_view token = w.token(i);
      if (token.size() < 2) return false;
      top->key = token.substr(1, token.size() - 2);
      top->expecting_key = false;
    } else if (c == '{' || c == '[') {
      open.push_back(level{c == '{', true, 0, {}});
    } else if (c == '}' || c == ']') {
      if (top == nullptr) return false;
      open.pop_back();
    } else if (c == ',') {
      if (top == nullptr) return false;
      if (top->object) {
        top->expecting_key = true;
      } else {
        ++top->index;
      }
    }
  }
  return false;
}

// Where in `json` the first invalid UTF-8 byte
// is: its offset, and the path found by indexing a copy in which every non-ASCII byte is replaced.
// Such bytes can only stand inside strings in JSON, so the copy has the same structure.
inline void locate_invalid_utf8(std::string_view json, error& err) {
  const std::size_t offset = first_invalid_utf8(json);
  if (offset == json.size()) return;
  err.offset = offset;
  const std::size_t size = json.size();
  auto copy = std::make_unique<char[]>(size + input_padding);
  for (std::size_t i = 0; i < size; ++i) {
    copy[i] = static_cast<unsigned char>(json[i]) < 0x80 ? json[i] : '?';
  }
  std::memset(copy.get() + size, 0, input_padding);
  structural_index index;
  if (index.build(copy.get(), size) != stage1::success) return;
  const walk w{copy.get(), copy.get() + size, index.positions(), index.count(),
               index.has_backslash()};
  // The token holding the offset: the last position at or before it.
  std::uint32_t token = 0;
  while (token + 1 < w.count && w.positions[token + 1] <= offset) ++token;
  if (w.count == 0 || w.positions[token] > offset || w.at(token) != '"') return;
  std::string path;
  if (pointer_to_token(w, token, path)) err.path = std::move(path);
}

// The error for input stage 1 rejected with `e`.
inline error input_error(stage1_status e, std::string_view json) {
  error err{map_stage1_error(e), {}, {}};
  if (err.code == errc::invalid_utf8) locate_invalid_utf8(json, err);
  return err;
}

}  // namespace skew::detail

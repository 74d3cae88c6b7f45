// A few lines over hiredis so the demo reads as Redis commands: owned replies, commands from
// string_views (binary-safe, no format strings), and pipelines for batches.
#pragma once

#include <hiredis/hiredis.h>

#include "arguments.hpp"

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace demo {

struct reply_deleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
// Null when the connection failed; connection::error() says why.
using reply = std::unique_ptr<redisReply, reply_deleter>;

inline std::string_view text(const redisReply* r) noexcept {
  if (r == nullptr || r->str == nullptr) return {};
  return {r->str, r->len};
}
inline bool is_error(const redisReply* r) noexcept {
  return r == nullptr || r->type == REDIS_REPLY_ERROR;
}

class connection {
 public:
  connection(const std::string& host, int port) : context_(redisConnect(host.c_str(), port)) {}

  bool ok() const noexcept { return context_ != nullptr && context_->err == 0; }
  std::string_view error() const noexcept {
    return context_ == nullptr ? "out of memory" : std::string_view(context_->errstr);
  }

  reply command(std::initializer_list<std::string_view> args) {
    return command(args.begin(), args.size());
  }
  reply command(const std::vector<std::string_view>& args) {
    return command(args.data(), args.size());
  }

  // Pipelining: append any number of commands, then read their replies in order.
  void append(std::initializer_list<std::string_view> args) { append(args.begin(), args.size()); }
  void append(const std::vector<std::string_view>& args) { append(args.data(), args.size()); }
  reply next_reply() {
    void* r = nullptr;
    if (redisGetReply(context_.get(), &r) != REDIS_OK) return nullptr;
    return reply(static_cast<redisReply*>(r));
  }

 private:
  struct context_deleter {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
  };

  void to_argv(const std::string_view* args, std::size_t n) {
    argv_.clear();
    lengths_.clear();
    for (std::size_t i = 0; i < n; ++i) {
      argv_.push_back(args[i].data());
      lengths_.push_back(args[i].size());
    }
  }
  reply command(const std::string_view* args, std::size_t n) {
    to_argv(args, n);
    return reply(static_cast<redisReply*>(
        redisCommandArgv(context_.get(), static_cast<int>(n), argv_.data(), lengths_.data())));
  }
  void append(const std::string_view* args, std::size_t n) {
    to_argv(args, n);
    redisAppendCommandArgv(context_.get(), static_cast<int>(n), argv_.data(), lengths_.data());
  }

  std::unique_ptr<redisContext, context_deleter> context_;
  std::vector<const char*> argv_;
  std::vector<std::size_t> lengths_;
};

}  // namespace demo

// skew::redis::connection: one hiredis connection for skew's Redis add-ons and for handlers that
// talk to Redis themselves: binary-safe commands from string_views, owned replies, timeouts on
// connect and on every command, pipelines, and a reconnect on the next command after any
// failure, so that a restarted server is picked up again without the caller's help.
//
//   skew::redis::connection redis({"127.0.0.1", 6379});
//   if (skew::redis::reply r = redis.command({"GET", key})) use(skew::redis::reply_text(r.get()));
//   else log(redis.error());
#pragma once

#include <hiredis/hiredis.h>

#include <sys/time.h>
#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace skew::detail {
struct redis_reply_deleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
}  // namespace skew::detail

namespace skew::redis {

// Where the server is, and how long to wait for it.
struct endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::chrono::milliseconds timeout{1000};
};

using reply = std::unique_ptr<redisReply, detail::redis_reply_deleter>;

// A string, status or error reply's text; empty for other replies and null.
inline std::string_view reply_text(const redisReply* r) noexcept {
  if (r == nullptr || r->str == nullptr) return {};
  return {r->str, r->len};
}
inline bool is_error_reply(const redisReply* r) noexcept {
  return r == nullptr || r->type == REDIS_REPLY_ERROR;
}

class connection {
 public:
  explicit connection(endpoint where) : where_(std::move(where)) {}

  // The reply, or null when the server could not be reached or answered with an error; error()
  // says why.
  reply command(std::initializer_list<std::string_view> args) {
    return command(std::vector<std::string_view>(args));
  }
  reply command(const std::vector<std::string_view>& args) {
    if (!connected() && !connect()) return nullptr;
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    reply r(static_cast<redisReply*>(redisCommandArgv(context_.get(), static_cast<int>(argv.size()),
                                                      argv.data(), lengths.data())));
    if (r == nullptr) {
      error_ = context_->errstr;
      context_.reset();  // reconnect on the next command
      return nullptr;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      error_ = std::string(reply_text(r.get()));
      return nullptr;
    }
    return r;
  }

  // Commands written together, then their replies read in order: one round trip for a batch,
  // and for MULTI ... EXEC, which the server discards if the connection drops before EXEC. Empty
  // when the connection failed; an error reply is returned as it is, for the caller to judge.
  std::vector<reply> pipeline(const std::vector<std::vector<std::string_view>>& commands) {
    std::vector<reply> replies;
    if (!connected() && !connect()) return replies;
    for (const auto& args : commands) {
      std::vector<const char*> argv;
      std::vector<std::size_t> lengths;
      for (const auto a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
      }
      redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                             lengths.data());
    }
    for (std::size_t i = 0; i < commands.size(); ++i) {
      void* r = nullptr;
      if (redisGetReply(context_.get(), &r) != REDIS_OK) {
        error_ = context_->errstr;
        context_.reset();
        return {};
      }
      replies.emplace_back(static_cast<redisReply*>(r));
    }
    return replies;
  }

  const std::string& error() const noexcept { return error_; }

 private:
  struct context_deleter {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
  };

  bool connected() const noexcept { return context_ != nullptr && context_->err == 0; }

  bool connect() {
    const auto ms = where_.timeout.count();
    timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
    context_.reset(redisConnectWithTimeout(where_.host.c_str(), where_.port, tv));
    if (context_ == nullptr) {
      error_ = "out of memory";
      return false;
    }
    if (context_->err != 0) {
      error_ = context_->errstr;
      context_.reset();
      return false;
    }
    redisSetTimeout(context_.get(), tv);
    return true;
  }

  endpoint where_;
  std::unique_ptr<redisContext, context_deleter> context_;
  std::string error_;
};

}  // namespace skew::redis

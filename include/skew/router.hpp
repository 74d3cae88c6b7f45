// skew::router: reads an envelope, upcasts old versions, calls the right handler, and turns every
// message it cannot handle into an outcome.
//
//   skew::router<SendEmail, PaymentCaptured> router;
//   router.on<SendEmail>([](const SendEmailV2& m, const skew::envelope_view& env) { ... });
//   router.on<PaymentCaptured, 1>([](const PaymentV1& m, const skew::envelope_view&) { ... });
//   skew::outcome o = router.dispatch(json);   // never throws
#pragma once

#include <skew/envelope.hpp>
#include <skew/message.hpp>
#include <skew/outcome.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace skew {

namespace detail {

template <class Handler, class... Args>
outcome invoke_handler(Handler& handler, Args&&... args) {
#if defined(__cpp_exceptions)
  try {
#endif
    if constexpr (std::is_void_v<std::invoke_result_t<Handler&, Args...>>) {
      std::invoke(handler, std::forward<Args>(args)...);
      return outcome::ack();
    } else {
      return std::invoke(handler, std::forward<Args>(args)...);
    }
#if defined(__cpp_exceptions)
  } catch (...) {
    // A throwing handler must not take the consumer loop down with it.
    outcome o = outcome::retry();
    o.reason = reason::handler_failed;
    return o;
  }
#endif
}

template <message_family Family>
struct family_handlers {
  using latest = typename Family::latest;
  // Takes any version, upcast to the latest.
  std::function<outcome(const latest&, const envelope_view&)> latest_handler;
  // One exact version each, no upcast; the payload is passed type-erased.
  std::array<std::function<outcome(const void*, const envelope_view&)>, Family::version_count>
      exact{};

  bool handles_index(std::size_t index) const { return exact[index] || latest_handler; }
};

}  // namespace detail

template <message_family... Families>
class router {
 public:
  router() {
    using namespace std::chrono_literals;
    // A newer pod may know the type or version: never drop that work, retry it later.
    set_policy(reason::unknown_type, {action::retry, 30s});
    set_policy(reason::unsupported_version, {action::retry, 30s});
    set_policy(reason::retired_version, {action::dead_letter, 0ms});
    set_policy(reason::malformed, {action::dead_letter, 0ms});
    set_policy(reason::invalid_payload, {action::dead_letter, 0ms});
    set_policy(reason::invalid_envelope, {action::dead_letter, 0ms});
    set_policy(reason::handler_failed, {action::retry, 5s});
  }

  // A handler for every version of Family, called with the latest payload struct.
  template <message_family Family, class Handler>
  router& on(Handler handler) {
    auto& slot = std::get<detail::family_handlers<Family>>(handlers_);
    slot.latest_handler = [h = std::move(handler)](const typename Family::latest& payload,
                                                   const envelope_view& env) mutable {
      return detail::invoke_handler(h, payload, env);
    };
    return *this;
  }

  // A handler for exactly version Version of Family: no upcast.
  template <message_family Family, std::uint32_t Version, class Handler>
  router& on(Handler handler) {
    constexpr auto index = Family::index_of(Version);
    static_assert(index.has_value(), "the family has no such version");
    using payload = typename Family::template payload_at<*index>;
    auto& slot = std::get<detail::family_handlers<Family>>(handlers_);
    slot.exact[*index] = [h = std::move(handler)](const void* p, const envelope_view& env) mutable {
      return detail::invoke_handler(h, *static_cast<const payload*>(p), env);
    };
    return *this;
  }

  void set_policy(reason r, policy p) { policies_[static_cast<std::size_t>(r)] = p; }
  policy policy_for(reason r) const { return policies_[static_cast<std::size_t>(r)]; }

  void set_format(const envelope_format& f) { format_ = f; }
  const envelope_format& format() const { return format_; }
  // Options for payload decoding (strictness, limits, validation).
  void set_options(const options& o) { options_ = o; }

  // Whether this build has a handler for (type, version): lets a broker adapter route messages
  // only newer consumers understand to a queue they alone read.
  bool can_handle(std::string_view type, std::uint32_t version) const {
    bool found = false;
    (void)((Families::type_name == type
                ? (
                      found =
                          [&] {
                            auto index = Families::index_of(version);
                            return index && std::get<detail::family_handlers<Families>>(handlers_)
                                                .handles_index(*index);
                          }(),
                      true)
                : false) ||
           ...);
    return found;
  }

  // Dispatches one message with the calling thread's decoder. Never throws.
  outcome dispatch(std::string_view message) {
    thread_local decoder local;
    return dispatch(local, message);
  }

  // Dispatches with a caller-owned decoder (one per thread).
  outcome dispatch(decoder& dec, std::string_view message) {
    if (message.size() > options_.max_bytes) {
      return by_policy(reason::malformed, {}, std::nullopt, error{errc::too_large, {}, {}});
    }
    const simdjson::padded_string_view padded = detail::decoder_access::pad(dec, message);
    simdjson::ondemand::document doc;
    if (auto e = detail::decoder_access::parser(dec).iterate(padded).get(doc)) {
      return by_policy(reason::malformed, {}, std::nullopt,
                       error{detail::map_simdjson_error(e), {}, {}});
    }
    detail::decode_context ctx{options_, padded.data(), padded.data() + padded.size()};
    detail::header_fields header;
    if (!detail::scan_header(ctx, doc, format_, header)) {
      return by_policy(reason_for(ctx.err.code, reason::invalid_envelope), header.type,
                       std::nullopt, std::move(ctx.err));
    }
    if (!header.has_type || !header.has_version) {
      std::string path = "/";
      path += header.has_type ? format_.version_key : format_.type_key;
      return by_policy(reason::invalid_envelope, header.type, std::nullopt,
                       error{errc::missing_field, std::move(path), {}});
    }
    const envelope_view env{header.type, header.version, header.id};
    std::optional<outcome> result;
    (void)((Families::type_name == header.type
                ? (result = dispatch_family<Families>(dec, doc, ctx, env), true)
                : false) ||
           ...);
    if (!result) return by_policy(reason::unknown_type, header.type, header.version, std::nullopt);
    return *std::move(result);
  }

 private:
  // Bytes that are not JSON are malformed wherever they sit; anything else is the caller's reason.
  static reason reason_for(errc code, reason otherwise) noexcept {
    return code == errc::malformed_json || code == errc::invalid_utf8 ? reason::malformed
                                                                      : otherwise;
  }

  outcome by_policy(reason r, std::string_view type, std::optional<std::uint32_t> version,
                    std::optional<error> err) const {
    const policy p = policy_for(r);
    outcome o;
    o.action = p.action;
    o.retry_delay = p.retry_delay;
    o.reason = r;
    o.type = type;
    o.version = version;
    o.error = std::move(err);
    return o;
  }

  template <class Family>
  outcome dispatch_family(decoder& dec, simdjson::ondemand::document& doc,
                          detail::decode_context& ctx, const envelope_view& env) {
    auto& handlers = std::get<detail::family_handlers<Family>>(handlers_);
    const auto index = Family::index_of(env.version);
    if (!index) {
      const reason r = env.version < Family::oldest_version ? reason::retired_version
                                                            : reason::unsupported_version;
      return by_policy(r, env.type, env.version, std::nullopt);
    }
    if (!handlers.handles_index(*index)) {
      return by_policy(reason::unsupported_version, env.type, env.version, std::nullopt);
    }
    outcome o;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (void)((*index == I ? (o = decode_and_call<Family, I>(dec, doc, ctx, env, handlers), true)
                          : false) ||
             ...);
    }
    (std::make_index_sequence<Family::version_count>{});
    return o;
  }

  template <class Family, std::size_t Index>
  outcome decode_and_call(decoder& dec, simdjson::ondemand::document& doc,
                          detail::decode_context& ctx, const envelope_view& env,
                          detail::family_handlers<Family>& handlers) {
    using payload = typename Family::template payload_at<Index>;
    // The header keys belong to the envelope, not to the payload struct.
    const std::array<std::string_view, 3> header_keys{format_.type_key, format_.version_key,
                                                      format_.id_key};
    ctx.header_keys = header_keys.data();
    ctx.header_key_count = header_keys.size();
    ctx.depth = 0;
    doc.rewind();
    payload value{};
    if (auto status = detail::decoder_access::decode_document(dec, value, doc, ctx); !status) {
      return by_policy(reason_for(status.error().code, reason::invalid_payload), env.type,
                       env.version, status.error());
    }
    outcome o;
    if (handlers.exact[Index]) {
      o = handlers.exact[Index](&value, env);
    } else {
      o = handlers.latest_handler(
          upcast_to<Family, Index, Family::version_count - 1>(std::move(value)), env);
    }
    if (o.reason == reason::handler_failed) {
      const policy p = policy_for(reason::handler_failed);
      o.action = p.action;
      o.retry_delay = p.retry_delay;
    }
    o.type = env.type;
    o.version = env.version;
    return o;
  }

  std::tuple<detail::family_handlers<Families>...> handlers_;
  std::array<policy, reason_count> policies_{};
  envelope_format format_{};
  options options_{};
};

}  // namespace skew

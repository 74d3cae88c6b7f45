// Layer rollout/: what a producer emits and whether a build may deploy: logic over manifests, no
// I/O and no dispatch.
//
// skew::emitter: the producer's side of a two-phase rollout. It holds the schema version to emit,
// settable at run time from any thread, and downcasts the latest payload struct to it.
//
//   skew::emitter<SendEmail> emitter({.produced_by = "mailer@2026.11.3"});
//   emitter.set_version(1);                  // phase 1: consumers are still learning v2
//   emitter.encode(SendEmailV2{...}, {.id = "m-1"});   // written as v1 through downcast()
//   emitter.set_version(2);                  // phase 2: every consumer reads v2
#pragma once

#include <skew/envelope/encode.hpp>
#include <skew/model/manifest.hpp>
#include <skew/model/message.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

namespace skew {

namespace detail {

template <class From, class To>
concept has_downcast_step = has_downcaster<From, To> || has_downcast_function<From, To>;

template <class From, class To>
To downcast_step(const From& from) {
  if constexpr (has_downcaster<From, To>) {
    return downcaster<From, To>::downcast(from);
  } else {
    return downcast(from);
  }
}

// Whether the user's downcast steps lead from version index From down to To.
template <class Family, std::size_t From, std::size_t To>
constexpr bool can_downcast() {
  if constexpr (From == To) {
    return true;
  } else {
    return has_downcast_step<typename Family::template payload_at<From>,
                             typename Family::template payload_at<From - 1>> &&
           can_downcast<Family, From - 1, To>();
  }
}

template <class Family, std::size_t From, std::size_t To>
typename Family::template payload_at<To> downcast_to(
    const typename Family::template payload_at<From>& payload) {
  static_assert(From > To);
  auto step = downcast_step<typename Family::template payload_at<From>,
                            typename Family::template payload_at<From - 1>>(payload);
  if constexpr (From - 1 == To) {
    return step;
  } else {
    return downcast_to<Family, From - 1, To>(step);
  }
}

template <class Family>
constexpr auto emittable_versions() {
  std::array<bool, Family::version_count> out{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((out[I] = can_downcast<Family, Family::version_count - 1, I>()), ...);
  }
  (std::make_index_sequence<Family::version_count>{});
  return out;
}

}  // namespace detail

// The producer's stamps, written as header attributes (omitted when empty) and shown to consumers
// in skew::envelope_view and skew::outcome: which build, under which configuration, wrote it.
struct emitter_stamps {
  std::string produced_by{};
  std::string config_revision{};
};

template <message_family Family>
class emitter {
 public:
  using latest = typename Family::latest;

  // Emits the latest version until set_version says otherwise.
  emitter() = default;
  explicit emitter(emitter_stamps stamps, const envelope_format& format = family_format<Family>)
      : stamps_(std::move(stamps)), format_(format) {}

  // Whether `version` can be emitted: a version of the family reachable from the latest through
  // the user's downcast steps.
  static constexpr bool can_emit(std::uint32_t version) noexcept {
    constexpr auto emittable = detail::emittable_versions<Family>();
    const auto index = Family::index_of(version);
    return index.has_value() && emittable[*index];
  }

  // Sets the version to emit from now on; thread-safe. A version the family lacks, or one with no
  // downcast path from the latest, is errc::unsupported_version and changes nothing.
  result<void> set_version(std::uint32_t version) noexcept {
    if (!can_emit(version)) return failure(errc::unsupported_version);
    version_.store(version, std::memory_order_release);
    return {};
  }
  std::uint32_t version() const noexcept { return version_.load(std::memory_order_acquire); }

  // What this producer writes of Family: the versions reachable from the latest through its
  // downcast steps, and the one it emits now; the build is the produced_by stamp.
  skew::manifest manifest() const {
    constexpr auto emittable = detail::emittable_versions<Family>();
    manifest_family f;
    f.type = std::string(Family::type_name);
    for (std::size_t i = 0; i < Family::version_count; ++i) {
      if (emittable[i]) f.writes.push_back(Family::versions[i]);
    }
    f.emits = version();
    skew::manifest m;
    m.build = stamps_.produced_by;
    m.families.push_back(std::move(f));
    return m;
  }

  const emitter_stamps& stamps() const noexcept { return stamps_; }
  const envelope_format& format() const noexcept { return format_; }

  // Encodes `payload` at the configured version, downcasting as needed; the stamps fill the
  // envelope fields the caller left empty.
  template <class Buffer>
  result<void> encode_to(Buffer& out, const latest& payload, envelope_fields fields = {}) const {
    if (fields.produced_by.empty()) fields.produced_by = stamps_.produced_by;
    if (fields.config_revision.empty()) fields.config_revision = stamps_.config_revision;
    const auto index = Family::index_of(version());
    result<void> status = failure(errc::unsupported_version);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (void)((*index == I ? (status = encode_index<I>(out, payload, fields), true) : false) || ...);
    }
    (std::make_index_sequence<Family::version_count>{});
    return status;
  }

  // Calls `write(payload_at_version, fields)` with the payload as the configured version holds it
  // (downcast as needed) and the fields with the stamps filled in; returns what it returns. For
  // writers other than encode: a broker's binary content mode, say.
  template <class Write>
  auto write_at_version(const latest& payload, envelope_fields fields, Write&& write) const {
    if (fields.produced_by.empty()) fields.produced_by = stamps_.produced_by;
    if (fields.config_revision.empty()) fields.config_revision = stamps_.config_revision;
    using written = decltype(write(payload, fields));
    const auto index = Family::index_of(version());
    written out = failure(errc::unsupported_version);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (void)((*index == I ? (out = write_index<I>(payload, fields, write), true) : false) || ...);
    }
    (std::make_index_sequence<Family::version_count>{});
    return out;
  }

  result<std::string> encode(const latest& payload, const envelope_fields& fields = {}) const {
    std::string out;
    if (auto status = encode_to(out, payload, fields); !status) return failure(status.error());
    return result<std::string>(std::move(out));
  }

 private:
  static constexpr std::size_t latest_index = Family::version_count - 1;

  template <std::size_t I, class Buffer>
  result<void> encode_index(Buffer& out, const latest& payload,
                            const envelope_fields& fields) const {
    if constexpr (I == latest_index) {
      return skew::encode_to<Family>(out, payload, fields, format_);
    } else if constexpr (detail::can_downcast<Family, latest_index, I>()) {
      return skew::encode_to<Family>(out, detail::downcast_to<Family, latest_index, I>(payload),
                                     fields, format_);
    } else {
      return failure(errc::unsupported_version);  // set_version never accepts it
    }
  }

  template <std::size_t I, class Write>
  auto write_index(const latest& payload, const envelope_fields& fields, Write& write) const {
    if constexpr (I == latest_index) {
      return write(payload, fields);
    } else if constexpr (detail::can_downcast<Family, latest_index, I>()) {
      return write(detail::downcast_to<Family, latest_index, I>(payload), fields);
    } else {
      return decltype(write(payload, fields))(failure(errc::unsupported_version));
    }
  }

  std::atomic<std::uint32_t> version_{Family::latest_version};
  emitter_stamps stamps_;
  envelope_format format_ = family_format<Family>;
};

}  // namespace skew

// Versioned cache keys and cache reads: during a rolling deploy, build N and build N+1 share one
// cache, and an entry one of them wrote must not be misread by the other.
//
//   std::string key = skew::cache_key<UserProfile>("user", 123);   // "user:123:v2"
//   auto entry = decoder.decode_cached<UserProfile>(cached_json);
//   if (!entry) log(entry.error());          // corrupt entry
//   else if (!*entry) recompute();           // written by another version: a miss
//   else use(**entry);
#pragma once

#include <skew/envelope/detail/read_envelope.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/model/message.hpp>
#include <skew/payload/decoder.hpp>

#include <skew/base/detail/fmt.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skew {

// "<prefix><sep><id><sep>v<version>", by default for the family's latest version: builds that
// read different versions use different keys, so neither overwrites the other's entries.
template <message_family Family, class Id>
std::string cache_key(std::string_view prefix, const Id& id,
                      std::uint32_t version = Family::latest_version,
                      std::string_view separator = ":") {
  return fmt::format("{}{}{}{}v{}", prefix, separator, id, separator, version);
}

// The implementation of decoder::decode_cached<Family>: the entry's envelope must name Family
// (else wrong_type at the type key); another version than `version` is a miss (empty optional).
template <message_family Family>
result<std::optional<typename Family::latest>> read_cache_entry(
    decoder& dec, std::string_view json, const options& opts, Family*,
    const envelope_format& format = family_format<Family>) {
  using latest = typename Family::latest;
  detail::parsed_input& input = detail::input_of(dec);
  const detail::flat_keys& keys = detail::cached_flat_keys(format);
  std::optional<detail::envelope_read> read;
  if (auto err = detail::read_envelope_header(input, json, format, opts, keys, read, false)) {
    return failure(std::move(*err));
  }
  detail::envelope_read& r = *read;
  if (r.header.type != Family::type_name) {
    return failure(error{errc::wrong_type, "/" + std::string(format.type_key), std::nullopt});
  }
  if (r.header.version != Family::latest_version) return std::optional<latest>();
  std::optional<latest> out(std::in_place);
  if (!detail::decode_payload(r.ctx, format, r.scratch, r.header, *out, keys)) {
    return failure(std::move(r.ctx.err));
  }
  return out;
}

}  // namespace skew

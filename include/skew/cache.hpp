// Versioned cache keys and cache reads: during a rolling deploy, build N and build N+1 share one
// cache, and an entry one of them wrote must not be misread by the other.
//
//   std::string key = skew::cache_key<UserProfile>("user", 123);   // "user:123:v2"
//   auto entry = decoder.decode_cached<UserProfile>(cached_json);
//   if (!entry) log(entry.error());          // corrupt entry
//   else if (!*entry) recompute();           // written by another version: a miss
//   else use(**entry);
#pragma once

#include <skew/decoder.hpp>
#include <skew/encode.hpp>
#include <skew/envelope.hpp>
#include <skew/message.hpp>

#include <skew/detail/fmt.hpp>

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
  if (json.size() > opts.max_bytes) return failure(errc::too_large);
  detail::parsed_input& input = detail::input_of(dec);
  if (auto e = input.parse(json)) return failure(input.failure(e));
  detail::decode_context ctx = input.context(opts);
  detail::header_scratch scratch;
  detail::header_fields header;
  const detail::flat_keys keys(format);
  if (!detail::read_header(ctx, format, scratch, header, keys)) {
    return failure(std::move(ctx.err));
  }
  if (header.type != Family::type_name) {
    return failure(error{errc::wrong_type, "/" + std::string(format.type_key), std::nullopt});
  }
  if (header.version != Family::latest_version) return std::optional<latest>();
  std::optional<latest> out(std::in_place);
  if (!detail::decode_payload(ctx, format, scratch, header, *out, keys)) {
    return failure(std::move(ctx.err));
  }
  return out;
}

}  // namespace skew

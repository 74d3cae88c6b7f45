// skew::envelope_format: where an envelope's header lives and what its keys are called. Shared by
// the readers (envelope/peek.hpp, dispatch/router.hpp) and the writer (envelope/encode.hpp).
//
//   flat (default)  {"type":"send-email","schemaVersion":2,"id":"…","to":"…"}
//   nested          {"type":"send-email","schemaVersion":2,"id":"…","data":{"to":"…"}}
//   cloudevents     CloudEvents 1.0 structured mode: {"specversion":"1.0","id":"…","source":"…",
//                   "type":"com.example.sent.v2","data":{…}}
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace skew {

enum class layout : unsigned char { flat, nested, cloudevents };

// Where the header lives and what its keys are called. Start from one of the factories:
//   skew::envelope_format::flat(), ::nested("data"), ::cloudevents()
struct envelope_format {
  std::string_view type_key = "type";
  std::string_view version_key = "schemaVersion";
  std::string_view id_key = "id";
  ::skew::layout layout = ::skew::layout::flat;
  // The payload's key in the nested and CloudEvents layouts.
  std::string_view data_key = "data";
  // Producer stamps: the emitting build and its configuration revision (optional attributes).
  std::string_view produced_by_key = "producedBy";
  std::string_view config_revision_key = "configRevision";
  // The five header keys, in header-slot order: type, version, id, producer, revision.
  constexpr std::array<std::string_view, 5> header_keys() const noexcept {
    return {type_key, version_key, id_key, produced_by_key, config_revision_key};
  }
  // The version to read a message that carries none as: how a team adopts skew on a queue whose
  // old messages have no version. 0 (unset, the default) makes a missing version an invalid
  // envelope (missing_field at the version key).
  std::uint32_t default_version = 0;
  // Read the version from a `.v<N>` suffix of the type (which is then matched without it), as the
  // CloudEvents primer suggests for breaking changes.
  bool version_in_type_suffix = false;

  static constexpr envelope_format flat() { return {}; }
  static constexpr envelope_format nested(std::string_view data_key = "data") {
    envelope_format f;
    f.layout = ::skew::layout::nested;
    f.data_key = data_key;
    return f;
  }
  // CloudEvents attribute names are lower-case alphanumerics, hence the extension names. A type
  // without a version suffix or extension is version 1: producers add versions with the first
  // breaking change.
  static constexpr envelope_format cloudevents() {
    envelope_format f;
    f.layout = ::skew::layout::cloudevents;
    f.version_key = "schemaversion";
    f.produced_by_key = "producedby";
    f.config_revision_key = "configrevision";
    f.default_version = 1;
    f.version_in_type_suffix = true;
    return f;
  }
};

// The layout a family's messages are written in; specialize for families on nested or CloudEvents
// queues:  template <> inline constexpr skew::envelope_format skew::family_format<Audit> =
//              skew::envelope_format::nested();
template <class Family>
inline constexpr envelope_format family_format = envelope_format::flat();

}  // namespace skew

// JSON Schema (draft 2020-12) export for payload structs and whole message families, so teams
// outside C++ (and schema registries) see the same contract the decoder enforces.
//
//   std::string s = skew::json_schema<SendEmailV2>();   // one payload version
//   std::string f = skew::json_schema<SendEmail>();     // the envelope: oneOf per version
//
// Required fields are `required`; fields that accept null (std::optional, skew::field) have
// "type": [..., "null"]; defaults are `default`; former names (aliases) are listed in
// `description` and accepted as properties too; closed enums list their values, open enums take any
// string; additionalProperties is true (the tolerant reader), false under unknown_keys::reject.
#pragma once

#include <skew/base/options.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/model/codec.hpp>
#include <skew/model/describe.hpp>
#include <skew/model/detail/builtin_codecs.hpp>
#include <skew/model/enum.hpp>
#include <skew/model/field.hpp>
#include <skew/model/message.hpp>
#include <skew/model/raw_json.hpp>
#include <skew/payload/detail/write_value.hpp>
#include <skew/payload/detail/write_variant.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace skew {

namespace detail {

inline void schema_string(std::string& out, std::string_view s) {
  encode_context ctx;
  output sink(out);
  if (!write_string(ctx, sink, s)) out += "\"\"";  // names come from source code: valid UTF-8
}

template <class T>
void write_schema(std::string& out, const options& opts, bool nullable);

}  // namespace detail

// What a codec's schema_keywords() writes with: JSON text as it is, and strings quoted.
class schema_writer {
 public:
  explicit schema_writer(std::string& out) noexcept : out_(out) {}
  void raw(std::string_view json) { out_ += json; }
  void string(std::string_view text) { detail::schema_string(out_, text); }

 private:
  std::string& out_;
};

namespace detail {

template <class T>
concept codec_with_schema_keywords = has_codec<T> && requires(schema_writer& s) {
  codec<T>::schema_keywords(s, true);
};

// `"type":"integer"` or, when null is accepted, `"type":["integer","null"]`.
inline void schema_type(std::string& out, std::string_view type, bool nullable) {
  out += "\"type\":";
  if (nullable) {
    out += "[\"";
    out += type;
    out += "\",\"null\"]";
  } else {
    out += '"';
    out += type;
    out += '"';
  }
}

// Properties and required names that come before a struct's own: a flat envelope's header keys,
// which share the payload's object. Each a comma-separated list, or empty.
struct leading_properties {
  std::string_view properties;
  std::string_view required;
};

template <class T>
void write_object_schema(std::string& out, const options& opts, bool nullable,
                         const leading_properties& leading = {}) {
  out += '{';
  schema_type(out, "object", nullable);
  out += ",\"properties\":{";
  out += leading.properties;
  bool first = leading.properties.empty();
  std::string required(leading.required);
  std::string either;  // required members that also arrive under a former name
  apply_members(
      [&](const auto&... members) {
        (
            [&](const auto& m) {
              using member_type = std::decay_t<decltype(m)>;
              using V = typename member_type::value_type;
              if constexpr (!member_type::is_unknown_fields) {
                constexpr bool takes_null = is_optional<V>::value || is_field<V>::value;
                for (std::size_t n = 0; n <= m.alias_count; ++n) {
                  const std::string_view name = n == 0 ? m.name : m.aliases[n - 1];
                  if (!first) out += ',';
                  first = false;
                  schema_string(out, name);
                  out += ':';
                  // The member's own schema, with its description and default spliced in.
                  std::string property;
                  write_schema<V>(property, opts, takes_null);
                  std::string extra;
                  if (m.alias_count > 0) {
                    std::string text =
                        n == 0 ? "also read under its former name" : "former name of ";
                    if (n == 0) {
                      text += m.alias_count > 1 ? "s " : " ";
                      for (std::size_t a = 0; a < m.alias_count; ++a) {
                        if (a != 0) text += ", ";
                        text += m.aliases[a];
                      }
                    } else {
                      text += m.name;
                    }
                    extra += ",\"description\":";
                    schema_string(extra, text);
                  }
                  if constexpr (member_type::has_default) {
                    if constexpr (std::is_constructible_v<V, decltype(m.default_)>) {
                      encode_context ctx;
                      std::string value;
                      output sink(value);
                      if (write_value(ctx, sink, V(m.default_))) extra += ",\"default\":" + value;
                    }
                  }
                  if (!extra.empty() && property.size() > 2) {
                    property.insert(property.size() - 1, extra);
                  } else if (!extra.empty()) {
                    property = "{" + extra.substr(1) + "}";
                  }
                  out += property;
                }
                if (member_is_required(m)) {
                  if (m.alias_count == 0) {
                    if (!required.empty()) required += ',';
                    schema_string(required, m.name);
                  } else {
                    if (!either.empty()) either += ',';
                    either += "{\"anyOf\":[{\"required\":[";
                    schema_string(either, m.name);
                    either += "]}";
                    for (std::size_t a = 0; a < m.alias_count; ++a) {
                      either += ",{\"required\":[";
                      schema_string(either, m.aliases[a]);
                      either += "]}";
                    }
                    either += "]}";
                  }
                }
              }
            }(members),
            ...);
      },
      members_of<T>);
  out += '}';
  if (!required.empty()) out += ",\"required\":[" + required + "]";
  if (!either.empty()) out += ",\"allOf\":[" + either + "]";
  out += ",\"additionalProperties\":";
  out += opts.unknown_keys == unknown_keys::reject ? "false" : "true";
  out += '}';
}

// A tagged variant: oneOf its alternatives, each with the tag as a required const property; a
// kept unknown alternative is any object whose tag is none of them.
template <class V>
void write_variant_schema(std::string& out, const options& opts, bool nullable) {
  using traits = variant_traits<V>;
  std::string key;
  schema_string(key, traits::key);
  out += "{\"oneOf\":[";
  std::string known_tags;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using A = std::variant_alternative_t<I, V>;
          if constexpr (!std::is_same_v<A, unknown_alternative>) {
            if (!known_tags.empty()) {
              known_tags += ',';
              out += ',';
            }
            schema_string(known_tags, traits::tag_of[I]);
            std::string tag_property = key + ":{\"const\":";
            schema_string(tag_property, traits::tag_of[I]);
            tag_property += '}';
            write_object_schema<A>(out, opts, false, {tag_property, key});
          }
        }(),
        ...);
  }
  (std::make_index_sequence<traits::size>{});
  if constexpr (traits::has_unknown) {
    out += ",{\"type\":\"object\",\"properties\":{" + key +
           ":{\"type\":\"string\",\"not\":{\"enum\":[" + known_tags + "]}}},\"required\":[" + key +
           "]}";
  }
  if (nullable) out += ",{\"type\":\"null\"}";
  out += "]}";
}

template <class T>
void write_schema(std::string& out, const options& opts, bool nullable) {
  if constexpr (has_codec<T>) {
    write_schema<wire_t<T>>(out, opts, nullable);
    if constexpr (codec_with_schema_keywords<T>) {
      // Inside the wire's schema object, after its keywords.
      out.pop_back();
      schema_writer keywords(out);
      codec<T>::schema_keywords(keywords, nullable);
      out += '}';
    }
  } else if constexpr (is_optional<T>::value || is_field<T>::value) {
    write_schema<typename T::value_type>(out, opts, true);
  } else if constexpr (std::is_same_v<T, bool>) {
    out += '{';
    schema_type(out, "boolean", nullable);
    out += '}';
  } else if constexpr (std::is_integral_v<T>) {
    out += '{';
    schema_type(out, "integer", nullable);
    out += ",\"minimum\":" + std::to_string(std::numeric_limits<T>::min());
    out += ",\"maximum\":" + std::to_string(std::numeric_limits<T>::max());
    out += '}';
  } else if constexpr (std::is_floating_point_v<T>) {
    out += '{';
    schema_type(out, "number", nullable);
    out += '}';
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    out += '{';
    schema_type(out, "string", nullable);
    out += '}';
  } else if constexpr (std::is_same_v<T, raw_json>) {
    out += "{}";  // any JSON value
  } else if constexpr (json_array<T>) {
    out += '{';
    schema_type(out, "array", nullable);
    out += ",\"items\":";
    write_schema<typename T::value_type>(out, opts, false);
    if constexpr (array_kind_of<T>::value == array_kind::fixed) {
      const std::string n = std::to_string(std::tuple_size_v<T>);
      out += ",\"minItems\":" + n + ",\"maxItems\":" + n;
    } else if constexpr (array_kind_of<T>::value == array_kind::set) {
      out += ",\"uniqueItems\":true";
    }
    out += '}';
  } else if constexpr (json_object_map<T>) {
    using K = typename T::key_type;
    out += '{';
    schema_type(out, "object", nullable);
    if constexpr (std::is_integral_v<K>) {
      out += ",\"propertyNames\":{\"pattern\":\"^-?(0|[1-9][0-9]*)$\"}";
    } else if constexpr (described_enum<K>) {
      out += ",\"propertyNames\":{\"enum\":[";
      for (std::size_t i = 0; i < enumerators_of<K>.size(); ++i) {
        if (i != 0) out += ',';
        schema_string(out, enumerators_of<K>[i].name);
      }
      out += "]}";
    }
    out += ",\"additionalProperties\":";
    write_schema<typename T::mapped_type>(out, opts, false);
    out += '}';
  } else if constexpr (described<T>) {
    write_object_schema<T>(out, opts, nullable);
  } else if constexpr (tagged_variant<T>) {
    write_variant_schema<T>(out, opts, nullable);
  } else if constexpr (is_variant<T>::value) {
    require_variant_tags<T>();
  } else {
    static_assert(dependent_false<T>, "skew::json_schema: describe this type first");
  }
}

inline constexpr std::string_view schema_dialect =
    "\"$schema\":\"https://json-schema.org/draft/2020-12/schema\"";

// One version's envelope: the payload's schema with the header properties added.
template <class Family, std::size_t Index>
void write_version_schema(std::string& out, const envelope_format& format, const options& opts) {
  using payload = typename Family::template payload_at<Index>;
  std::string header = "{";
  std::string required;
  auto add = [&](std::string_view key, const std::string& schema, bool is_required) {
    if (header.size() > 1) header += ',';
    schema_string(header, key);
    header += ':' + schema;
    if (is_required) {
      if (!required.empty()) required += ',';
      schema_string(required, key);
    }
  };
  // The current type name, and any former one a reader still accepts.
  std::string type_const;
  if constexpr (Family::former_names.size() == 0) {
    type_const = "{\"const\":";
    schema_string(type_const, Family::type_name);
    type_const += '}';
  } else {
    type_const = "{\"enum\":[";
    schema_string(type_const, Family::type_name);
    for (const std::string_view old : Family::former_names) {
      type_const += ',';
      schema_string(type_const, old);
    }
    type_const += "]}";
  }
  const std::string version_const = "{\"const\":" + std::to_string(Family::versions[Index]) + "}";
  const std::string text = "{\"type\":\"string\"}";
  const bool cloudevents = format.layout == layout::cloudevents;
  if (cloudevents) add("specversion", "{\"const\":\"1.0\"}", true);
  add(format.type_key, type_const, true);
  add(format.version_key, version_const, true);
  add(format.id_key, text, cloudevents);
  if (cloudevents) add("source", text, true);
  add(format.produced_by_key, text, false);
  add(format.config_revision_key, text, false);
  if (format.layout == layout::flat) {
    // Header and payload keys share one object: the header's properties and required keys come
    // first in a payload struct's own lists; any other payload must also match the header.
    if constexpr (described<payload>) {
      write_object_schema<payload>(out, opts, false,
                                   {std::string_view(header).substr(1), required});
    } else {
      out += "{\"allOf\":[";
      write_schema<payload>(out, opts, false);
      out +=
          ",{\"type\":\"object\",\"properties\":" + header + "},\"required\":[" + required + "]}]}";
    }
  } else {
    std::string payload_schema;
    write_schema<payload>(payload_schema, opts, false);
    add(format.data_key, payload_schema, false);
    out += "{\"type\":\"object\",\"properties\":" + header + "},\"required\":[" + required +
           "],\"additionalProperties\":true}";
  }
}

}  // namespace detail

// The JSON Schema of a payload struct (any described type), or of a message family's envelope:
// a oneOf with one entry per version, each fixing type and schemaVersion.
template <class T>
std::string json_schema(const options& opts = {},
                        const envelope_format& format = envelope_format::flat()) {
  std::string out;
  if constexpr (message_family<T>) {
    const envelope_format& f =
        format.layout == layout::flat && family_format<T>.layout != layout::flat ? family_format<T>
                                                                                 : format;
    out += '{';
    out += detail::schema_dialect;
    out += ",\"title\":";
    detail::schema_string(out, T::type_name);
    out += ",\"oneOf\":[";
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((out += (I == 0 ? "" : ","), detail::write_version_schema<T, I>(out, f, opts)), ...);
    }
    (std::make_index_sequence<T::version_count>{});
    out += "]}";
  } else {
    detail::write_schema<T>(out, opts, false);
    out.insert(1, std::string(detail::schema_dialect) + ",");
  }
  return out;
}

}  // namespace skew

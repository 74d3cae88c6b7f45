// RapidJSON and nlohmann::json as a user would use them for the workload matrix: parse the
// message into a DOM, then look each described member up by its JSON name (walking skew's
// description, so that one reader serves every workload). Included only when the library is.
#pragma once

#include <skew/skew.hpp>

#include <simdjson.h>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace workloads::dom {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

// Dom adapts one library: how to test, read and walk its values.
template <class Dom, class T>
bool read(const typename Dom::value& v, T& out);

// A missing or null optional member is reset; every other member is required (as skew reads the
// workloads' structs).
template <class Dom, class T>
bool read_member(const typename Dom::value* v, T& out) {
  if constexpr (is_optional<T>::value) {
    if (v == nullptr || Dom::is_null(*v)) {
      out.reset();
      return true;
    }
    return read<Dom>(*v, out ? *out : out.emplace());
  } else {
    return v != nullptr && read<Dom>(*v, out);
  }
}

template <class Dom, class T>
bool read(const typename Dom::value& v, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    return Dom::get_string(v, out);
  } else if constexpr (std::is_same_v<T, bool>) {
    return Dom::get_bool(v, out);
  } else if constexpr (std::is_integral_v<T>) {
    std::int64_t x = 0;
    if (!Dom::get_int64(v, x)) return false;
    out = static_cast<T>(x);
    return true;
  } else if constexpr (std::is_floating_point_v<T>) {
    return Dom::get_double(v, out);
  } else if constexpr (is_vector<T>::value) {
    const auto* items = Dom::array(v);
    if (items == nullptr) return false;
    out.resize(Dom::size(*items));
    std::size_t i = 0;
    for (const auto& item : Dom::elements(*items)) {
      if (!read<Dom>(item, out[i++])) return false;
    }
    return true;
  } else {
    static_assert(skew::described<T>);
    if (!Dom::is_object(v)) return false;
    return std::apply(
        [&](const auto&... member) {
          return (read_member<Dom>(Dom::find(v, member.name), member.get(out)) && ...);
        },
        skew::fields_of<T>);
  }
}

}  // namespace workloads::dom

#if __has_include(<rapidjson/document.h>)
#include <rapidjson/document.h>
#define SKEW_BENCH_HAVE_RAPIDJSON 1

namespace workloads::dom {

struct rapidjson_dom {
  using value = rapidjson::Value;
  static bool is_null(const value& v) { return v.IsNull(); }
  static bool is_object(const value& v) { return v.IsObject(); }
  static const value* find(const value& v, std::string_view name) {
    const value key(rapidjson::StringRef(name.data(), name.size()));
    auto it = v.FindMember(key);
    return it == v.MemberEnd() ? nullptr : &it->value;
  }
  static bool get_string(const value& v, std::string& out) {
    if (!v.IsString()) return false;
    out.assign(v.GetString(), v.GetStringLength());
    return true;
  }
  static bool get_bool(const value& v, bool& out) {
    if (!v.IsBool()) return false;
    out = v.GetBool();
    return true;
  }
  static bool get_int64(const value& v, std::int64_t& out) {
    if (!v.IsInt64()) return false;
    out = v.GetInt64();
    return true;
  }
  static bool get_double(const value& v, double& out) {
    if (!v.IsNumber()) return false;
    out = v.GetDouble();
    return true;
  }
  static const value* array(const value& v) { return v.IsArray() ? &v : nullptr; }
  static std::size_t size(const value& v) { return v.Size(); }
  static auto elements(const value& v) { return v.GetArray(); }
};

// Full precision: RapidJSON's default number parsing may be off in the last bit.
template <class T>
bool read_rapidjson(rapidjson::Document& doc, const simdjson::padded_string& json, T& out) {
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.data(), json.size());
  return !doc.HasParseError() && read<rapidjson_dom>(doc, out);
}

}  // namespace workloads::dom
#endif

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>
#define SKEW_BENCH_HAVE_NLOHMANN 1

namespace workloads::dom {

struct nlohmann_dom {
  using value = nlohmann::json;
  static bool is_null(const value& v) { return v.is_null(); }
  static bool is_object(const value& v) { return v.is_object(); }
  static const value* find(const value& v, std::string_view name) {
    auto it = v.find(name);
    return it == v.end() ? nullptr : &*it;
  }
  static bool get_string(const value& v, std::string& out) {
    if (!v.is_string()) return false;
    out = v.get_ref<const std::string&>();
    return true;
  }
  static bool get_bool(const value& v, bool& out) {
    if (!v.is_boolean()) return false;
    out = v.get<bool>();
    return true;
  }
  static bool get_int64(const value& v, std::int64_t& out) {
    if (!v.is_number_integer()) return false;
    out = v.get<std::int64_t>();
    return true;
  }
  static bool get_double(const value& v, double& out) {
    if (!v.is_number()) return false;
    out = v.get<double>();
    return true;
  }
  static const value* array(const value& v) { return v.is_array() ? &v : nullptr; }
  static std::size_t size(const value& v) { return v.size(); }
  static const value& elements(const value& v) { return v; }
};

template <class T>
bool read_nlohmann(const simdjson::padded_string& json, T& out) {
  const auto doc = nlohmann::json::parse(json.data(), json.data() + json.size(), nullptr,
                                         /*allow_exceptions=*/false);
  return !doc.is_discarded() && read<nlohmann_dom>(doc, out);
}

}  // namespace workloads::dom
#endif

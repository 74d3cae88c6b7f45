// Router statistics: how many messages of each (type, version) ended how, how many upcast steps
// and ignored keys they cost, and how often each former field name is still read. A snapshot is
// plain data; print it with fmt or expose it with skew::to_prometheus.
//
//   fmt::print("{}\n", router.stats());
//   http_response.body = skew::to_prometheus(router.stats());
#pragma once

#include <skew/base/detail/prometheus.hpp>
#include <skew/dispatch/outcome.hpp>

#include <skew/base/detail/fmt.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace skew {

// Counts for one (type, version). `type` is the envelope's type as received ("" when the message
// had none, "_other" for the overflow bucket once the bounded table is full); version 0 means none
// was read.
struct stats_entry {
  std::string type;
  std::uint32_t version = 0;
  // outcomes[reason][action]: a handler's outcome may retry a handled message, so both matter.
  std::array<std::array<std::uint64_t, action_count>, reason_count> outcomes{};
  std::uint64_t upcast_hops = 0;   // upcast steps taken to reach the handler's version
  std::uint64_t ignored_keys = 0;  // payload keys this build does not describe
  // events whose `traceparent` attribute is not a W3C traceparent (ignored: no creation context)
  std::uint64_t invalid_trace_context = 0;

  std::uint64_t count(::skew::reason r) const noexcept {
    std::uint64_t n = 0;
    for (auto c : outcomes[static_cast<std::size_t>(r)]) n += c;
    return n;
  }
  std::uint64_t count(::skew::action a) const noexcept {
    std::uint64_t n = 0;
    for (const auto& row : outcomes) n += row[static_cast<std::size_t>(a)];
    return n;
  }
  std::uint64_t total() const noexcept {
    std::uint64_t n = 0;
    for (const auto& row : outcomes)
      for (auto c : row) n += c;
    return n;
  }
};

// Reads of a field under a former name (alias): non-zero means a producer still writes it.
struct alias_read_entry {
  std::string type;
  std::uint32_t version = 0;
  std::string name;  // the old name
  std::uint64_t count = 0;
};

struct router_stats {
  std::vector<stats_entry> messages;  // sorted by type, then version
  std::vector<alias_read_entry> alias_reads;

  const stats_entry* find(std::string_view type, std::uint32_t version) const noexcept {
    for (const auto& e : messages) {
      if (e.type == type && e.version == version) return &e;
    }
    return nullptr;
  }
  std::uint64_t total(::skew::reason r) const noexcept {
    std::uint64_t n = 0;
    for (const auto& e : messages) n += e.count(r);
    return n;
  }
  std::uint64_t total(::skew::action a) const noexcept {
    std::uint64_t n = 0;
    for (const auto& e : messages) n += e.count(a);
    return n;
  }
  std::uint64_t total() const noexcept {
    std::uint64_t n = 0;
    for (const auto& e : messages) n += e.total();
    return n;
  }
  std::uint64_t alias_read_count(std::string_view type, std::string_view old_name) const noexcept {
    std::uint64_t n = 0;
    for (const auto& e : alias_reads) {
      if (e.type == type && e.name == old_name) n += e.count;
    }
    return n;
  }
};

namespace detail {
inline void append_type_version_labels(std::string& out, std::string_view type,
                                       std::uint32_t version) {
  out += "type=\"";
  append_label_value(out, type);
  out += "\",version=\"";
  if (version != 0) out += std::to_string(version);
  out += '"';
}
}  // namespace detail

// Prometheus text exposition format. Metrics (with `prefix`, default "skew"):
//   skew_messages_total{type,version,reason,action}  dispatched messages by outcome
//   skew_upcast_hops_total{type,version}             upcast steps taken
//   skew_ignored_keys_total{type,version}            payload keys this build does not describe
//   skew_invalid_trace_context_total{type,version}   events with an invalid traceparent attribute
//   skew_alias_reads_total{type,version,field}       values read under a field's former name
// `version` is "" when none was read; `type` is "" when the message had none and "_other" for
// types beyond the bounded table.
inline std::string to_prometheus(const router_stats& stats, std::string_view prefix = "skew") {
  std::string out;
  auto header = [&](std::string_view name, std::string_view help) {
    out += "# HELP ";
    out += prefix;
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += prefix;
    out += name;
    out += " counter\n";
  };
  header("_messages_total", "Messages dispatched, by envelope type, schema version and outcome.");
  for (const auto& e : stats.messages) {
    for (std::size_t r = 0; r < reason_count; ++r) {
      for (std::size_t a = 0; a < action_count; ++a) {
        if (e.outcomes[r][a] == 0) continue;
        out += prefix;
        out += "_messages_total{";
        detail::append_type_version_labels(out, e.type, e.version);
        out += ",reason=\"";
        out += to_string(static_cast<reason>(r));
        out += "\",action=\"";
        out += to_string(static_cast<action>(a));
        out += "\"} ";
        out += std::to_string(e.outcomes[r][a]);
        out += '\n';
      }
    }
  }
  auto per_entry = [&](std::string_view name, std::string_view help, auto member) {
    header(name, help);
    for (const auto& e : stats.messages) {
      out += prefix;
      out += name;
      out += '{';
      detail::append_type_version_labels(out, e.type, e.version);
      out += "} ";
      out += std::to_string(e.*member);
      out += '\n';
    }
  };
  per_entry("_upcast_hops_total", "Upcast steps taken to reach the handler's version.",
            &stats_entry::upcast_hops);
  per_entry("_ignored_keys_total", "Payload keys this build does not describe.",
            &stats_entry::ignored_keys);
  per_entry("_invalid_trace_context_total",
            "Events whose traceparent attribute is not a W3C traceparent (ignored).",
            &stats_entry::invalid_trace_context);
  header("_alias_reads_total", "Values read under a field's former name.");
  for (const auto& e : stats.alias_reads) {
    out += prefix;
    out += "_alias_reads_total{";
    detail::append_type_version_labels(out, e.type, e.version);
    out += ",field=\"";
    detail::append_label_value(out, e.name);
    out += "\"} ";
    out += std::to_string(e.count);
    out += '\n';
  }
  return out;
}

}  // namespace skew

// One line per (type, version): "send-email v1: 3 (handled 3; ack 3), 2 upcast hops".
template <>
struct fmt::formatter<skew::router_stats> : fmt::formatter<std::string_view> {
  // A template, so that a TU which never formats one does not compile this.
  template <class FormatContext>
  auto format(const skew::router_stats& s, FormatContext& ctx) const {
    auto out = ctx.out();
    bool first = true;
    for (const auto& e : s.messages) {
      if (!first) *out++ = '\n';
      first = false;
      out = fmt::format_to(out, "{} ", e.type.empty() ? std::string_view("<no type>") : e.type);
      out = e.version != 0 ? fmt::format_to(out, "v{}", e.version) : fmt::format_to(out, "v?");
      out = fmt::format_to(out, ": {} (", e.total());
      const char* sep = "";
      for (std::size_t r = 0; r < skew::reason_count; ++r) {
        const auto n = e.count(static_cast<skew::reason>(r));
        if (n == 0) continue;
        out = fmt::format_to(out, "{}{} {}", sep, skew::to_string(static_cast<skew::reason>(r)), n);
        sep = ", ";
      }
      out = fmt::format_to(out, ";");
      for (std::size_t a = 0; a < skew::action_count; ++a) {
        const auto n = e.count(static_cast<skew::action>(a));
        if (n != 0)
          out = fmt::format_to(out, " {} {}", skew::to_string(static_cast<skew::action>(a)), n);
      }
      out = fmt::format_to(out, ")");
      if (e.upcast_hops != 0) out = fmt::format_to(out, ", {} upcast hops", e.upcast_hops);
      if (e.ignored_keys != 0) out = fmt::format_to(out, ", {} ignored keys", e.ignored_keys);
      if (e.invalid_trace_context != 0) {
        out = fmt::format_to(out, ", {} invalid trace contexts", e.invalid_trace_context);
      }
    }
    for (const auto& e : s.alias_reads) {
      if (!first) *out++ = '\n';
      first = false;
      out = fmt::format_to(out, "{} v{}: old name \"{}\" read {} times", e.type, e.version, e.name,
                           e.count);
    }
    return out;
  }
};

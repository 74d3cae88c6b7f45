// libFuzzer: router dispatch over several families in the flat, nested and CloudEvents layouts.
// Every input gives an outcome; a handler runs only for an ack.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_types.hpp"

namespace {
using Inners = skew::message<"inner", fuzz::Inner>;

struct routers {
  skew::router<fuzz::Family, Inners> flat;
  skew::router<fuzz::Family, Inners> nested;
  skew::router<fuzz::Family, Inners> cloudevents;
  long calls = 0;

  routers() {
    nested.set_format(skew::envelope_format::nested());
    cloudevents.set_format(skew::envelope_format::cloudevents());
    for (auto* r : {&flat, &nested, &cloudevents}) {
      r->on<fuzz::Family>([this](const fuzz::Everything&, const skew::envelope_view& env) {
        ++calls;
        if (env.type.empty() || env.version == 0) __builtin_trap();
      });
      r->on<Inners, 1>([this](const fuzz::Inner&, const skew::envelope_view&) { ++calls; });
    }
  }
};
// The flat header read twice, with and without the compact readers: they must agree on
// everything they report, errors included.
struct header_read {
  bool ok = false;
  skew::errc code{};
  std::string path;
  std::string type;
  std::string id;
  std::string produced_by;
  std::uint32_t version = 0;
  bool has_type = false;
  bool has_version = false;
  bool has_id = false;
  std::vector<std::string> attributes;
  bool payload_first = false;  // where the payload pass starts
  friend bool operator==(const header_read&, const header_read&) = default;
};

header_read read_flat_header(skew::decoder& dec, std::string_view json, bool compact) {
  using namespace skew::detail;
  static const skew::options opts;
  static const skew::envelope_format format;
  static const flat_keys keys(format);
  header_read r;
  parsed_input& input = input_of(dec);
  if (input.parse(json)) return r;
  decode_context ctx = input.context(opts);
  header_scratch scratch;
  header_fields h;
  // The header pass, then the rest of the header as for a message that is not decoded: the
  // accelerators hand over at other keys than the general step, and the state they hand over
  // must lead to the same result, errors included.
  r.ok = read_header(ctx, format, scratch, h, keys,
                     compact ? header_fast_paths::all : header_fast_paths::none);
  r.payload_first = h.cursor.payload_first;
  if (r.ok) r.ok = read_rest_of_flat_header(ctx, keys, scratch, h);
  r.code = ctx.err.code;
  r.path = ctx.err.path;
  r.type = h.type;
  r.id = h.id;
  r.produced_by = h.produced_by;
  r.version = h.version;
  r.has_type = h.has_type;
  r.has_version = h.has_version;
  r.has_id = h.has_id;
  for (const auto& a : h.flat_attributes()) {
    r.attributes.push_back(std::string(a.name) + "=" + std::string(a.json) + "|" +
                           std::string(a.text) + (a.is_string ? "s" : ""));
  }
  return r;
}
// The lookups that compare words without branching on the key must answer as plain compares
// do, for any key: header key names, and message types (names sharing a length, one of 32 bytes,
// longer ones).
void check_lookups(std::string_view input) {
  using namespace skew::detail;
  static const flat_keys keys{skew::envelope_format{}};
  static constexpr std::array<std::string_view, 6> types = {
      "a",
      "b",
      "order.placed",
      "com.example.billing.invoice-paid",
      "com.example.billing.x-issued",
      "com.example.billing.accounts-receivable.invoice-reminder-scheduled"};
  static constexpr name_index<types.size()> type_index{types};
  // Every prefix of the input's first bytes, in a buffer with the slack the lookups read.
  std::string buffer(input.substr(0, 80));
  const std::size_t n = buffer.size();
  buffer.resize(n + 64);
  for (std::size_t k = 0; k <= n; ++k) {
    const std::string_view key(buffer.data(), k);
    if (keys.find_without_branches(key) != keys.find(key)) __builtin_trap();
    std::size_t linear = types.size();
    for (std::size_t t = 0; t < types.size(); ++t) {
      if (types[t] == key) linear = t;
    }
    if (type_index.find(key) != linear) __builtin_trap();
  }
}

// Everything an outcome reports; error offsets at or past `shifted_from` moved back by one.
std::string outcome_text(const skew::outcome& o, std::size_t shifted_from = SIZE_MAX) {
  std::string text = std::to_string(static_cast<int>(o.reason)) + " " +
                     std::to_string(static_cast<int>(o.action)) + " " + std::string(o.type) + " " +
                     std::to_string(o.version.value_or(0)) + " " + std::string(o.id) + " " +
                     std::string(o.produced_by);
  if (o.error) {
    std::size_t offset = o.error->offset.value_or(SIZE_MAX);
    if (offset != SIZE_MAX && offset >= shifted_from) --offset;
    text += " " + std::to_string(static_cast<int>(o.error->code)) + " " + o.error->path + " " +
            std::to_string(offset);
  }
  return text;
}

// A flat router reads a header at the object's end from there (only to route, and a message
// that then fails from the start again); a space before the last brace takes that reader out of
// play. The outcome must not change.
void check_header_at_end(skew::router<fuzz::Family, Inners>& flat, std::string_view json) {
  if (json.empty() || json.back() != '}') return;
  std::string spaced(json);
  spaced.insert(spaced.size() - 1, " ");
  const std::string read = outcome_text(flat.dispatch(json));
  if (read != outcome_text(flat.dispatch(spaced), spaced.size() - 2)) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static routers r;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  static skew::decoder dec;
  if (read_flat_header(dec, json, true) != read_flat_header(dec, json, false)) __builtin_trap();
  check_lookups(json);
  check_header_at_end(r.flat, json);
  for (auto* router : {&r.flat, &r.nested, &r.cloudevents}) {
    const long before = r.calls;
    const skew::outcome o = router->dispatch(json);
    const bool called = r.calls != before;
    if (called != (o.reason == skew::reason::handled)) __builtin_trap();
    if (o.reason != skew::reason::handled && o.action == skew::action::ack) __builtin_trap();
  }
  return 0;
}

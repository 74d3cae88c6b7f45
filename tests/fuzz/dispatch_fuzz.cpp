// libFuzzer: router dispatch over several families in the flat, nested and CloudEvents layouts.
// Every input gives an outcome; a handler runs only for an ack.
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
// The flat header read twice, with and without the compact fast path: the two readers must agree
// on everything they report, errors included.
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
  std::uint32_t next = 0;
  bool allow_close = false;
  bool at_payload = false;
  friend bool operator==(const header_read&, const header_read&) = default;
};

header_read read_flat_header(skew::decoder& dec, std::string_view json, bool compact) {
  using namespace skew::detail;
  static const skew::options opts;
  static const skew::envelope_format format;
  static const flat_keys keys(format);
  header_read r;
  const auto padded = decoder_access::pad(dec, json);
  structural_index& index = decoder_access::index(dec);
  if (index.build(padded.data(), padded.size())) return r;
  decode_context ctx{opts, padded.data(), padded.data() + padded.size()};
  ctx.bind(index);
  header_scratch scratch;
  header_fields h;
  flat_cursor cursor;
  r.ok = read_header(ctx, format, scratch, h, cursor, keys, compact);
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
  r.next = cursor.next;
  r.allow_close = cursor.allow_close;
  r.at_payload = cursor.at_payload;
  return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static routers r;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  static skew::decoder dec;
  if (read_flat_header(dec, json, true) != read_flat_header(dec, json, false)) __builtin_trap();
  for (auto* router : {&r.flat, &r.nested, &r.cloudevents}) {
    const long before = r.calls;
    const skew::outcome o = router->dispatch(json);
    const bool called = r.calls != before;
    if (called != (o.reason == skew::reason::handled)) __builtin_trap();
    if (o.reason != skew::reason::handled && o.action == skew::action::ack) __builtin_trap();
  }
  return 0;
}

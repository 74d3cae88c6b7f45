// libFuzzer: router dispatch over several families in the flat, nested and CloudEvents layouts.
// Every input gives an outcome; a handler runs only for an ack.
#include <cstddef>
#include <cstdint>
#include <string_view>

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
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static routers r;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  for (auto* router : {&r.flat, &r.nested, &r.cloudevents}) {
    const long before = r.calls;
    const skew::outcome o = router->dispatch(json);
    const bool called = r.calls != before;
    if (called != (o.reason == skew::reason::handled)) __builtin_trap();
    if (o.reason != skew::reason::handled && o.action == skew::action::ack) __builtin_trap();
  }
  return 0;
}

// The render-report family the job envelope carries (version 2 reads 4 of its 12 keys), and the
// same envelope with its header keys last, for the benchmarks that dispatch it.
#pragma once

#include <skew/skew.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace bench {

inline constexpr std::string_view header_last =
    R"({"tenant":"acme-corp","attempt":1,"priority":5,"createdAt":"2026-11-26T08:22:27Z",)"
    R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",)"
    R"("producer":{"service":"scheduler","build":"2026.11.3"},"queue":"reports",)"
    R"("deadlineMs":30000,"payload":"quarterly-revenue-q3",)"
    R"("id":"4f1c2a9e-8b7d-4c3e-9a21-6d5f0e7b8c90","schemaVersion":2,"type":"render-report"})";

}  // namespace bench

namespace jobs {
struct RenderV1 {
  std::string tenant;
  int priority = 0;
  std::string payload;
};
SKEW_DESCRIBE(RenderV1, tenant, priority, payload)
struct RenderV2 {
  std::string tenant;
  int priority = 0;
  std::string payload;
  std::string createdAt;
};
SKEW_DESCRIBE(RenderV2, tenant, priority, payload, createdAt)
RenderV2 upcast(RenderV1&& v) {
  return {std::move(v.tenant), v.priority, std::move(v.payload), ""};
}
}  // namespace jobs

using Render = skew::message<"render-report", jobs::RenderV1, jobs::RenderV2>;

// The small job envelope every benchmark workload starts from: 364 bytes, 12 keys, 5 of them
// unknown to the readers (one a nested object), header keys first as writers usually emit them.
#pragma once

#include <string_view>

namespace bench {

inline constexpr std::string_view job_json =
    R"({"type":"render-report","schemaVersion":2,"id":"4f1c2a9e-8b7d-4c3e-9a21-6d5f0e7b8c90",)"
    R"("tenant":"acme-corp","attempt":1,"priority":5,"createdAt":"2026-11-26T08:22:27Z",)"
    R"("traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",)"
    R"("producer":{"service":"scheduler","build":"2026.11.3"},"queue":"reports",)"
    R"("deadlineMs":30000,"payload":"quarterly-revenue-q3"})";

}  // namespace bench

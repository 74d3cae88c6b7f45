// The emitter: run-time emission version, downcasts, rejection of unreachable versions, stamps,
// and thread safety of set_version against concurrent encodes.
#include <skew/dispatch/router.hpp>
#include <skew/rollout/emitter.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace emit {
struct V1 {
  std::string to;
};
SKEW_DESCRIBE(V1, to)
struct V2 {
  std::string to;
  std::string locale;
};
SKEW_DESCRIBE(V2, to, locale)
struct V3 {
  std::string to;
  std::string locale;
  int priority = 0;
};
SKEW_DESCRIBE(V3, to, locale, priority)
V2 upcast(V1&& v) {
  return {std::move(v.to), "en"};
}
V3 upcast(V2&& v) {
  return {std::move(v.to), std::move(v.locale), 0};
}
V2 downcast(const V3& v) {
  return {v.to, v.locale};
}
// No V1 downcast(const V2&): v1 cannot be emitted from v3.
}  // namespace emit

using Mail = skew::message<"mail", emit::V1, emit::V2, emit::V3>;

TEST_CASE("the emitter writes the latest version by default and downcasts on request") {
  skew::emitter<Mail> emitter;
  CHECK(emitter.version() == 3u);
  const emit::V3 latest{"a@b", "de", 7};
  auto v3 = emitter.encode(latest, {.id = "1"});
  REQUIRE(v3);
  CHECK(*v3 ==
        R"({"type":"mail","schemaVersion":3,"id":"1","to":"a@b","locale":"de","priority":7})");
  REQUIRE(emitter.set_version(2));
  CHECK(emitter.version() == 2u);
  auto v2 = emitter.encode(latest, {.id = "2"});
  REQUIRE(v2);
  CHECK(*v2 == R"({"type":"mail","schemaVersion":2,"id":"2","to":"a@b","locale":"de"})");
}

TEST_CASE("a version without a downcast path is rejected when set, not when encoding") {
  skew::emitter<Mail> emitter;
  REQUIRE(emitter.set_version(2));
  for (std::uint32_t bad : {0u, 1u, 4u}) {
    CAPTURE(bad);
    auto status = emitter.set_version(bad);
    REQUIRE_FALSE(status);
    CHECK(status.error().code == skew::errc::unsupported_version);
    CHECK(emitter.version() == 2u);  // unchanged
  }
  static_assert(skew::emitter<Mail>::can_emit(2) && skew::emitter<Mail>::can_emit(3));
  static_assert(!skew::emitter<Mail>::can_emit(1));
}

TEST_CASE("stamps are written as header attributes and reach consumers") {
  skew::emitter<Mail> emitter({.produced_by = "mailer@2026.11.3", .config_revision = "r17"});
  auto json = emitter.encode({"a@b", "en", 1});
  REQUIRE(json);
  CHECK(json->find(R"("producedBy":"mailer@2026.11.3","configRevision":"r17")") !=
        std::string::npos);
  skew::router<Mail> router;
  std::string seen;
  router.on<Mail>([&](const emit::V3&, const skew::envelope_view& env) {
    seen = std::string(env.produced_by) + "/" + std::string(env.config_revision);
  });
  auto o = router.dispatch(*json);
  CHECK(o.produced_by == "mailer@2026.11.3");
  CHECK(o.config_revision == "r17");
  CHECK(seen == "mailer@2026.11.3/r17");
  // A stamp given per message wins over the emitter's.
  auto own = emitter.encode({"a@b", "en", 1}, {.produced_by = "batch-job"});
  CHECK(own->find(R"("producedBy":"batch-job")") != std::string::npos);
}

TEST_CASE("encode_to reuses a buffer; set_version is safe while other threads encode") {
  skew::emitter<Mail> emitter;
  std::atomic<bool> stop{false};
  std::atomic<int> v2_seen{0}, v3_seen{0}, bad{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&] {
      fmt::memory_buffer buffer;
      for (int i = 0; i < 2000 || !stop.load(); ++i) {
        buffer.clear();
        if (!emitter.encode_to(buffer, emit::V3{"x@y", "fr", 2})) {
          ++bad;
          continue;
        }
        const std::string_view json(buffer.data(), buffer.size());
        if (json.find(R"("schemaVersion":2)") != std::string_view::npos &&
            json.find("priority") == std::string_view::npos) {
          ++v2_seen;
        } else if (json.find(R"("schemaVersion":3)") != std::string_view::npos &&
                   json.find(R"("priority":2)") != std::string_view::npos) {
          ++v3_seen;
        } else {
          ++bad;
        }
        if (i > 100000) break;
      }
    });
  }
  for (int flip = 0; flip < 200; ++flip) REQUIRE(emitter.set_version(flip % 2 ? 2 : 3));
  stop = true;
  for (auto& w : writers) w.join();
  CHECK(bad == 0);
  CHECK(v2_seen + v3_seen >= 6000);
}

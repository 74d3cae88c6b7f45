// broker.hpp: what every broker adapter does with an outcome, and the counters it keeps.
#include <skew/adapters/broker.hpp>

#include <doctest/doctest.h>

#include <fmt/format.h>

namespace {
skew::outcome with(skew::action a, skew::reason r) {
  skew::outcome o;
  o.action = a;
  o.reason = r;
  return o;
}
}  // namespace

TEST_CASE("ack and drop are acknowledged, whatever the delivery") {
  const skew::redelivery_limits limits;
  for (std::uint32_t delivery : {1u, 5u, 100u}) {
    CHECK(skew::decide(skew::outcome::ack(), delivery, limits).step ==
          skew::broker_step::acknowledge);
    CHECK(skew::decide(skew::outcome::drop(), delivery, limits).step ==
          skew::broker_step::acknowledge);
  }
}

TEST_CASE("a dead letter says why: the router's reason, or the handler's rejection") {
  const skew::redelivery_limits limits;
  const auto d = skew::decide(with(skew::action::dead_letter, skew::reason::malformed), 1, limits);
  CHECK(d.step == skew::broker_step::dead_letter);
  CHECK(d.reason == "malformed");
  CHECK_FALSE(d.exhausted);
  CHECK(skew::decide(skew::outcome::dead_letter(), 1, limits).reason == "rejected_by_handler");
}

TEST_CASE("retries end at max_deliveries; skew retries have their own limit, none by default") {
  skew::redelivery_limits limits;
  limits.max_deliveries = 3;
  const auto failed = with(skew::action::retry, skew::reason::handler_failed);
  CHECK(skew::decide(failed, 1, limits).step == skew::broker_step::retry);
  CHECK(skew::decide(failed, 2, limits).step == skew::broker_step::retry);
  const auto last = skew::decide(failed, 3, limits);
  CHECK(last.step == skew::broker_step::dead_letter);
  // The reason stays a name a program can match; the count has its own field.
  CHECK(last.reason == "handler_failed");
  CHECK(last.deliveries == 3);
  CHECK(last.exhausted);
  CHECK(skew::decide(failed, 2, limits).deliveries == 2);
  CHECK_FALSE(skew::decide(failed, 2, limits).exhausted);

  for (auto r : {skew::reason::unknown_type, skew::reason::unsupported_version}) {
    CHECK(skew::is_skew_retry(r));
    CHECK(skew::decide(with(skew::action::retry, r), 1000, limits).step ==
          skew::broker_step::retry);
  }
  CHECK_FALSE(skew::is_skew_retry(skew::reason::handler_failed));
  limits.max_skew_deliveries = 4;
  const auto skewed = with(skew::action::retry, skew::reason::unsupported_version);
  CHECK(skew::decide(skewed, 3, limits).step == skew::broker_step::retry);
  CHECK(skew::decide(skewed, 4, limits).reason == "unsupported_version");
  CHECK(skew::decide(skewed, 4, limits).deliveries == 4);
  // No limit at all.
  limits.max_deliveries = 0;
  CHECK(skew::decide(failed, 1000, limits).step == skew::broker_step::retry);
}

TEST_CASE("the error text is the decoder's error, what the handler threw, or what was not found") {
  skew::outcome o = with(skew::action::dead_letter, skew::reason::invalid_payload);
  CHECK(skew::error_text(o) == "invalid_payload");
  o.error = skew::error{skew::errc::missing_field, "/to", 3};
  CHECK(skew::error_text(o) == fmt::format("{}", *o.error));
  CHECK(skew::error_text(o).find("/to") != std::string::npos);
  skew::outcome thrown = with(skew::action::retry, skew::reason::handler_failed);
  thrown.handler_error = "smtp timeout";
  CHECK(skew::error_text(thrown) == "smtp timeout");
  // A retry that ran out names what this build lacks: never an empty error.
  skew::outcome unknown = with(skew::action::retry, skew::reason::unknown_type);
  unknown.type = "invoice.voided";
  unknown.version = 2;
  CHECK(skew::error_text(unknown) == "no family of this build has the type 'invoice.voided'");
  skew::outcome newer = with(skew::action::retry, skew::reason::unsupported_version);
  newer.type = "send-email";
  newer.version = 3;
  CHECK(skew::error_text(newer) == "this build has no handler for 'send-email' v3");
}

TEST_CASE("internal: counters are read as one snapshot and format for logs") {
  skew::detail::broker_counter_block block;
  skew::detail::broker_counter_block::add(block.acked, 3);
  skew::detail::broker_counter_block::add(block.retried);
  skew::detail::broker_counter_block::add(block.redelivered, 2);
  skew::detail::broker_counter_block::add(block.exhausted);
  skew::detail::broker_counter_block::add(block.not_addressed, 4);
  skew::detail::broker_counter_block::add(block.invalid_trace_context, 5);
  const skew::broker_counters c = block.snapshot();
  CHECK(c.acked == 3);
  CHECK(c.retried == 1);
  CHECK(c.dead_lettered == 0);
  CHECK(c.redelivered == 2);
  CHECK(c.exhausted == 1);
  CHECK(c.not_addressed == 4);
  CHECK(c.invalid_trace_context == 5);
  CHECK(fmt::format("{}", c) ==
        "acked=3 retried=1 dead_lettered=0 redelivered=2 duplicates=0 exhausted=1 "
        "not_addressed=4 invalid_trace_context=5");
}

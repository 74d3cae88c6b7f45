// The playbook's snippets, compiled and run by the test suite so they cannot rot. Each step is
// one change a team makes under skew, with the calls that keep a rolling deploy safe; README.md
// walks through them in order.
#include <skew/evolve/testing.hpp>
#include <skew/skew.hpp>

#include <fmt/core.h>

#include <optional>
#include <string>

namespace playbook {

// --- 1. Add an optional field: any deploy order. -----------------------------------------------
struct ProfileV1 {
  std::string name;
};
SKEW_DESCRIBE(ProfileV1, name)
struct ProfileV1WithAvatar {
  std::string name;
  std::optional<std::string> avatar;  // old writers omit it, old readers ignore it
};
SKEW_DESCRIBE(ProfileV1WithAvatar, name, avatar)
static_assert(skew::compatible<ProfileV1, ProfileV1WithAvatar, skew::compat::full>);

// --- 2. Add a required field (6. add a version): a new version with an upcast step; ship readers
// first, then flip the emitter. ------------------------------------------------------------------
struct EmailV1 {
  std::string to;
};
SKEW_DESCRIBE(EmailV1, to)
struct EmailV2 {
  std::string to;
  std::string locale;  // required from v2 on
};
SKEW_DESCRIBE(EmailV2, to, locale)
EmailV2 upcast(EmailV1&& v1) {
  return {std::move(v1.to), "en"};
}  // what v1 meant
EmailV1 downcast(const EmailV2& v2) {
  return {v2.to};
}  // lets producers emit v1
using Email = skew::message<"send-email", EmailV1, EmailV2>;
// v2 cannot read v1 on its own (the field is required): the version and upcast make it safe.
static_assert(!skew::compatible<EmailV1, EmailV2, skew::compat::backward>);

// --- 3. Rename a field: alias on read, dual write during the transition. ----------------------
struct Payment {
  long amount_minor = 0;
};
// --- 4. Change a field's meaning: never reuse the name; a new version converts in its upcast. --
struct PriceV1 {
  long cents = 0;
};
SKEW_DESCRIBE(PriceV1, cents)
struct PriceV2 {
  double major_units = 0;  // a new name for the new meaning
};
SKEW_DESCRIBE(PriceV2, major_units)
PriceV2 upcast(PriceV1&& v1) {
  return {static_cast<double>(v1.cents) / 100.0};
}
using Price = skew::message<"price", PriceV1, PriceV2>;

// --- 7. Retire a version: drop it from the family once no writer emits it. -------------------
using EmailWithoutV1 = skew::message<"send-email", skew::version<2, EmailV2>>;

}  // namespace playbook

template <>
struct skew::describe<playbook::Payment> {
  static constexpr auto fields =
      skew::fields(skew::member<&playbook::Payment::amount_minor>("amount_minor")
                       .alias("amountCents")
                       .dual_write());
};

int main() {
  using namespace playbook;
  skew::decoder decoder;

  // 1. An old message (no avatar) and a new one (with it) both read.
  auto old_profile = decoder.decode<ProfileV1WithAvatar>(R"({"name":"Ada"})");
  fmt::print("1. optional field: old message reads, avatar {}\n",
             old_profile && !old_profile->avatar ? "absent" : "?");

  // 2. Readers know v2 first; producers emit v1 until every reader does, then flip.
  skew::emitter<Email> emitter;
  (void)emitter.set_version(1);  // phase 1: readers are learning v2
  skew::router<Email> readers;
  readers.on<Email>([](const EmailV2& m, const skew::envelope_view& env) {
    fmt::print("2. required field: v{} read as v2 with locale {}\n", env.version, m.locale);
  });
  readers.dispatch(*emitter.encode({"ada@example.com", "de"}));
  (void)emitter.set_version(2);  // phase 2: every reader reads v2
  readers.dispatch(*emitter.encode({"ada@example.com", "de"}));

  // 3. Writes both names; reads either; counts reads of the old name alone.
  fmt::print("3. rename: writes {}\n", *skew::encode(Payment{1250}));
  auto from_old_writer = decoder.decode<Payment>(R"({"amountCents":990})");
  fmt::print("   an old writer's amountCents reads as amount_minor={} (old-name reads: {})\n",
             from_old_writer->amount_minor, decoder.last_alias_reads());

  // 4. The upcast converts the meaning; the name never changes meaning.
  skew::router<Price> prices;
  prices.on<Price>([](const PriceV2& p, const skew::envelope_view&) {
    fmt::print("4. meaning change: 1999 cents from v1 reads as {} major units\n", p.major_units);
  });
  prices.dispatch(R"({"type":"price","schemaVersion":1,"cents":1999})");

  // 5. A new type: old consumers retry it (a newer pod may take it) and can route it away.
  skew::router<Email> old_consumer;
  old_consumer.on<Email>([](const EmailV2&, const skew::envelope_view&) {});
  const char* refund = R"({"type":"refund-issued","schemaVersion":1,"amount":5})";
  const auto header = skew::peek_header(refund);
  fmt::print("5. new type: {}; can_handle={}\n", old_consumer.dispatch(refund),
             old_consumer.can_handle(header->type, header->version));

  // 6. Before adding a version, the matrix says who reads what: build N retries v2, never drops.
  const auto matrix = skew::testing::version_matrix<Email>({{"ada@example.com", "de"}});
  fmt::print("6. add a version: what a v1 reader does with v2 messages: {}\n{}",
             skew::to_string(*matrix.at(2, 1)), matrix.to_string());

  // 7. After retiring v1, a straggler v1 message is dead-lettered with its reason.
  skew::router<EmailWithoutV1> retired;
  retired.on<EmailWithoutV1>([](const EmailV2&, const skew::envelope_view&) {});
  fmt::print("7. retired version: {}\n",
             retired.dispatch(R"({"type":"send-email","schemaVersion":1,"to":"x"})"));

  // 8. Cached values carry their version: another build's entry is a miss, not a misread.
  const std::string key = skew::cache_key<Email>("email-draft", 42);
  const auto cached_v1 = skew::encode<Email>(EmailV1{"ada@example.com"});
  const auto entry = decoder.decode_cached<Email>(*cached_v1);
  fmt::print("8. cache: key {}; a v1 entry is {}\n", key,
             entry && !*entry ? "a miss (recompute)" : "?");

  // 9. Flip a flag at run time: the emitter's version, and the config revision in the stamps.
  skew::emitter<Email> stamped({.produced_by = "mailer@2026.11.3", .config_revision = "r18"});
  (void)stamped.set_version(1);
  skew::router<Email> fleet;
  fleet.on<Email>([](const EmailV2&, const skew::envelope_view&) {});
  const auto o = fleet.dispatch(*stamped.encode({"ada@example.com", "fr"}));
  fmt::print("9. flag flip: emitting v{}, consumers see producedBy={} configRevision={}\n",
             stamped.version(), o.produced_by, o.config_revision);
  return 0;
}

// Behaviour of skew::decoder on whole messages: the tolerant-reader rules.
#include <skew/payload/decoder.hpp>

#include <doctest/doctest.h>
#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

namespace msg {
struct Line {
  std::string sku;
  skew::field<int> qty;
};
SKEW_DESCRIBE(Line, sku, qty)

struct Order {
  std::string id;
  skew::field<std::string> note;
  std::optional<int> priority;
  std::vector<Line> lines;
  skew::field<Line> gift;
};
SKEW_DESCRIBE(Order, id, note, priority, lines, gift)

struct Payment {
  long amount_minor = 0;
  std::string currency;
  int attempts = 0;
};
struct IdOnly {
  std::string_view id;
};
SKEW_DESCRIBE(IdOnly, id)
}  // namespace msg

namespace keeps {
struct Kept {
  std::string id;
  skew::unknown_fields rest;
};
SKEW_DESCRIBE(Kept, id, rest)
}  // namespace keeps

template <>
struct skew::describe<msg::Payment> {
  static constexpr auto fields =
      skew::fields(skew::member<&msg::Payment::amount_minor>("amount_minor").alias("amountCents"),
                   skew::member<&msg::Payment::currency>("currency").default_value("EUR"),
                   skew::member<&msg::Payment::attempts>("attempts").required(false));
};

namespace {
skew::error decode_error(std::string_view json, const skew::options& opts = {}) {
  skew::decoder d;
  auto r = d.decode<msg::Order>(json, opts);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}
}  // namespace

TEST_CASE("keys in any order, unknown keys ignored") {
  skew::decoder d;
  auto a =
      d.decode<msg::Order>(R"({"id":"o1","lines":[],"note":"n","new":{"deep":[1,2,{"x":null}]}})");
  auto b = d.decode<msg::Order>(R"({"new":true,"note":"n","lines":[],"id":"o1"})");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->id == "o1");
  CHECK(b->id == "o1");
  CHECK(a->note == b->note);
}

TEST_CASE("strict mode rejects unknown keys with their path") {
  skew::options strict;
  strict.unknown_keys = skew::unknown_keys::reject;
  auto top = decode_error(R"({"id":"o1","lines":[],"surprise":1})", strict);
  CHECK(top.code == skew::errc::unknown_key);
  CHECK(top.path == "/surprise");
  auto nested = decode_error(R"({"id":"o1","lines":[{"sku":"a","extra":2}]})", strict);
  CHECK(nested.code == skew::errc::unknown_key);
  CHECK(nested.path == "/lines/0/extra");
}

TEST_CASE("escaped keys match their unescaped names") {
  skew::decoder d;
  auto r = d.decode<msg::Order>(R"({"\u0069d":"o1","l\u0069nes":[{"\u0073ku":"s"}]})");
  REQUIRE(r);
  CHECK(r->id == "o1");
  REQUIRE(r->lines.size() == 1);
  CHECK(r->lines[0].sku == "s");
}

TEST_CASE("a described key twice is duplicate_key, also when one copy is escaped") {
  auto plain = decode_error(R"({"id":"a","lines":[],"id":"b"})");
  CHECK(plain.code == skew::errc::duplicate_key);
  CHECK(plain.path == "/id");
  auto escaped = decode_error(R"({"id":"a","lines":[],"\u0069d":"a"})");
  CHECK(escaped.code == skew::errc::duplicate_key);
  auto nested = decode_error(R"({"id":"a","lines":[{"sku":"x","sku":"y"}]})");
  CHECK(nested.code == skew::errc::duplicate_key);
  CHECK(nested.path == "/lines/0/sku");
}

TEST_CASE("duplicated unknown keys are ignored in tolerant mode") {
  skew::decoder d;
  auto r = d.decode<msg::Order>(R"({"x":1,"id":"a","x":2,"lines":[],"x":[3]})");
  REQUIRE(r);
  CHECK(r->id == "a");
}

TEST_CASE("missing, null and set stay apart at the top level, nested, and in arrays") {
  skew::decoder d;
  auto r = d.decode<msg::Order>(
      R"({"id":"a","note":null,"lines":[{"sku":"1"},{"sku":"2","qty":null},{"sku":"3","qty":3}],)"
      R"("gift":{"sku":"g","qty":null}})");
  REQUIRE(r);
  CHECK(r->note.is_null());
  CHECK_FALSE(r->priority.has_value());
  REQUIRE(r->lines.size() == 3);
  CHECK(r->lines[0].qty.is_missing());
  CHECK(r->lines[1].qty.is_null());
  CHECK(r->lines[2].qty == 3);
  REQUIRE(r->gift.has_value());
  CHECK(r->gift->qty.is_null());

  auto missing = d.decode<msg::Order>(R"({"id":"a","lines":[]})");
  REQUIRE(missing);
  CHECK(missing->note.is_missing());
  CHECK(missing->gift.is_missing());

  auto gift_null = d.decode<msg::Order>(R"({"id":"a","lines":[],"gift":null,"priority":null})");
  REQUIRE(gift_null);
  CHECK(gift_null->gift.is_null());
  CHECK_FALSE(gift_null->priority.has_value());
}

TEST_CASE(
    "null for a plain member is unexpected_null; a missing required member is missing_field") {
  auto null_top = decode_error(R"({"id":null,"lines":[]})");
  CHECK(null_top.code == skew::errc::unexpected_null);
  CHECK(null_top.path == "/id");
  CHECK(null_top.offset == 6u);
  auto null_nested = decode_error(R"({"id":"a","lines":[{"sku":"x"},{"sku":null}]})");
  CHECK(null_nested.code == skew::errc::unexpected_null);
  CHECK(null_nested.path == "/lines/1/sku");
  auto missing = decode_error(R"({"lines":[]})");
  CHECK(missing.code == skew::errc::missing_field);
  CHECK(missing.path == "/id");
  auto missing_nested = decode_error(R"({"id":"a","lines":[{"qty":1}]})");
  CHECK(missing_nested.code == skew::errc::missing_field);
  CHECK(missing_nested.path == "/lines/0/sku");
}

TEST_CASE("malformed JSON anywhere is malformed_json, including skipped values") {
  CHECK(decode_error(R"({"id":"a","lines":[],"skipped":[1,tru]})").code ==
        skew::errc::malformed_json);
  CHECK(decode_error(R"({"id":"a","lines":[],"skipped":{"k":01}})").code ==
        skew::errc::malformed_json);
  CHECK(decode_error(R"({"id":"a","lines":[],"skipped":"bad \x escape"})").code ==
        skew::errc::malformed_json);
  CHECK(decode_error(R"({"id":"a","lines":[],"skipped":nul})").code == skew::errc::malformed_json);
  CHECK(decode_error(R"({"id":"a","lines":[{"sku":"a"},]})").code == skew::errc::malformed_json);
  CHECK(decode_error(R"({"id":"a","lines":[1,]})").code ==
        skew::errc::wrong_type);  // first error wins
  CHECK(decode_error(R"({"id":"a" "lines":[]})").code == skew::errc::malformed_json);
  CHECK(decode_error(R"({"id":"a","lines":[]}})").code != skew::errc{});
  auto deep = decode_error(R"({"id":"a","lines":[],"s":{"t":[0,{"u":-}]}})");
  CHECK(deep.code == skew::errc::malformed_json);
  CHECK(deep.path == "/s/t/1/u");
}

TEST_CASE("validate_skipped=false steps over unread values without checking them") {
  skew::options fast;
  fast.validate_skipped = false;
  skew::decoder d;
  auto r = d.decode<msg::Order>(R"({"id":"a","lines":[],"skipped":[1,tru]})", fast);
  CHECK(r.has_value());
  // What is read is still checked.
  auto bad = d.decode<msg::Order>(R"({"id":tru,"lines":[]})", fast);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == skew::errc::malformed_json);
}

TEST_CASE("trailing content after the root object") {
  auto second = decode_error(R"({"id":"a","lines":[]} {"id":"b","lines":[]})");
  CHECK(second.code == skew::errc::trailing_content);
  CHECK(second.offset == 22u);
  CHECK(decode_error(R"({"id":"a","lines":[]} x)").code == skew::errc::trailing_content);
  skew::decoder d;
  CHECK(d.decode<msg::Order>("  {\"id\":\"a\",\"lines\":[]}  \n\t").has_value());
}

TEST_CASE("depth over max_depth is too_deep, in read and in skipped values") {
  skew::options opts;
  opts.max_depth = 4;
  std::string deep_skipped = R"({"id":"a","lines":[],"x":[[[[1]]]]})";
  CHECK(decode_error(deep_skipped, opts).code == skew::errc::too_deep);
  std::string ok_skipped = R"({"id":"a","lines":[],"x":[[1]]})";
  skew::decoder d;
  CHECK(d.decode<msg::Order>(ok_skipped, opts).has_value());

  // 100,000 levels in an unknown key: an error, not a stack overflow.
  std::string bomb =
      R"({"id":"a","lines":[],"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK(decode_error(bomb).code == skew::errc::too_deep);
}

TEST_CASE("input over max_bytes is too_large before parsing") {
  skew::options opts;
  opts.max_bytes = 16;
  auto e = decode_error(R"({"id":"a","lines":[]})", opts);
  CHECK(e.code == skew::errc::too_large);
}

TEST_CASE("invalid UTF-8 is invalid_utf8, in read and skipped values and in keys") {
  CHECK(decode_error("{\"id\":\"a\xff\",\"lines\":[]}").code == skew::errc::invalid_utf8);
  CHECK(decode_error("{\"id\":\"a\",\"lines\":[],\"s\":\"\xc3\x28\"}").code ==
        skew::errc::invalid_utf8);
  CHECK(decode_error("{\"i\xe2\x82\":\"a\",\"lines\":[]}").code == skew::errc::invalid_utf8);
  CHECK(decode_error(R"({"id":"\ud800","lines":[]})").code == skew::errc::invalid_utf8);
  CHECK(decode_error(R"({"id":"a","lines":[],"s":"\udc00\ud800"})").code ==
        skew::errc::invalid_utf8);
}

TEST_CASE("invalid UTF-8 says where: the offset of the first bad byte and its string's path") {
  struct where_case {
    std::string json;
    std::size_t offset;
    const char* path;
  };
  for (const where_case& c : {
           where_case{"{\"id\":\"a\xff\",\"lines\":[]}", 8, "/id"},
           where_case{
               "{\"id\":\"\xc3\xa9t\xc3\xa9\",\"lines\":[{\"sku\":\"x\"},{\"sku\":\"\xc3\x28\"}]}",
               43, "/lines/1/sku"},
           where_case{"{\"id\":\"a\",\"lines\":[],\"m\":{\"a/b\":[1,\"\xed\xa0\x80\"]}}", 36,
                      "/m/a~1b/1"},
           // In a key: the path of the object holding it.
           where_case{"{\"id\":\"a\",\"lines\":[{\"s\xe2\x82\":1}]}", 22, "/lines/0"},
           // Overlong and above U+10FFFF.
           where_case{"{\"id\":\"\xc0\xaf\"}", 7, "/id"},
           where_case{"{\"id\":\"ok\xf4\x90\x80\x80\"}", 9, "/id"},
       }) {
    CAPTURE(c.json);
    const skew::error e = decode_error(c.json);
    CHECK(e.code == skew::errc::invalid_utf8);
    CHECK(e.offset == c.offset);
    CHECK(e.path == c.path);
  }
  // Not JSON around the bad byte: the offset still, no path.
  const skew::error broken = decode_error("{\"id\":\xff}");
  CHECK(broken.code == skew::errc::invalid_utf8);
  CHECK(broken.offset == 6);
  CHECK(broken.path.empty());
  CHECK(fmt::format("{}", decode_error("{\"id\":\"a\xff\",\"lines\":[]}")) ==
        "invalid_utf8 at /id (byte 8): the message contains invalid UTF-8 or a lone surrogate");
}

TEST_CASE("roots that are not objects") {
  CHECK(decode_error("[]").code == skew::errc::not_an_object);
  CHECK(decode_error("42").code == skew::errc::not_an_object);
  CHECK(decode_error("\"s\"").code == skew::errc::not_an_object);
  CHECK(decode_error("").code == skew::errc::malformed_json);
  CHECK(decode_error("  \n ").code == skew::errc::malformed_json);
}

TEST_CASE("every truncation of a valid message is an error") {
  const std::string json =
      R"({"id":"o1","note":null,"lines":[{"sku":"a","qty":2}],"x":{"y":[true,false,1.5e3,"z"]}})";
  skew::decoder d;
  REQUIRE(d.decode<msg::Order>(json).has_value());
  for (std::size_t n = 0; n < json.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(d.decode<msg::Order>(std::string_view(json).substr(0, n)).has_value());
  }
}

TEST_CASE("aliases: old names are read, counted, and conflicting copies rejected") {
  skew::decoder d;
  auto old_name = d.decode<msg::Payment>(R"({"amountCents":1250})");
  REQUIRE(old_name);
  CHECK(old_name->amount_minor == 1250);
  CHECK(old_name->currency == "EUR");  // default
  CHECK(old_name->attempts == 0);      // required(false)
  CHECK(d.last_alias_reads() == 1);

  auto new_name = d.decode<msg::Payment>(R"({"amount_minor":99,"currency":"USD","attempts":2})");
  REQUIRE(new_name);
  CHECK(new_name->amount_minor == 99);
  CHECK(new_name->currency == "USD");
  CHECK(d.last_alias_reads() == 0);

  auto both_agree = d.decode<msg::Payment>(R"({"amount_minor":5,"amountCents":5})");
  REQUIRE(both_agree);
  CHECK(both_agree->amount_minor == 5);

  auto conflict = d.decode<msg::Payment>(R"({"amount_minor":5,"amountCents":6})");
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().code == skew::errc::conflicting_alias);
  CHECK(conflict.error().path == "/amountCents");

  auto dup_alias = d.decode<msg::Payment>(R"({"amountCents":5,"amountCents":5})");
  REQUIRE_FALSE(dup_alias);
  CHECK(dup_alias.error().code == skew::errc::duplicate_key);
}

TEST_CASE(
    "internal: a reader table refers to the unknown-key keeper and the alias compare only where "
    "used") {
  // Build cost: what a table does not point at, a TU whose structs need none of it never compiles.
  const skew::detail::read_table& payment = skew::detail::read_table_of<msg::Payment>();
  CHECK((payment.keep_unknown == nullptr));
  CHECK((payment.members[0].read_compare != nullptr));  // amount_minor, read as amountCents too
  CHECK((payment.members[1].read_compare == nullptr));  // currency: no former name
  CHECK((payment.members[2].read_compare == nullptr));

  const skew::detail::read_table& kept = skew::detail::read_table_of<keeps::Kept>();
  CHECK((kept.keep_unknown != nullptr));
  skew::decoder d;
  auto with_rest = d.decode<keeps::Kept>(R"({"zz":[1,{"a":null}],"id":"x","yy":"\u00e9"})");
  REQUIRE(with_rest);
  CHECK(with_rest->id == "x");
  REQUIRE(with_rest->rest.size() == 2);
  REQUIRE(with_rest->rest.find("zz") != nullptr);
  CHECK(*with_rest->rest.find("zz") == R"([1,{"a":null}])");
  REQUIRE(with_rest->rest.find("yy") != nullptr);
  CHECK(*with_rest->rest.find("yy") == R"("\u00e9")");
}

TEST_CASE("decode_into resets every member and reuses capacity") {
  skew::decoder d;
  msg::Order order;
  REQUIRE(d.decode_into(order, R"({"id":"a-long-identifier-beyond-sso","note":"n","priority":1,)"
                               R"("lines":[{"sku":"1","qty":1},{"sku":"2"}],"gift":{"sku":"g"}})"));
  const auto* id_buffer = order.id.data();
  const auto capacity = order.id.capacity();
  REQUIRE(d.decode_into(order, R"({"id":"short","lines":[{"sku":"3"}]})"));
  CHECK(order.id == "short");
  CHECK(order.id.data() == id_buffer);
  CHECK(order.id.capacity() == capacity);
  CHECK(order.note.is_missing());
  CHECK_FALSE(order.priority.has_value());
  REQUIRE(order.lines.size() == 1);
  CHECK(order.lines[0].sku == "3");
  CHECK(order.lines[0].qty.is_missing());
  CHECK(order.gift.is_missing());

  msg::Payment p;
  REQUIRE(d.decode_into(p, R"({"amount_minor":1,"currency":"USD","attempts":3})"));
  REQUIRE(d.decode_into(p, R"({"amount_minor":2})"));
  CHECK(p.currency == "EUR");
  CHECK(p.attempts == 0);
}

TEST_CASE("a decoder is reusable after errors") {
  skew::decoder d;
  CHECK_FALSE(d.decode<msg::Order>("{\"id\":").has_value());
  CHECK_FALSE(d.decode<msg::Order>("[1,2").has_value());
  auto ok = d.decode<msg::Order>(R"({"id":"x","lines":[]})");
  REQUIRE(ok);
  CHECK(ok->id == "x");
}

// A struct with more members than one 64-bit word of seen-flags holds; two of them, in the
// second word, renamed.
namespace wide {
struct Wide {
  int f0 = 0;
  int f1 = 0;
  int f2 = 0;
  int f3 = 0;
  int f4 = 0;
  int f5 = 0;
  int f6 = 0;
  int f7 = 0;
  int f8 = 0;
  int f9 = 0;
  int f10 = 0;
  int f11 = 0;
  int f12 = 0;
  int f13 = 0;
  int f14 = 0;
  int f15 = 0;
  int f16 = 0;
  int f17 = 0;
  int f18 = 0;
  int f19 = 0;
  int f20 = 0;
  int f21 = 0;
  int f22 = 0;
  int f23 = 0;
  int f24 = 0;
  int f25 = 0;
  int f26 = 0;
  int f27 = 0;
  int f28 = 0;
  int f29 = 0;
  int f30 = 0;
  int f31 = 0;
  int f32 = 0;
  int f33 = 0;
  int f34 = 0;
  int f35 = 0;
  int f36 = 0;
  int f37 = 0;
  int f38 = 0;
  int f39 = 0;
  int f40 = 0;
  int f41 = 0;
  int f42 = 0;
  int f43 = 0;
  int f44 = 0;
  int f45 = 0;
  int f46 = 0;
  int f47 = 0;
  int f48 = 0;
  int f49 = 0;
  int f50 = 0;
  int f51 = 0;
  int f52 = 0;
  int f53 = 0;
  int f54 = 0;
  int f55 = 0;
  int f56 = 0;
  int f57 = 0;
  int f58 = 0;
  int f59 = 0;
  int f60 = 0;
  int f61 = 0;
  int f62 = 0;
  int f63 = 0;
  int f64 = 0;
  int f65 = 0;
  int f66 = 0;
  int f67 = 0;
  int f68 = 0;
  int f69 = 0;
};

// Every member but the one numbered `skip` (-1: none), member i holding i + 1, then `extra`.
std::string message(int skip, std::string_view extra = {}) {
  std::string json = "{";
  for (int i = 0; i < 70; ++i) {
    if (i == skip) continue;
    json += (json.size() > 1 ? ",\"f" : "\"f") + std::to_string(i) + "\":" + std::to_string(i + 1);
  }
  json += extra;
  json += "}";
  return json;
}
}  // namespace wide

template <>
struct skew::describe<wide::Wide> {
  static constexpr auto fields =
      skew::fields(skew::member<&wide::Wide::f0>("f0"), skew::member<&wide::Wide::f1>("f1"),
                   skew::member<&wide::Wide::f2>("f2"), skew::member<&wide::Wide::f3>("f3"),
                   skew::member<&wide::Wide::f4>("f4"), skew::member<&wide::Wide::f5>("f5"),
                   skew::member<&wide::Wide::f6>("f6"), skew::member<&wide::Wide::f7>("f7"),
                   skew::member<&wide::Wide::f8>("f8"), skew::member<&wide::Wide::f9>("f9"),
                   skew::member<&wide::Wide::f10>("f10"), skew::member<&wide::Wide::f11>("f11"),
                   skew::member<&wide::Wide::f12>("f12"), skew::member<&wide::Wide::f13>("f13"),
                   skew::member<&wide::Wide::f14>("f14"), skew::member<&wide::Wide::f15>("f15"),
                   skew::member<&wide::Wide::f16>("f16"), skew::member<&wide::Wide::f17>("f17"),
                   skew::member<&wide::Wide::f18>("f18"), skew::member<&wide::Wide::f19>("f19"),
                   skew::member<&wide::Wide::f20>("f20"), skew::member<&wide::Wide::f21>("f21"),
                   skew::member<&wide::Wide::f22>("f22"), skew::member<&wide::Wide::f23>("f23"),
                   skew::member<&wide::Wide::f24>("f24"), skew::member<&wide::Wide::f25>("f25"),
                   skew::member<&wide::Wide::f26>("f26"), skew::member<&wide::Wide::f27>("f27"),
                   skew::member<&wide::Wide::f28>("f28"), skew::member<&wide::Wide::f29>("f29"),
                   skew::member<&wide::Wide::f30>("f30"), skew::member<&wide::Wide::f31>("f31"),
                   skew::member<&wide::Wide::f32>("f32"), skew::member<&wide::Wide::f33>("f33"),
                   skew::member<&wide::Wide::f34>("f34"), skew::member<&wide::Wide::f35>("f35"),
                   skew::member<&wide::Wide::f36>("f36"), skew::member<&wide::Wide::f37>("f37"),
                   skew::member<&wide::Wide::f38>("f38"), skew::member<&wide::Wide::f39>("f39"),
                   skew::member<&wide::Wide::f40>("f40"), skew::member<&wide::Wide::f41>("f41"),
                   skew::member<&wide::Wide::f42>("f42"), skew::member<&wide::Wide::f43>("f43"),
                   skew::member<&wide::Wide::f44>("f44"), skew::member<&wide::Wide::f45>("f45"),
                   skew::member<&wide::Wide::f46>("f46"), skew::member<&wide::Wide::f47>("f47"),
                   skew::member<&wide::Wide::f48>("f48"), skew::member<&wide::Wide::f49>("f49"),
                   skew::member<&wide::Wide::f50>("f50"), skew::member<&wide::Wide::f51>("f51"),
                   skew::member<&wide::Wide::f52>("f52"), skew::member<&wide::Wide::f53>("f53"),
                   skew::member<&wide::Wide::f54>("f54"), skew::member<&wide::Wide::f55>("f55"),
                   skew::member<&wide::Wide::f56>("f56"), skew::member<&wide::Wide::f57>("f57"),
                   skew::member<&wide::Wide::f58>("f58"), skew::member<&wide::Wide::f59>("f59"),
                   skew::member<&wide::Wide::f60>("f60"), skew::member<&wide::Wide::f61>("f61"),
                   skew::member<&wide::Wide::f62>("f62"), skew::member<&wide::Wide::f63>("f63"),
                   skew::member<&wide::Wide::f64>("f64"), skew::member<&wide::Wide::f65>("f65"),
                   skew::member<&wide::Wide::f66>("f66").alias("older66").alias("old66"),
                   skew::member<&wide::Wide::f67>("f67").alias("old67"),
                   skew::member<&wide::Wide::f68>("f68"), skew::member<&wide::Wide::f69>("f69"));
};

TEST_CASE("structs with more than 64 members: seen, duplicate and alias tracking past one word") {
  skew::decoder d;
  wide::Wide out;
  REQUIRE(d.decode_into(out, wide::message(-1)));
  CHECK(out.f0 == 1);
  CHECK(out.f63 == 64);
  CHECK(out.f64 == 65);
  CHECK(out.f69 == 70);

  // A member absent from a message is missing, in either word.
  for (const int absent : {3, 65}) {
    auto missing = d.decode<wide::Wide>(wide::message(absent));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == skew::errc::missing_field);
    CHECK(missing.error().path == "/f" + std::to_string(absent));
  }

  auto dup = d.decode<wide::Wide>(wide::message(-1, R"(,"f66":67)"));
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == skew::errc::duplicate_key);
  CHECK(dup.error().path == "/f66");

  auto old_name = d.decode<wide::Wide>(wide::message(67, R"(,"old67":5)"));
  REQUIRE(old_name);
  CHECK(old_name->f67 == 5);
  CHECK(d.last_alias_reads() == 1);
  auto both = d.decode<wide::Wide>(wide::message(-1, R"(,"old67":68)"));
  REQUIRE(both);
  CHECK(both->f67 == 68);
  CHECK(d.last_alias_reads() == 0);  // the current name was written too
  auto conflict = d.decode<wide::Wide>(wide::message(-1, R"(,"old67":6)"));
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().code == skew::errc::conflicting_alias);
  // The name a member arrived under is kept too: a second copy under that same former name is a
  // duplicate, one under the member's other former name is a rename's second copy.
  auto second_alias = d.decode<wide::Wide>(wide::message(66, R"(,"old66":4,"older66":4)"));
  REQUIRE(second_alias);
  CHECK(second_alias->f66 == 4);
  auto same_alias = d.decode<wide::Wide>(wide::message(66, R"(,"old66":4,"old66":4)"));
  REQUIRE_FALSE(same_alias);
  CHECK(same_alias.error().code == skew::errc::duplicate_key);
}

TEST_CASE("a padded_string_view with less padding than simdjson needs is copied, not overread") {
  // The common idiom: a view over a std::string with its capacity as the padding. With no spare
  // capacity, reading SIMDJSON_PADDING bytes past the end would leave the allocation (ASan).
  std::string json = R"({"id":"order-12345678","lines":[{"sku":"sku-1234567890","qty":3}]})";
  json.shrink_to_fit();
  const simdjson::padded_string_view view(json.data(), json.size(), json.capacity());
  REQUIRE(view.padding() < simdjson::SIMDJSON_PADDING);
  skew::decoder d;
  auto order = d.decode<msg::Order>(view);
  REQUIRE(order);
  CHECK(order->id == "order-12345678");
  REQUIRE(order->lines.size() == 1);
  CHECK(order->lines[0].sku == "sku-1234567890");
  msg::Order reused;
  REQUIRE(d.decode_into(reused, view));
  CHECK(reused.lines[0].qty.value() == 3);
  // A view with enough padding is read where it lies: string views point into it; a short one
  // is read from the decoder's copy.
  auto short_view = d.decode<msg::IdOnly>(view);
  REQUIRE(short_view);
  CHECK(short_view->id == "order-12345678");
  CHECK_FALSE(
      (short_view->id.data() >= json.data() && short_view->id.data() < json.data() + json.size()));
  std::string roomy_text = json;
  roomy_text.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  const simdjson::padded_string_view roomy(roomy_text.data(), roomy_text.size(),
                                           roomy_text.capacity());
  REQUIRE(roomy.padding() >= simdjson::SIMDJSON_PADDING);
  auto in_place = d.decode<msg::IdOnly>(roomy);
  REQUIRE(in_place);
  CHECK(in_place->id.data() == roomy_text.data() + 7);
}

namespace {
// A caller's own padded buffer: what skew asks of one is padding() and a view of the text.
struct arena_view {
  std::string_view text;
  std::size_t spare = 0;
  std::size_t padding() const { return spare; }
  operator std::string_view() const { return text; }
};
}  // namespace

TEST_CASE("padded input: simdjson's padded_string in place, and any view with padding()") {
  // simdjson's padded_string carries SIMDJSON_PADDING bytes, which is what skew reads past the end.
  static_assert(skew::detail::input_padding <= simdjson::SIMDJSON_PADDING);
  static_assert(skew::detail::padded_input<simdjson::padded_string>);
  static_assert(skew::detail::padded_input<simdjson::padded_string_view>);
  static_assert(skew::detail::padded_input<arena_view>);
  static_assert(!skew::detail::padded_input<std::string>);
  static_assert(!skew::detail::padded_input<std::string_view>);
  const std::string text = R"({"id":"order-12345678","lines":[]})";
  skew::decoder d;
  const simdjson::padded_string owned(text);
  auto from_owned = d.decode<msg::IdOnly>(owned);
  REQUIRE(from_owned);
  CHECK(from_owned->id.data() == owned.data() + 7);

  std::string buffer = text;
  buffer.resize(text.size() + 64, '\0');
  const arena_view roomy{std::string_view(buffer.data(), text.size()), 64};
  auto in_place = d.decode<msg::IdOnly>(roomy);
  REQUIRE(in_place);
  CHECK(in_place->id.data() == buffer.data() + 7);
  msg::IdOnly into;
  REQUIRE(d.decode_into(into, roomy));
  CHECK(into.id.data() == buffer.data() + 7);
  // One byte short of the padding: copied, and still read correctly.
  const arena_view tight{std::string_view(buffer.data(), text.size()), 63};
  auto copied = d.decode<msg::IdOnly>(tight);
  REQUIRE(copied);
  CHECK(copied->id == "order-12345678");
  CHECK_FALSE(
      (copied->id.data() >= buffer.data() && copied->id.data() < buffer.data() + buffer.size()));
}

TEST_CASE("wrong_type names the expected and the received JSON type") {
  skew::decoder decoder;
  struct expectation {
    const char* json;
    skew::json_type expected;
    skew::json_type received;
    const char* text;
  };
  for (const expectation& e :
       {expectation{R"({"id":"o","lines":[{"sku":"a","qty":"5"}]})", skew::json_type::integer,
                    skew::json_type::string,
                    "wrong_type at /lines/0/qty (byte 36): expected an integer, got a string"},
        expectation{R"({"id":"o","lines":[{"sku":"a","qty":2.5}]})", skew::json_type::integer,
                    skew::json_type::number,
                    "wrong_type at /lines/0/qty (byte 36): expected an integer, got a number"},
        expectation{R"({"id":7})", skew::json_type::string, skew::json_type::number,
                    "wrong_type at /id (byte 6): expected a string, got a number"},
        expectation{R"({"id":"o","lines":{}})", skew::json_type::array, skew::json_type::object,
                    "wrong_type at /lines (byte 18): expected an array, got an object"},
        expectation{R"({"id":"o","gift":[true]})", skew::json_type::object, skew::json_type::array,
                    "wrong_type at /gift (byte 17): expected an object, got an array"}}) {
    CAPTURE(e.json);
    auto r = decoder.decode<msg::Order>(e.json);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == skew::errc::wrong_type);
    CHECK(r.error().expected == e.expected);
    CHECK(r.error().received == e.received);
    CHECK(fmt::format("{}", r.error()) == e.text);
  }
  // Other codes name no types.
  auto missing = decoder.decode<msg::Order>(R"({"lines":[]})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().expected == skew::json_type::unknown);
  CHECK(fmt::format("{}", missing.error()) == "missing_field at /id: a required field is missing");
}

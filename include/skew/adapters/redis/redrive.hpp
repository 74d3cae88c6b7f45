// The redrive on Redis Streams: reads <stream>:dlq in its own consumer group (skew-redrive),
// judges each letter with adapters/redrive.hpp, and
//   readable_now  XADD to <stream> as the entry was (its fields restored) with redrive-group,
//                 redrive-reason and redrive-of, then XACK and XDEL the letter, in one MULTI
//   never         XADD to <stream>:parked with the letter's fields and why, XACK and XDEL, in one
//                 MULTI
//   not_yet       stays pending in the redrive group, and is judged again on the next run
//
// Progress is the redrive group's acknowledgements: each move is one MULTI, so a redrive killed
// at any point and started again loses no letter and moves none twice. A run reads the group's
// pending letters first (those left, and those a killed run had read), then the new ones.
//
// A canary moves the first N letters, waits until the group they went to has acknowledged every
// one (none pending, its last delivered id past them), and stops the run if any was
// dead-lettered again. The stream, its dead-letter and parked streams must share a Redis Cluster
// slot (a hash tag in the stream's name) for the MULTI.
#pragma once

#include <skew/adapters/redis/connection.hpp>
#include <skew/adapters/redis/streams.hpp>
#include <skew/adapters/redrive.hpp>
#include <skew/envelope/peek.hpp>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace skew::redis {

struct redrive_settings {
  endpoint where{};
  std::string stream{};
  std::string dead_letter_stream{};  // empty: <stream>:dlq
  std::string parked_stream{};       // empty: <stream>:parked
  std::string group = "skew-redrive";
  std::string consumer = "redrive";
  std::string field = "message";  // the entry field that holds the envelope
  envelope_format format{};       // the envelopes' layout, to read type and version
  std::size_t batch = 100;
};

// A letter as the dead-letter stream holds it.
struct stored_letter {
  std::string entry_id;
  dead_letter letter;
  std::vector<std::pair<std::string, std::string>> fields;  // every field of the entry
  std::string payload;
  std::vector<std::pair<std::string, std::string>> original;  // the entry's other fields
};

// Reads one dead-letter entry's fields ([name, value, ...]).
inline stored_letter read_letter(std::string_view entry_id, const redisReply* fields,
                                 const envelope_format& format) {
  namespace field = dead_letter_field;
  stored_letter s;
  s.entry_id = entry_id;
  for (std::size_t f = 0; fields->type == REDIS_REPLY_ARRAY && f + 1 < fields->elements; f += 2) {
    const std::string_view name = reply_text(fields->element[f]);
    const std::string_view value = reply_text(fields->element[f + 1]);
    s.fields.emplace_back(name, value);
    if (name == field::reason) s.letter.reason = value;
    if (name == field::error) s.letter.error = value;
    if (name == field::group) s.letter.group = value;
    if (name == field::payload) s.payload = value;
    if (name == field::deliveries) {
      std::from_chars(value.data(), value.data() + value.size(), s.letter.deliveries);
    }
    if (name.starts_with(field::original_prefix)) {
      const std::string_view original = name.substr(field::original_prefix.size());
      if (original == redrive_field::reason) s.letter.first_reason = value;
      // A redriven entry's marks are the redrive's, not the entry's: a new redrive sets its own.
      if (original != redrive_field::group && original != redrive_field::reason &&
          original != redrive_field::of) {
        s.original.emplace_back(original, value);
      }
    }
  }
  if (auto h = peek_header(s.payload, format)) {
    s.letter.type = h->type;
    s.letter.version = h->version;
    s.letter.envelope_id = h->id;
  }
  return s;
}

class redrive {
 public:
  explicit redrive(redrive_settings s) : s_(std::move(s)), redis_(s_.where) {
    if (s_.dead_letter_stream.empty()) s_.dead_letter_stream = s_.stream + ":dlq";
    if (s_.parked_stream.empty()) s_.parked_stream = s_.stream + ":parked";
  }

  const redrive_settings& settings() const noexcept { return s_; }

  // Every letter in the dead-letter stream, judged; nothing moves.
  redrive_report dry_run(const letter_readers& readers, const redrive_options& o) {
    redrive_report report;
    std::string from = "-";
    while (true) {
      reply page = redis_.command({"XRANGE", s_.dead_letter_stream, from, "+", "COUNT", "1000"});
      if (!page || page->type != REDIS_REPLY_ARRAY) return failed(report, "XRANGE");
      if (page->elements == 0) break;
      for (std::size_t i = 0; i < page->elements; ++i) {
        const redisReply* e = page->element[i];
        const stored_letter s = read_letter(reply_text(e->element[0]), e->element[1], s_.format);
        const std::string group = group_of(s.letter, o);
        if (group.empty() && !o.group.empty()) continue;  // another group's
        const redrive_decision d = classify(s.letter, group, readers);
        report.table.add(s.letter, group, d.verdict);
        count(report.counts, d.verdict);
      }
      from = "(" + std::string(reply_text(page->element[page->elements - 1]->element[0]));
    }
    return report;
  }

  // Moves readable letters back and parks those that never will be; stops early when `stop` is
  // set (between two letters) or a canary fails.
  redrive_report run(const letter_readers& readers, const redrive_options& o,
                     const std::atomic<bool>* stop = nullptr) {
    if (o.dry_run) return dry_run(readers, o);
    redrive_report report;
    if (!redis_.command({"XGROUP", "CREATE", s_.dead_letter_stream, s_.group, "0", "MKSTREAM"}) &&
        !redis_.error().starts_with("BUSYGROUP")) {
      return failed(report, "XGROUP CREATE");
    }
    redrive_pace pace(o.rate);
    // The moved copies (entry id, group), while the canary flies.
    std::vector<std::pair<std::string, std::string>> canary;
    bool canary_done = o.canary == 0;
    std::string cursor = "0";  // the group's pending letters first, then ">" for new ones
    std::size_t seen = 0;
    while (stop == nullptr || !stop->load()) {
      reply read =
          redis_.command({"XREADGROUP", "GROUP", s_.group, s_.consumer, "COUNT",
                          std::to_string(s_.batch), "STREAMS", s_.dead_letter_stream, cursor});
      if (!read) return failed(report, "XREADGROUP");
      if (read->type == REDIS_REPLY_NIL) break;  // no new letters
      const redisReply* entries = read->element[0]->element[1];
      if (entries->elements == 0) {
        if (cursor == ">") break;
        cursor = ">";
        continue;
      }
      for (std::size_t i = 0; i < entries->elements; ++i) {
        if (stop != nullptr && stop->load()) break;
        const redisReply* e = entries->element[i];
        const std::string_view entry_id = reply_text(e->element[0]);
        if (cursor != ">") cursor = entry_id;
        if (e->element[1]->type != REDIS_REPLY_ARRAY) {  // deleted while pending
          (void)redis_.command({"XACK", s_.dead_letter_stream, s_.group, entry_id});
          continue;
        }
        const stored_letter s = read_letter(entry_id, e->element[1], s_.format);
        const std::string group = group_of(s.letter, o);
        if (group.empty() && !o.group.empty()) {  // another group's: stays
          ++report.counts.left;
          continue;
        }
        const redrive_decision d = classify(s.letter, group, readers);
        report.table.add(s.letter, group, d.verdict);
        if (d.verdict == redrive_verdict::never) {
          if (park(s, d.why)) {
            ++report.counts.parked;
          } else {
            ++report.counts.failed;
          }
        } else if (d.verdict == redrive_verdict::not_yet) {
          ++report.counts.left;
        } else {
          ++report.counts.to_move;
          pace.wait_turn();
          if (auto copy = move(s, group)) {
            ++report.counts.moved;
            if (!canary_done) canary.emplace_back(std::move(*copy), group);
          } else {
            ++report.counts.failed;
          }
          if (!canary_done && canary.size() == o.canary) {
            canary_done = true;
            if (!canary_landed(canary, o, report)) return report;
          }
        }
        if (o.progress && ++seen % o.progress_every == 0) o.progress(report.counts);
      }
    }
    if (!canary_done && !canary.empty()) {
      (void)canary_landed(canary, o, report);  // fewer letters than the canary's size
    }
    if (o.progress) o.progress(report.counts);
    return report;
  }

  const std::string& error() const noexcept { return redis_.error(); }

 private:
  static std::string group_of(const dead_letter& l, const redrive_options& o) {
    if (l.group.empty()) return o.group;
    if (!o.group.empty() && l.group != o.group) return {};
    return l.group;
  }
  static void count(redrive_counts& c, redrive_verdict v) {
    if (v == redrive_verdict::readable_now) ++c.to_move;
    if (v == redrive_verdict::never) ++c.parked;
    if (v == redrive_verdict::not_yet) ++c.left;
  }

  // The letter back in its stream, for `group` alone; the copy's entry id, or nothing.
  std::optional<std::string> move(const stored_letter& s, const std::string& group) {
    std::vector<std::string_view> add = {"XADD", s_.stream, "*"};
    for (const auto& [name, value] : s.original) {
      add.push_back(name);
      add.push_back(value);
    }
    add.insert(add.end(), {s_.field, s.payload, redrive_field::group, group, redrive_field::reason,
                           s.letter.reason, redrive_field::of, s.entry_id});
    const std::vector<reply> r =
        redis_.pipeline({{"MULTI"},
                         add,
                         {"XACK", s_.dead_letter_stream, s_.group, s.entry_id},
                         {"XDEL", s_.dead_letter_stream, s.entry_id},
                         {"EXEC"}});
    if (r.size() != 5 || !r[4] || r[4]->type != REDIS_REPLY_ARRAY || r[4]->elements < 1) {
      return std::nullopt;
    }
    return std::string(reply_text(r[4]->element[0]));
  }

  bool park(const stored_letter& s, const std::string& why) {
    std::vector<std::string_view> add = {"XADD", s_.parked_stream, "*"};
    for (const auto& [name, value] : s.fields) {
      add.push_back(name);
      add.push_back(value);
    }
    add.insert(add.end(), {"parked-why", why, "dead-letter-id", s.entry_id});
    const std::vector<reply> r =
        redis_.pipeline({{"MULTI"},
                         add,
                         {"XACK", s_.dead_letter_stream, s_.group, s.entry_id},
                         {"XDEL", s_.dead_letter_stream, s.entry_id},
                         {"EXEC"}});
    return r.size() == 5 && r[4] && r[4]->type == REDIS_REPLY_ARRAY;
  }

  // Waits until each copy's group has acknowledged it; false (and the report says why) when one
  // was dead-lettered again or the wait timed out.
  bool canary_landed(const std::vector<std::pair<std::string, std::string>>& copies_by_group,
                     const redrive_options& o, redrive_report& report) {
    const auto deadline = std::chrono::steady_clock::now() + o.canary_timeout;
    std::set<std::string, std::less<>> copies;
    std::map<std::string, std::vector<std::string>> by_group;
    for (const auto& [id, group] : copies_by_group) {
      copies.insert(id);
      by_group[group].push_back(id);
    }
    for (const auto& [group, ids] : by_group) {
      while (!settled(ids, group)) {
        if (std::chrono::steady_clock::now() >= deadline) {
          report.ok = false;
          report.error =
              fmt::format("canary: group {} did not settle the first {} letters within {} ms",
                          group, copies.size(), o.canary_timeout.count());
          return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    // A copy dead-lettered again is back in the dead-letter stream, marked with its copy's id.
    const std::vector<std::string> ids(copies.begin(), copies.end());
    std::size_t again = 0;
    std::string from = "-";
    while (true) {
      reply page = redis_.command({"XRANGE", s_.dead_letter_stream, from, "+", "COUNT", "1000"});
      if (!page || page->type != REDIS_REPLY_ARRAY || page->elements == 0) break;
      for (std::size_t i = 0; i < page->elements; ++i) {
        const redisReply* fields = page->element[i]->element[1];
        for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
          if (reply_text(fields->element[f]) == dead_letter_field::source_id &&
              copies.contains(reply_text(fields->element[f + 1]))) {
            ++again;
          }
        }
      }
      from = "(" + std::string(reply_text(page->element[page->elements - 1]->element[0]));
    }
    if (again == 0) return true;
    report.ok = false;
    report.error = fmt::format(
        "canary: {} of the first {} letters were dead-lettered again; "
        "stopped (they will be parked)",
        again, ids.size());
    return false;
  }

  // Whether the group has delivered past every id and holds none of them pending.
  bool settled(const std::vector<std::string>& ids, const std::string& group) {
    reply groups = redis_.command({"XINFO", "GROUPS", s_.stream});
    if (!groups || groups->type != REDIS_REPLY_ARRAY) return false;
    std::string last;
    for (std::size_t g = 0; g < groups->elements; ++g) {
      const redisReply* info = groups->element[g];
      std::string_view name, delivered;
      for (std::size_t f = 0; f + 1 < info->elements; f += 2) {
        if (reply_text(info->element[f]) == "name") name = reply_text(info->element[f + 1]);
        if (reply_text(info->element[f]) == "last-delivered-id") {
          delivered = reply_text(info->element[f + 1]);
        }
      }
      if (name == group) last = delivered;
    }
    for (const auto& id : ids) {
      if (last.empty() || id_less(last, id)) return false;
    }
    reply pending = redis_.command(
        {"XPENDING", s_.stream, group, ids.front(), ids.back(), std::to_string(ids.size())});
    return pending && pending->type == REDIS_REPLY_ARRAY && pending->elements == 0;
  }

  // Stream ids compare as (milliseconds, sequence).
  static bool id_less(std::string_view a, std::string_view b) {
    auto parts = [](std::string_view id) {
      std::uint64_t ms = 0, seq = 0;
      const auto dash = id.find('-');
      std::from_chars(id.data(), id.data() + std::min(dash, id.size()), ms);
      if (dash != std::string_view::npos) {
        std::from_chars(id.data() + dash + 1, id.data() + id.size(), seq);
      }
      return std::pair(ms, seq);
    };
    return parts(a) < parts(b);
  }

  redrive_report& failed(redrive_report& r, std::string_view what) {
    r.ok = false;
    r.error = std::string(what) + " failed: " + redis_.error();
    return r;
  }

  redrive_settings s_;
  connection redis_;
};

}  // namespace skew::redis

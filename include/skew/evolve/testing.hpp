// Test helpers that prove skew safety before merge: golden fixtures per (type, version) and the
// cross-version matrix. Framework-neutral: they return values a test asserts on and prints.
//
//   auto report = skew::testing::check_fixtures<SendEmail, PaymentCaptured>("tests/fixtures");
//   CHECK(report.ok());                         // every old message still reads
//   for (auto& f : report.failures) MESSAGE(f.file, ": ", f.problem);
//
//   auto matrix = skew::testing::version_matrix<SendEmail>({sample});
//   CHECK(matrix.at(/*writer*/ 2, /*reader*/ 1) == skew::action::retry);  // never dropped
//   MESSAGE(matrix.to_string());
#pragma once

#include <skew/dispatch/router.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/rollout/emitter.hpp>

#include <skew/base/detail/fmt.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace skew::testing {

struct fixture_failure {
  std::filesystem::path file;
  std::string problem;
};

struct fixture_report {
  std::size_t checked = 0;
  std::vector<fixture_failure> failures;
  // At least one fixture was read and none failed: an empty folder is not a pass.
  bool ok() const noexcept { return checked > 0 && failures.empty(); }
};

namespace detail {

inline std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The entries of a folder, sorted, without exceptions (the library builds with -fno-exceptions).
inline std::vector<std::filesystem::directory_entry> entries(const std::filesystem::path& dir,
                                                             std::error_code& ec) {
  std::vector<std::filesystem::directory_entry> out;
  std::filesystem::directory_iterator it(dir, ec);
  const std::filesystem::directory_iterator end;
  while (!ec && it != end) {
    out.push_back(*it);
    it.increment(ec);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.path() < b.path(); });
  return out;
}

// "v3" -> 3; nullopt for anything else.
inline std::optional<std::uint32_t> version_folder(const std::string& name) {
  if (name.size() < 2 || name[0] != 'v') return std::nullopt;
  std::uint32_t v = 0;
  const auto [end, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), v);
  if (ec != std::errc{} || end != name.data() + name.size() || v == 0) return std::nullopt;
  return v;
}

}  // namespace detail

// Decodes every fixture under `folder` (laid out as <type>/v<N>/<name>.json) with this build:
// each must carry the type and version its folder names, and dispatch through a router of
// Families to a handler (upcast to the latest version). Every failure names its file.
template <message_family... Families>
fixture_report check_fixtures(const std::filesystem::path& folder,
                              const envelope_format& format = envelope_format::flat(),
                              const options& opts = {}) {
  fixture_report report;
  router<Families...> r;
  r.set_format(format);
  r.set_options(opts);
  (r.template on<Families>([](const typename Families::latest&, const envelope_view&) {}), ...);
  std::error_code ec;
  const auto types = detail::entries(folder, ec);
  if (ec) {
    report.failures.push_back({folder, "cannot list the fixture folder: " + ec.message()});
    return report;
  }
  decoder dec;
  for (const auto& type_dir : types) {
    if (!type_dir.is_directory()) continue;
    const std::string type = type_dir.path().filename().string();
    const bool known = ((Families::type_name == type) || ...);
    if (!known) {
      report.failures.push_back({type_dir.path(), "no family of this build has type " + type});
      continue;
    }
    for (const auto& version_dir : detail::entries(type_dir.path(), ec)) {
      const auto version = detail::version_folder(version_dir.path().filename().string());
      if (!version_dir.is_directory() || !version) continue;
      for (const auto& file : detail::entries(version_dir.path(), ec)) {
        if (file.path().extension() != ".json") continue;
        ++report.checked;
        const auto json = detail::read_file(file.path());
        if (!json) {
          report.failures.push_back({file.path(), "cannot read the file"});
          continue;
        }
        const auto header = peek_header(*json, format, opts);
        if (!header) {
          report.failures.push_back({file.path(), fmt::format("header: {}", header.error())});
          continue;
        }
        if (header->type != type || header->version != *version) {
          report.failures.push_back(
              {file.path(), fmt::format("the message says {} v{} but lives in {}/v{}", header->type,
                                        header->version, type, *version)});
          continue;
        }
        const outcome o = r.dispatch(dec, *json);
        if (o.action != action::ack || o.reason != reason::handled) {
          report.failures.push_back({file.path(), fmt::format("{}", o)});
        }
      }
    }
  }
  if (ec) report.failures.push_back({folder, "cannot list a fixture folder: " + ec.message()});
  return report;
}

// Records what this build emits for `sample` at every version its emitter can write, as
// <folder>/<type>/v<N>/<name>.json. Returns the files written.
template <message_family Family>
result<std::vector<std::filesystem::path>> write_fixtures(
    const std::filesystem::path& folder, std::string_view name,
    const typename Family::latest& sample, const envelope_fields& fields = {},
    const envelope_format& format = family_format<Family>) {
  std::vector<std::filesystem::path> written;
  emitter<Family> e(emitter_stamps{}, format);
  for (const std::uint32_t version : Family::versions) {
    if (!e.set_version(version)) continue;
    auto json = e.encode(sample, fields);
    if (!json) return failure(json.error());
    const auto dir = folder / std::string(Family::type_name) / ("v" + std::to_string(version));
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const auto path = dir / (std::string(name) + ".json");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << *json << '\n';
    if (ec || !out) return failure(errc::not_representable, path.string());
    written.push_back(path);
  }
  return written;
}

// Writer version x reader version: what a reader that knows versions up to R does with a message
// written at version W. ack means every sample read; otherwise the worst action over the samples.
struct version_matrix_result {
  std::string type;
  std::vector<std::uint32_t> writer_versions;  // the versions the emitter can write
  std::vector<std::uint32_t> reader_versions;  // every version of the family
  std::vector<std::vector<action>> cells;      // [writer][reader]

  // nullopt for a version the matrix does not have.
  std::optional<action> at(std::uint32_t writer, std::uint32_t reader) const {
    for (std::size_t w = 0; w < writer_versions.size(); ++w) {
      for (std::size_t r = 0; r < reader_versions.size(); ++r) {
        if (writer_versions[w] == writer && reader_versions[r] == reader) return cells[w][r];
      }
    }
    return std::nullopt;
  }

  // A table: one row per writer version, one column per reader version.
  std::string to_string() const {
    std::string out = fmt::format("{:<12}", type);
    for (auto r : reader_versions) out += fmt::format(" reads v{:<9}", r);
    out += '\n';
    for (std::size_t w = 0; w < writer_versions.size(); ++w) {
      out += fmt::format("{:<12}", fmt::format("writes v{}", writer_versions[w]));
      for (std::size_t r = 0; r < reader_versions.size(); ++r) {
        const action a = cells[w][r];
        out += fmt::format(" {:<16}", a == action::ack ? "ok" : skew::to_string(a));
      }
      out += '\n';
    }
    return out;
  }
};

namespace detail {
constexpr int severity(action a) noexcept {
  switch (a) {
    case action::ack:
      return 0;
    case action::retry:
      return 1;
    case action::drop:
      return 2;
    case action::dead_letter:
      return 3;
  }
  return 3;
}

// A router that reads exactly the versions of Family up to `newest`, as an older build would.
template <message_family Family>
void register_up_to(router<Family>& r, std::uint32_t newest) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          constexpr std::uint32_t v = Family::versions[I];
          if (v <= newest) {
            r.template on<Family, v>(
                [](const typename Family::template payload_at<I>&, const envelope_view&) {});
          }
        }(),
        ...);
  }
  (std::make_index_sequence<Family::version_count>{});
}
}  // namespace detail

// Encodes every sample at every version the family can emit and dispatches each through readers
// that know the versions up to each reader version: the dual-version integration test as a call.
template <message_family Family>
version_matrix_result version_matrix(const std::vector<typename Family::latest>& samples,
                                     const envelope_format& format = family_format<Family>) {
  version_matrix_result m;
  m.type = std::string(Family::type_name);
  m.reader_versions.assign(Family::versions.begin(), Family::versions.end());
  emitter<Family> e(emitter_stamps{}, format);
  decoder dec;
  for (const std::uint32_t writer : Family::versions) {
    if (!e.set_version(writer)) continue;
    m.writer_versions.push_back(writer);
    auto& row = m.cells.emplace_back(m.reader_versions.size(), action::ack);
    for (std::size_t r = 0; r < m.reader_versions.size(); ++r) {
      router<Family> reader;
      reader.set_format(format);
      detail::register_up_to(reader, m.reader_versions[r]);
      for (std::size_t s = 0; s < samples.size(); ++s) {
        const auto json = e.encode(samples[s], {.id = "sample-" + std::to_string(s)});
        const action a = json ? reader.dispatch(dec, *json).action : action::dead_letter;
        if (detail::severity(a) > detail::severity(row[r])) row[r] = a;
      }
    }
  }
  return m;
}

}  // namespace skew::testing

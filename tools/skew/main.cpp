// skew: the operator's command for a skew fleet on Redis Streams or Kafka.
//
//   skew fleet show     live instances by group, last-known manifests, floors
//   skew can-deploy     may this build go out now? (0 yes, 1 no)
//   skew retire-group   a group gone for good stops holding emission
//   skew raise-floor    finalize the oldest version producers emit and consumers must read
//   skew capture        a sample of a stream or topic, as JSON Lines
//   skew replay         the current and a candidate build on a capture: what would it lose?
//   skew redrive        dead letters back to their group once it reads them
//
// Exit codes: 0 yes or done, 1 no (refused, regression, canary failed, letters failed), 2 usage
// or connection error. --json prints one JSON document instead of text.
#include "command_line.hpp"
#include "fleet_commands.hpp"
#include "redrive_command.hpp"
#include "stores.hpp"
#include "traffic_commands.hpp"

#include <fmt/format.h>

#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using skew_tool::broker_options;

struct subcommand {
  std::string_view name;
  std::string_view usage;  // after "skew <name> "
  std::string_view help;
  std::set<std::string_view> valued;
  std::set<std::string_view> flags;
};

const std::vector<subcommand>& subcommands() {
  static const std::vector<subcommand> all = {
      {"fleet show",
       "(--redis host:port --stream S | --kafka bootstrap --topic T) [--json]",
       "Lists each group's live instances (name, build, what it reads), its last-known "
       "manifest and the finalized floors.",
       broker_options,
       {"--json"}},
      {"can-deploy",
       "--candidate manifest.json (--manifests a.json,b.json | --redis ... | --kafka ...) "
       "[--json]",
       "Answers whether the candidate build may deploy now: as a consumer it must read what "
       "producers emit and what is still retained; as a producer it must write a version every "
       "group reads. Exit 0 yes, 1 no.",
       [] {
         auto o = broker_options;
         o.insert({"--candidate", "--manifests"});
         return o;
       }(),
       {"--json"}},
      {"retire-group",
       "(--redis ... | --kafka ...) --group G [--force]",
       "Stops a vanished group's last-known manifest from holding emission back. Refuses a "
       "group the fleet never saw (exit 1) unless --force.",
       [] {
         auto o = broker_options;
         o.insert("--group");
         return o;
       }(),
       {"--force"}},
      {"raise-floor",
       "(--redis ... | --kafka ...) --type T --version V",
       "Finalizes version V of type T: producers emit nothing older and consumers that cannot "
       "read it refuse to start. Refused (exit 1) while a group does not read V.",
       [] {
         auto o = broker_options;
         o.insert({"--type", "--version"});
         return o;
       }(),
       {}},
      {"capture",
       "(--redis ... | --kafka ...) --out FILE [--count N]",
       "Writes the last N messages (Kafka: of each partition; default 1000) as JSON Lines with "
       "headers, key and value, for skew replay.",
       [] {
         auto o = broker_options;
         o.insert({"--out", "--count"});
         return o;
       }(),
       {}},
      {"replay",
       "--capture FILE --current PROGRAM --candidate PROGRAM [--json]",
       "Runs each program with --skew-replay FILE (skew::replay_main: a dry-run dispatch) and "
       "compares their outcomes per type and version. Exit 1 when a message the current build "
       "handles would be retried, dead-lettered or dropped by the candidate.",
       {"--capture", "--current", "--candidate"},
       {"--json"}},
      {"redrive",
       "(--redis ... | --kafka ...) [--dry-run] [--rate N] [--canary N] [--group G] "
       "[--manifest FILE] [--metrics FILE] [--json]",
       "Moves dead letters that the live instances of their group read now back to the original "
       "stream or topic, addressed to that group alone; parks those that never will be; leaves "
       "the rest. --dry-run prints the table and moves nothing. --rate: letters per second. "
       "--canary N: the first N, then waits for their outcomes. --manifest: judge by a build's "
       "manifest instead of the fleet's. --metrics: the counts in Prometheus text.",
       [] {
         auto o = broker_options;
         o.insert({"--rate", "--canary", "--canary-timeout", "--group", "--manifest", "--metrics"});
         return o;
       }(),
       {"--dry-run", "--json"}},
  };
  return all;
}

void print_usage(std::FILE* to) {
  fmt::print(to, "usage: skew <command> [options]; skew <command> --help\n\ncommands:\n");
  for (const auto& s : subcommands()) fmt::print(to, "  skew {} {}\n", s.name, s.usage);
  fmt::print(to,
             "\nexit codes: 0 yes or done, 1 no, 2 usage or connection error\n"
             "--redis host:port --stream S, or --kafka bootstrap --topic T (manifests in "
             "T.manifests, or --manifests-topic); --format flat|cloudevents\n");
}

int run(const subcommand& s, std::vector<std::string_view> rest) {
  using namespace skew_tool;
  for (const auto a : rest) {
    if (a == "--help" || a == "-h") {
      fmt::print("usage: skew {} {}\n\n{}\n", s.name, s.usage, s.help);
      return 0;
    }
  }
  command_line args(std::move(rest), s.valued, s.flags);
  if (!args.error().empty()) {
    fmt::print(stderr, "skew {}: {}\nusage: skew {} {}\n", s.name, args.error(), s.name, s.usage);
    return 2;
  }
  const bool json = args.flag("--json");
  if (s.name == "replay") {
    return replay(args.value_or("--capture", ""), args.value_or("--current", ""),
                  args.value_or("--candidate", ""), json);
  }
  std::string error;
  const auto b = broker_from(args, error);
  if (s.name == "can-deploy") {
    if (!b && args.value("--manifests")) return can_deploy(args, std::nullopt, json);
    if (!b) return fail(error);
    return can_deploy(args, b, json);
  }
  if (!b) {
    fmt::print(stderr, "skew {}: {}\nusage: skew {} {}\n", s.name, error, s.name, s.usage);
    return 2;
  }
  if (s.name == "fleet show") return fleet_show(*b, json);
  if (s.name == "retire-group") {
    return retire_group(*b, args.value_or("--group", ""), args.flag("--force"));
  }
  if (s.name == "raise-floor") {
    const auto version = args.number("--version", 0);
    if (!args.error().empty()) return fail(args.error());
    return raise_floor(*b, args.value_or("--type", ""), version);
  }
  if (s.name == "capture") {
    const auto count = args.number("--count", 1000);
    if (!args.error().empty()) return fail(args.error());
    return capture(*b, count, args.value_or("--out", ""));
  }
  return redrive(*b, args);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage(args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  for (const auto& s : subcommands()) {
    const bool two_words = s.name.find(' ') != std::string_view::npos;
    const std::size_t words = two_words ? 2 : 1;
    if (args.size() < words) continue;
    const std::string given =
        two_words ? std::string(args[0]) + " " + std::string(args[1]) : std::string(args[0]);
    if (given != s.name) continue;
    return run(s,
               std::vector<std::string_view>(args.begin() + static_cast<long>(words), args.end()));
  }
  fmt::print(stderr, "skew: unknown command '{}'\n", args[0]);
  print_usage(stderr);
  return 2;
}

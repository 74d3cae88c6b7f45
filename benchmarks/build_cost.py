#!/usr/bin/env python3
"""Build cost of skew: compile time, peak compiler memory and code size of generated translation
units, each as a ratio to a TU that includes only simdjson.h and does one On-Demand lookup,
compiled with the same compiler and flags in the same run.

  python3 benchmarks/build_cost.py [--cxx g++] [--flags "-O2 -std=c++20"] [--include DIR]
                                   [--compare DIR] [--only TU,...] [--repeat N]

TUs:
  baseline      simdjson.h + one On-Demand lookup
  one_struct    skew.hpp, decode of one 3-member struct
  structs_40    20 families x 2 versions (5-6 members: strings, an int, an optional, a vector),
                decode_into + encode_to each
  structs_41    the same plus one more 5-member struct: its .text over structs_40's is the code
                size of one additional struct
  router        a router and an emitter over those 20 families
  compat        <skew/compat.hpp> alone: static_assert(family_compatible, forward) over those 20 families
Each TU is compiled `--repeat` times (default 3), round-robin; printed are the median CPU time (user +
system), the median of the per-round ratios to the baseline, and the largest memory. With
`--compare DIR`, every skew TU is also compiled against the include folder DIR (another tree of
skew: `git archive REV include | tar -x -C DIR`) in the same rounds, so the two trees' ratios share
the machine's state; those rows are marked `(compare)`."""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

BASELINE = r"""
#include <simdjson.h>
#include <cstdio>
int main(int argc, char** argv) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(std::string_view(argc > 1 ? argv[1] : "{\"to\":\"x\"}"));
  std::string_view to;
  auto doc = parser.iterate(json);
  if (doc["to"].get_string().get(to)) return 1;
  std::printf("%.*s\n", static_cast<int>(to.size()), to.data());
  return 0;
}
"""

ONE_STRUCT = r"""
#include <skew/skew.hpp>
#include <cstdio>
namespace app {
struct Small { std::string to; int count = 0; std::optional<std::string> note; };
SKEW_DESCRIBE(Small, to, count, note)
}
int main(int argc, char** argv) {
  skew::decoder decoder;
  auto r = decoder.decode<app::Small>(argc > 1 ? argv[1] : "{\"to\":\"x\",\"count\":1}");
  if (!r) return 1;
  std::printf("%s\n", r->to.c_str());
  return 0;
}
"""


def family_structs(count):
    """C++ for `count` families of two versions each (5 and 6 members)."""
    out = []
    for f in range(count):
        out.append(f"""
struct F{f}V1 {{
  std::string name{f}; std::string owner; int quantity = 0;
  std::optional<std::string> note; std::vector<std::string> tags;
}};
SKEW_DESCRIBE(F{f}V1, name{f}, owner, quantity, note, tags)
struct F{f}V2 {{
  std::string name{f}; std::string owner; int quantity = 0;
  std::optional<std::string> note; std::vector<std::string> tags; std::string region{f};
}};
SKEW_DESCRIBE(F{f}V2, name{f}, owner, quantity, note, tags, region{f})
inline F{f}V2 upcast(F{f}V1&& v) {{
  return {{std::move(v.name{f}), std::move(v.owner), v.quantity, std::move(v.note),
          std::move(v.tags), "eu"}};
}}
inline F{f}V1 downcast(const F{f}V2& v) {{ return {{v.name{f}, v.owner, v.quantity, v.note, v.tags}}; }}
using Family{f} = skew::message<"family-{f}", F{f}V1, F{f}V2>;
""")
    return "".join(out)


def structs_tu(families, extra_struct):
    body = ["#include <skew/skew.hpp>\n#include <cstdio>\nnamespace app {", family_structs(families)]
    names = [f"F{f}V{v}" for f in range(families) for v in (1, 2)]
    if extra_struct:
        body.append("""
struct Extra { std::string a; std::string b; int c = 0; std::optional<std::string> d;
               std::vector<std::string> e; };
SKEW_DESCRIBE(Extra, a, b, c, d, e)
""")
        names.append("Extra")
    body.append("}  // namespace app\n")
    body.append("template <class T> int roundtrip(skew::decoder& d, fmt::memory_buffer& out,\n"
                "                                 const char* json) {\n"
                "  T value{};\n"
                "  if (!d.decode_into(value, std::string_view(json))) return 1;\n"
                "  out.clear();\n"
                "  return skew::encode_to(out, value) ? 0 : 1;\n}\n")
    body.append("int main(int argc, char** argv) {\n  skew::decoder d;\n  fmt::memory_buffer out;\n"
                "  const char* json = argc > 1 ? argv[1] : \"{}\";\n  int failures = 0;\n")
    for n in names:
        body.append(f"  failures += roundtrip<app::{n}>(d, out, json);\n")
    body.append("  std::printf(\"%d\\n\", failures);\n  return 0;\n}\n")
    return "".join(body)


def router_tu(families):
    body = ["#include <skew/skew.hpp>\n#include <cstdio>\nnamespace app {", family_structs(families),
            "}  // namespace app\n"]
    fams = ", ".join(f"app::Family{f}" for f in range(families))
    body.append(f"using Router = skew::router<{fams}>;\n")
    body.append("int main(int argc, char** argv) {\n  Router router;\n  int handled = 0;\n")
    for f in range(families):
        body.append(f"  router.on<app::Family{f}>([&](const app::F{f}V2&) {{ ++handled; }});\n")
        body.append(f"  skew::emitter<app::Family{f}> e{f};\n"
                    f"  auto m{f} = e{f}.encode(app::F{f}V2{{}}, {{.id = \"m\"}});\n"
                    f"  if (m{f}) router.dispatch(*m{f});\n")
    body.append("  if (argc > 1) router.dispatch(argv[1]);\n"
                "  std::printf(\"%d\\n\", handled);\n  return 0;\n}\n")
    return "".join(body)


def compat_tu(families):
    body = ["#include <skew/compat.hpp>\n#include <optional>\n#include <string>\n#include <vector>\n"
            "namespace app {", family_structs(families), "}  // namespace app\n"]
    for f in range(families):
        body.append(f"static_assert(skew::family_compatible<app::Family{f}, skew::compat::forward>);\n")
    body.append("int main() { return 0; }\n")
    return "".join(body)


def compile_once(cxx, flags, includes, source, obj):
    """CPU seconds and peak memory (KB) of one compile."""
    # A fresh Python child per compile, so its ru_maxrss is this compile's alone. CPU time (user +
    # system), not wall time: on a shared machine, time spent waiting for a core is not the
    # compiler's.
    code = ("import resource,subprocess,sys;"
            "r=subprocess.run(sys.argv[1:]);"
            "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
            "print(u.ru_utime+u.ru_stime, u.ru_maxrss);"
            "sys.exit(r.returncode)")
    cmd = [sys.executable, "-c", code, cxx, *flags, *[f"-I{i}" for i in includes], "-c", source,
           "-o", obj]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"compile failed: {source}\n{proc.stderr[:4000]}")
    seconds, rss = proc.stdout.split()
    return float(seconds), int(rss)


def text_size(obj):
    out = subprocess.run(["size", "-A", obj], capture_output=True, text=True, check=True).stdout
    total = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".text"):
            total += int(parts[1])
    return total


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    parser.add_argument("--flags", default="-O2 -std=c++20 -DNDEBUG")
    parser.add_argument("--include", default=os.path.join(here, "..", "include"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated TU names")
    parser.add_argument("--compare", default="", help="another include folder, compiled alike")
    args = parser.parse_args()
    flags = args.flags.split()
    includes = [os.path.abspath(args.include)]
    # Which include folder each measured TU is compiled against: the tree, and the compared one.
    trees = {"": includes}
    if args.compare:
        trees[" (compare)"] = [os.path.abspath(args.compare)]
    tus = {
        "baseline": BASELINE,
        "one_struct": ONE_STRUCT,
        "structs_40": structs_tu(20, False),
        "structs_41": structs_tu(20, True),
        "router": router_tu(20),
        "compat": compat_tu(20),
    }
    wanted = [t for t in args.only.split(",") if t] or list(tus)
    if "baseline" not in wanted:
        wanted.insert(0, "baseline")
    # (row name, TU, include folders): the baseline includes no skew header, so it is compiled once.
    rows = [(name + suffix if name != "baseline" else name, name, folders)
            for name in wanted for suffix, folders in trees.items()
            if name != "baseline" or suffix == ""]
    version = subprocess.run([args.cxx, "--version"], capture_output=True, text=True).stdout
    print(f"compiler: {version.splitlines()[0]}\nflags: {' '.join(flags)}\n")
    # Round-robin: each round compiles every TU once, and a TU's ratio is the median of its
    # per-round ratios to the baseline, so a machine that slows down mid-run (shared hosts do)
    # moves numerator and denominator together.
    times = {row: [] for row, _, _ in rows}
    peak_kb = {row: 0 for row, _, _ in rows}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        sources = {}
        for name in wanted:
            sources[name] = os.path.join(tmp, name + ".cpp")
            with open(sources[name], "w") as f:
                f.write(tus[name])
        objects = {row: os.path.join(tmp, row.replace(" ", "_").replace("(", "").replace(")", "")
                                     + ".o") for row, _, _ in rows}
        for _ in range(args.repeat):
            for row, name, folders in rows:
                seconds, kb = compile_once(args.cxx, flags, folders, sources[name], objects[row])
                times[row].append(seconds)
                peak_kb[row] = max(peak_kb[row], kb)
        for row, _, _ in rows:
            ratios = [t / b for t, b in zip(times[row], times["baseline"])]
            results[row] = (statistics.median(times[row]), peak_kb[row] / 1024.0,
                            text_size(objects[row]), statistics.median(ratios))
            t, mb, text, ratio = results[row]
            base_mb = results["baseline"][1]
            rounds = "  rounds " + " ".join(f"{r:.2f}" for r in ratios) if args.compare else ""
            print(f"{row:22} {t:6.1f} s ({ratio:5.2f}x)  {mb:6.0f} MB ({mb / base_mb:4.2f}x)"
                  f"  .text {text / 1024:7.1f} KB{rounds}", flush=True)
    if "structs_40" in results and "structs_41" in results:
        extra = results["structs_41"][2] - results["structs_40"][2]
        print(f"\n.text of one additional 5-member struct: {extra / 1024:.2f} KB")


if __name__ == "__main__":
    main()

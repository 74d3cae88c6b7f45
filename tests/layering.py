#!/usr/bin/env python3
"""The layering rules of include/skew (docs/architecture.md), checked on every header:

  - an #include <skew/...> points only to a layer the includer's row of ALLOWED lists (or to its
    own layer); the top-level headers are the umbrella, fwd.hpp and the forwarding headers;
  - simdjson is named, in code or in a comment, only in json/detail/padded_input.hpp;
  - fmt is included only by base/detail/fmt.hpp;
  - librdkafka and hiredis are included only under adapters/kafka and adapters/redis, and named
    (in code or a comment) only under adapters/;
  - SIMD code (__SSE2__, intrinsics) lives only in json/detail/simd.hpp, compiler attributes
    ([[gnu::...]], __attribute__) only in base/detail/config.hpp;
  - each layer's main header opens with the layer's rule, word for word as docs/architecture.md
    states it.

  python3 tests/layering.py [include-dir]    exit status 1 and one line per violation
  python3 tests/layering.py --self-check     adds one violation of each kind to a copy of the tree
                                             and fails unless every one is reported
"""
import os
import re
import shutil
import sys
import tempfile

LAYERS = ["base", "json", "model", "payload", "envelope", "dispatch", "rollout", "evolve",
          "adapters"]
ALLOWED = {
    "base": set(),
    "json": {"base"},
    "model": {"base"},
    "payload": {"base", "json", "model"},
    "envelope": {"base", "json", "model", "payload"},
    "dispatch": {"base", "json", "model", "payload", "envelope"},
    "rollout": {"base", "model", "payload", "envelope"},
    "evolve": {"base", "json", "model", "payload", "envelope", "dispatch", "rollout"},
    "adapters": {"base", "json", "model", "payload", "envelope", "dispatch", "rollout"},
}
# Top-level headers: the umbrella includes the core layers, fwd.hpp the customization points.
TOP_LEVEL = {
    "skew.hpp": set(LAYERS) - {"adapters"} | {"version.hpp"},
    "fwd.hpp": {"model", "envelope/format.hpp"},
    "version.hpp": set(),
}
ONLY_IN = [
    # (what, pattern, the files allowed to have it)
    ("simdjson", re.compile(r"simdjson", re.I), lambda p: p == "json/detail/padded_input.hpp"),
    ("fmt include", re.compile(r"#\s*include\s*<fmt/"), lambda p: p == "base/detail/fmt.hpp"),
    ("librdkafka", re.compile(r"#\s*include\s*<librdkafka/"),
     lambda p: p.startswith("adapters/kafka")),
    ("hiredis", re.compile(r"#\s*include\s*<hiredis/"), lambda p: p.startswith("adapters/redis")),
    ("librdkafka or hiredis named", re.compile(r"rdkafka|hiredis", re.I),
     lambda p: p.startswith("adapters/")),
    ("SIMD code", re.compile(r"__SSE2__|__AVX|<[a-z]*intrin\.h>|\b_mm_"),
     lambda p: p in ("json/detail/simd.hpp", "base/detail/config.hpp")),
    ("compiler attribute", re.compile(r"\[\[gnu::|__attribute__"),
     lambda p: p == "base/detail/config.hpp"),
]
# Each layer's rule opens its main header ("// Layer base/: ...") and stands in
# docs/architecture.md's table, word for word.
MAIN_HEADERS = {
    "base": "base/error.hpp", "json": "json/detail/parsed_input.hpp",
    "model": "model/describe.hpp", "payload": "payload/decoder.hpp",
    "envelope": "envelope/peek.hpp", "dispatch": "dispatch/router.hpp",
    "rollout": "rollout/emitter.hpp", "evolve": "evolve/compat.hpp",
    "adapters": "adapters/broker.hpp",
}
INCLUDE = re.compile(r'^\s*#\s*include\s*<skew/([^>]+)>', re.M)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def forwarding_target(text):
    """The one header a forwarding header at an old path includes, or None."""
    includes = INCLUDE.findall(text)
    code = [l for l in strip_comments(text).splitlines() if l.strip()]
    if len(includes) == 1 and len(code) == 2:  # #pragma once and the include
        return includes[0]
    return None


def check(root):
    problems = []
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith(".hpp"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            with open(path, encoding="utf-8") as f:
                text = f.read()
            code = strip_comments(text)
            for what, pattern, allowed in ONLY_IN:
                # Dependencies may not be named even in a comment; the rest are code.
                searched = text if what.startswith(("simdjson", "librdkafka")) else code
                if pattern.search(searched) and not allowed(rel):
                    problems.append(f"{rel}: {what} outside its one home")
            layer = rel.split("/")[0] if "/" in rel else None
            for target in INCLUDE.findall(code):
                target_layer = target.split("/")[0] if "/" in target else None
                if layer is None:
                    allowed = TOP_LEVEL.get(rel)
                    if allowed is None:  # a forwarding header at an old path
                        if forwarding_target(text) is None or target_layer is None:
                            problems.append(f"{rel}: a top-level header that is not a one-line "
                                            f"forwarding header includes skew/{target}")
                        continue
                    if target_layer not in allowed and target not in allowed:
                        problems.append(f"{rel}: includes skew/{target}")
                elif target_layer is None:
                    problems.append(f"{rel}: includes the top-level skew/{target}")
                elif target_layer != layer and target_layer not in ALLOWED[layer]:
                    problems.append(f"{rel} ({layer}) includes skew/{target} ({target_layer}), "
                                    f"which {layer} may not include")
    return problems


def layer_rule(root, layer):
    """The rule at the top of a layer's main header, or None."""
    path = os.path.join(root, MAIN_HEADERS[layer])
    if not os.path.exists(path):
        return None
    lines = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("//") or line.strip() == "//":
                break
            lines.append(line[2:].strip())
    text = " ".join(lines)
    prefix = f"Layer {layer}/: "
    return text[len(prefix):] if text.startswith(prefix) else None


def check_rules(root, architecture):
    problems = []
    with open(architecture, encoding="utf-8") as f:
        doc = " ".join(f.read().split())
    for layer in LAYERS:
        rule = layer_rule(root, layer)
        if rule is None:
            problems.append(f"{MAIN_HEADERS[layer]}: does not open with '// Layer {layer}/: <rule>'")
        elif f"| `{layer}/` | `{MAIN_HEADERS[layer]}` | {rule} |" not in doc:
            problems.append(f"{MAIN_HEADERS[layer]}: its rule is not the one in {architecture}")
    return problems


def self_check(root):
    """Every kind of violation, added to a copy of the tree, must be reported."""
    injections = [
        ("json/detail/scan.hpp", "#include <skew/payload/decoder.hpp>\n", "(json) includes"),
        ("model/describe.hpp", "#include <skew/json/detail/skip.hpp>\n", "(model) includes"),
        ("rollout/fleet.hpp", "#include <skew/dispatch/stats.hpp>\n", "(rollout) includes"),
        ("payload/decoder.hpp", "inline int x = SIMDJSON_PADDING;\n", "simdjson outside"),
        ("envelope/view.hpp", "// read by simdjson\n", "simdjson outside"),
        ("dispatch/stats.hpp", "// like librdkafka's statistics\n", "hiredis named outside"),
        ("envelope/peek.hpp", "#include <fmt/core.h>\n", "fmt include outside"),
        ("dispatch/router.hpp", "#include <librdkafka/rdkafka.h>\n", "librdkafka outside"),
        ("adapters/kafka.hpp", "#include <hiredis/hiredis.h>\n", "hiredis outside"),
        ("payload/detail/write_value.hpp", "#ifdef __SSE2__\n#endif\n", "SIMD code outside"),
        ("payload/detail/read_value.hpp", "[[gnu::cold]] inline void f() {}\n",
         "compiler attribute outside"),
        ("router.hpp", "#include <skew/payload/decoder.hpp>\n", "not a one-line forwarding"),
    ]
    failures = 0
    for rel, line, expected in injections:
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "skew")
            shutil.copytree(root, copy)
            with open(os.path.join(copy, rel), "a", encoding="utf-8") as f:
                f.write(line)
            found = [p for p in check(copy) if p.startswith(rel) and expected in p]
            if not found:
                print(f"not reported: {line.strip()} added to {rel}")
                failures += 1
    return failures


def main():
    args = [a for a in sys.argv[1:] if a != "--self-check"]
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(args[0] if args else os.path.join(here, "..", "include", "skew"))
    if "--self-check" in sys.argv:
        if check(root):
            print("the tree itself breaks the rules; run without --self-check")
            return 1
        failures = self_check(root)
        print("every injected violation was reported" if not failures else
              f"{failures} injected violations were not reported")
        return 1 if failures else 0
    problems = check(root)
    architecture = os.path.join(root, "..", "..", "docs", "architecture.md")
    if os.path.exists(architecture):
        problems += check_rules(root, architecture)
    for p in problems:
        print(p)
    print(f"{len(problems)} layering violations" if problems else "layering: no violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

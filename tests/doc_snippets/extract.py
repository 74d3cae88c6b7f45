#!/usr/bin/env python3
"""Writes every ```cpp block of README.md and docs/*.md as a translation unit, as a reader copies
it, and prints one line per unit: `<add-on> <path>`, the add-on being core, kafka or redis.

A block right after a line `<!-- snippet: NAME -->` is pasted into tests/doc_snippets/NAME.cpp at
its line `// snippet`; a block without one must compile as it stands. A unit that names
skew::kafka or skew::redis needs that add-on's target.

  python3 tests/doc_snippets/extract.py <repository> <output directory>
"""
import os
import re
import sys

MARKER = re.compile(r"^<!-- snippet: ([a-z_]+) -->$")


def blocks(path):
    """(line, context, code) for every C++ block of a Markdown file."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```cpp":
            context = None
            if i > 0 and MARKER.match(lines[i - 1].strip()):
                context = MARKER.match(lines[i - 1].strip()).group(1)
            j = i + 1
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            out.append((i + 1, context, "\n".join(lines[i + 1:j]) + "\n"))
            i = j
        i += 1
    return out


def main():
    repo, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    docs = [os.path.join(repo, "README.md")]
    docs += sorted(os.path.join(repo, "docs", f) for f in os.listdir(os.path.join(repo, "docs"))
                   if f.endswith(".md"))
    written = set()
    for doc in docs:
        stem = os.path.splitext(os.path.basename(doc))[0].lower().replace("-", "_")
        for line, context, code in blocks(doc):
            if context is not None:
                frame_path = os.path.join(repo, "tests", "doc_snippets", context + ".cpp")
                frame = open(frame_path, encoding="utf-8").read()
                if "// snippet\n" not in frame:
                    sys.exit(f"{frame_path} has no line '// snippet'")
                code = frame.replace("// snippet\n", f"#line {line + 1} \"{doc}\"\n" + code, 1)
            else:
                code = f"#line {line + 1} \"{doc}\"\n" + code
            unit = os.path.join(outdir, f"{stem}_{line}.cpp")
            written.add(unit)
            # Touched only when it changed, so that an edit elsewhere rebuilds nothing.
            if not os.path.exists(unit) or open(unit, encoding="utf-8").read() != code:
                with open(unit, "w", encoding="utf-8") as f:
                    f.write(code)
            add_on = ("kafka" if re.search(r"skew::kafka|adapters/kafka", code)
                      else "redis" if re.search(r"skew::redis|adapters/redis", code) else "core")
            print(add_on, unit)
    for stale in os.listdir(outdir):
        if os.path.join(outdir, stale) not in written:
            os.remove(os.path.join(outdir, stale))


if __name__ == "__main__":
    main()

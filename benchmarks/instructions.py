#!/usr/bin/env python3
"""Instructions per call of decode and dispatch on the job envelope, under callgrind, for two
builds of skew compared side by side (see instructions.cpp). Builds bench_instructions.cpp against
each include folder given, with the same compiler and flags, then runs each operation at N and 2N
calls and prints (Ir(2N) - Ir(N)) / N.

  python3 benchmarks/instructions.py [--flags "-O2 -march=haswell"] [-n 2000] INCLUDE [INCLUDE...]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

OPERATIONS = ["decode-first", "decode-last", "dispatch-first", "dispatch-last"]


def total_ir(binary, operation, count, tmp):
    out = os.path.join(tmp, "callgrind.out")
    env = dict(os.environ, SIMDJSON_FORCE_IMPLEMENTATION="haswell")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary,
                    operation, str(count)], check=True, capture_output=True, env=env)
    with open(out) as f:
        for line in f:
            m = re.match(r"(?:summary|totals): (\d+)", line)
            if m:
                return int(m.group(1))
    sys.exit("no total in the callgrind output")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    parser.add_argument("--flags", default="-O2 -DNDEBUG -march=haswell")
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("includes", nargs="+")
    args = parser.parse_args()
    print(f"{args.cxx} {args.flags}, SIMDJSON_FORCE_IMPLEMENTATION=haswell, N={args.n}")
    with tempfile.TemporaryDirectory() as tmp:
        binaries = []
        for k, include in enumerate(args.includes):
            binary = os.path.join(tmp, f"instructions_{k}")
            subprocess.run([args.cxx, "-std=c++20", *args.flags.split(), f"-I{include}",
                            os.path.join(here, "instructions.cpp"), "-o", binary, "-lsimdjson",
                            "-lfmt"], check=True)
            binaries.append(binary)
        print(f"{'operation':16}" + "".join(f"{i[-40:]:>44}" for i in args.includes))
        for operation in OPERATIONS:
            row = []
            for binary in binaries:
                a = total_ir(binary, operation, args.n, tmp)
                b = total_ir(binary, operation, 2 * args.n, tmp)
                row.append((b - a) / args.n)
            print(f"{operation:16}" + "".join(f"{r:44.1f}" for r in row), flush=True)


if __name__ == "__main__":
    main()

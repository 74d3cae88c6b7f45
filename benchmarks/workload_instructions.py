#!/usr/bin/env python3
"""Instructions per pass over each workload of the matrix, per contender, under callgrind: runs
`BINARY --calls NAME N` at N and 2N passes and prints (Ir(2N) - Ir(N)) / N, with ratios to the
hand-written loop and to glaze. Instructions are not time (a branchy loop and a SIMD one differ in
instructions per cycle), but they do not move with the machine's load as times do.

  python3 benchmarks/workload_instructions.py build/bench/benchmarks/bench_workloads [FILTER]
"""
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

# Passes per run, by workload: enough that one pass's instructions dwarf the rounding.
PASSES = {"webhooks": 2, "order_lines": 10, "number_heavy": 10, "string_heavy": 50}
DEFAULT_PASSES = 400


def total_ir(binary, name, calls, tmp):
    out = os.path.join(tmp, f"{name.replace('/', '_')}_{calls}.out")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary,
                    "--calls", name, str(calls)], check=True, capture_output=True)
    with open(out) as f:
        for line in f:
            m = re.match(r"(?:summary|totals): (\d+)", line)
            if m:
                return int(m.group(1))
    sys.exit(f"no total in the callgrind output of {name}")


def per_pass(binary, name, tmp):
    n = PASSES.get(name.split("/")[0], DEFAULT_PASSES)
    return (total_ir(binary, name, 2 * n, tmp) - total_ir(binary, name, n, tmp)) / n


def main(binary, pattern=""):
    listed = subprocess.run([binary, "--benchmark_list_tests=true"], check=True,
                            capture_output=True, text=True).stdout.split()
    names = [n for n in listed if "/" in n and re.search(pattern, n)]
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(2) as pool:
        counts = dict(zip(names, pool.map(lambda n: per_pass(binary, n, tmp), names)))
    workloads = {}
    for name, ir in counts.items():
        workload, contender = name.split("/")
        workloads.setdefault(workload, {})[contender] = ir
    print(f"{binary}: instructions per pass over each workload (callgrind)")
    for workload, row in workloads.items():
        base = row.get("handwritten_simdjson")
        glaze = row.get("glaze")
        print(f"\n{workload}")
        for contender, ir in row.items():
            ratio = f"{ir / base:6.2f}x" if base else ""
            vs_glaze = f"  {ir / glaze:6.2f}x glaze" if glaze else ""
            print(f"  {contender:<32} {ir:14,.0f}  {ratio}{vs_glaze}")


if __name__ == "__main__":
    main(*sys.argv[1:])

#!/usr/bin/env python3
"""Runs workload-matrix binaries alternately, ROUNDS times in random order, and prints for each
label, workload and contender the median over the rounds of its time divided by the hand-written
loop's time in the same round. Per-round ratios, so that a machine slowing down for a while moves
both sides of a ratio; alternating binaries, so that two builds (say, two commits' headers) meet
the same machine.

  python3 benchmarks/rounds.py [--rounds N] [--filter REGEX] [--json OUT] LABEL=BINARY...

--json writes the first label's ratios as a Google Benchmark file of medians (the hand-written
loop 1.0), which ratio_chart.py draws."""
import argparse
import json
import random
import statistics
import subprocess


def run(binary, pattern):
    out = subprocess.run([binary, f"--benchmark_filter={pattern}", "--benchmark_format=json",
                          "--benchmark_min_time=0.1"], check=True, capture_output=True,
                         text=True).stdout
    data = json.loads(out[out.index("{"):])  # the binary prints a line before its JSON
    return {b["name"]: b["real_time"] for b in data["benchmarks"] if not b.get("error_occurred")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--filter", default="handwritten|glaze|skew_")
    parser.add_argument("--json")
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    binaries = dict(b.split("=", 1) for b in args.binaries)
    ratios = {label: {} for label in binaries}
    for _ in range(args.rounds):
        order = list(binaries.items())
        random.shuffle(order)
        for label, binary in order:
            times = run(binary, args.filter)
            for name, t in times.items():
                workload, contender = name.split("/", 1)
                base = times.get(f"{workload}/handwritten_simdjson")
                if base and contender != "handwritten_simdjson":
                    ratios[label].setdefault(workload, {}).setdefault(contender, []).append(t / base)
    for label, workloads in ratios.items():
        for workload, contenders in sorted(workloads.items()):
            cells = "  ".join(f"{c} {statistics.median(r):.2f}" for c, r in sorted(contenders.items()))
            print(f"{label:8} {workload:15} {cells}")
    if args.json:
        label = next(iter(binaries))
        rows = []
        for workload, contenders in ratios[label].items():
            medians = {"handwritten_simdjson": 1.0}
            medians.update({c: statistics.median(r) for c, r in contenders.items()})
            for contender, value in medians.items():
                name = f"{workload}/{contender}"
                rows.append({"name": name, "run_name": name, "run_type": "aggregate",
                             "aggregate_name": "median", "real_time": value})
        with open(args.json, "w") as f:
            json.dump({"benchmarks": rows}, f)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draws the workload matrix as time ratios to the hand-written loop (median of repetitions), one
group of bars per workload, from a bench_workloads JSON file. Lower is better; the dashed line is
the hand-written loop.

usage: ratio_chart.py out.png workloads.json [title]; needs Debian's python3-matplotlib."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WORKLOADS = ["job", "newer_producer", "header_last", "order_lines", "string_heavy",
             "number_heavy", "webhooks"]
CONTENDERS = [("skew_decode_into_validated", "skew decode_into (validated, the default)", "#2b6cb0"),
              ("skew_decode_into", "skew decode_into, validate_skipped = false", "#63b3ed"),
              ("skew_dispatch_validated", "skew dispatch", "#2c5282"),
              ("glaze", "glaze 5.7.2", "#dd6b20"),
              ("rapidjson_dom", "RapidJSON DOM", "#a0aec0")]


def main(out, path, title="skew workload matrix"):
    with open(path) as f:
        data = json.load(f)
    times = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        workload, contender = b.get("run_name", b["name"]).rsplit("/", 1)
        times.setdefault(workload, {})[contender] = b["real_time"]
    workloads = [w for w in WORKLOADS if w in times]
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.75 * len(workloads)))
    height = 0.8 / len(CONTENDERS)
    for k, (key, label, color) in enumerate(CONTENDERS):
        ys, xs = [], []
        for i, w in enumerate(workloads):
            if key in times[w] and "handwritten_simdjson" in times[w]:
                ys.append(i + k * height)
                xs.append(times[w][key] / times[w]["handwritten_simdjson"])
        if not xs:
            continue  # a contender the file has no row of gets no legend entry either
        ax.barh(ys, xs, height=height, color=color, label=label)
        for y, x in zip(ys, xs):
            ax.text(x, y, f" {x:.2f}", va="center", fontsize=6)
    ax.axvline(1.0, color="black", linestyle="--", linewidth=0.8)
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(workloads))])
    ax.set_yticklabels(workloads, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("time / hand-written simdjson On-Demand loop (lower is better)", fontsize=8)
    # Below the axes: inside, it covers the longest bars.
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3, frameon=False)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main(*sys.argv[1:])

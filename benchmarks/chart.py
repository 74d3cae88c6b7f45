#!/usr/bin/env python3
"""Draws MB/s per contender per workload (median of repetitions) from Google Benchmark JSON files.

usage: chart.py out.png results.json... ; the workload is the part of a benchmark's name before
the last '/', the contender the part after. Needs Debian's python3-matplotlib."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def medians(paths):
    rows = {}
    context = {}
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        context = data.get("context", context)
        for b in data["benchmarks"]:
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            if "bytes_per_second" not in b:
                continue
            name = b.get("run_name", b["name"])
            workload, contender = name.rsplit("/", 1)
            rows.setdefault(workload, {})[contender] = b["bytes_per_second"] / 1e6
    return rows, context


def main(out, paths):
    rows, context = medians(paths)
    workloads = list(rows)
    fig, axes = plt.subplots(len(workloads), 1, figsize=(9, 1.0 + 0.42 * sum(len(r) for r in rows.values()) + 0.6 * len(workloads)))
    if len(workloads) == 1:
        axes = [axes]
    for ax, workload in zip(axes, workloads):
        contenders = rows[workload]
        # Baselines and other libraries in grey, skew's entries in blue; a stable order.
        others = ("handwritten", "rapidjson", "boost", "nlohmann")
        names = sorted(contenders, key=lambda n: (not n.startswith(others), n))
        values = [contenders[n] for n in names]
        colors = ["#a0aec0" if n.startswith(others) else "#2b6cb0" for n in names]
        ax.barh(names, values, color=colors)
        ax.invert_yaxis()
        ax.set_title(workload, loc="left", fontsize=10)
        ax.tick_params(labelsize=8)
        for i, v in enumerate(values):
            ax.text(v, i, f" {v:,.0f}", va="center", fontsize=7)
        ax.set_xlabel("MB/s (higher is better)", fontsize=8)
    fig.suptitle(f"skew benchmarks, {context.get('num_cpus', '?')} CPUs @ {context.get('mhz_per_cpu', '?')} MHz", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

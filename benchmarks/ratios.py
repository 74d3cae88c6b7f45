#!/usr/bin/env python3
"""Prints each benchmark's time as a ratio to its group's baseline (median of repetitions), and to
glaze's where the group has a glaze entry.

A group is the part of the name before the last '/'; its baseline is the entry whose last part
starts with 'handwritten' (or the first entry of the group)."""
import json
import sys


def main(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    for b in data["benchmarks"]:
        name = b.get("run_name", b["name"])
        if b.get("error_occurred"):
            print(f"{name}: {b.get('error_message', 'error')}")
            continue
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        rows[name] = b
    groups = {}
    for name, b in rows.items():
        group = name.rsplit("/", 1)[0]
        groups.setdefault(group, []).append((name, b))
    ctx = data.get("context", {})
    print(f"host: {ctx.get('host_name', '?')}, {ctx.get('num_cpus', '?')} cpus @ {ctx.get('mhz_per_cpu', '?')} MHz")
    for group, entries in groups.items():
        base = next((b for n, b in entries if n.rsplit("/", 1)[1].startswith(("handwritten", "decode"))), entries[0][1])
        glaze = next((b for n, b in entries if n.rsplit("/", 1)[1] == "glaze"), None)
        print(f"\n{group}")
        for name, b in entries:
            ratio = b["real_time"] / base["real_time"]
            versus_glaze = f"  {b['real_time'] / glaze['real_time']:5.2f}x glaze" if glaze else ""
            allocs = b.get("allocs/op", float("nan"))
            print(f"  {name.rsplit('/', 1)[1]:<32} {b['real_time']:9.2f} {b['time_unit']}  {ratio:5.2f}x{versus_glaze}  allocs/op {allocs:.2f}")


if __name__ == "__main__":
    main(sys.argv[1])

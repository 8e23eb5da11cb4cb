#!/usr/bin/env python3
"""The per-kind table of BENCHMARKS.md from the last run of `benches/kinds.rs`.

Usage (repository root), after `cargo bench -p phonetoken-benches --bench kinds`:
    python3 tools/bench/kinds_table.py

Reads criterion's median and element count of every `kinds/FAMILY/ENGINE` id (CARGO_TARGET_DIR
or target, then criterion/kinds/FAMILY_ENGINE/new/) and prints, per family, phonetoken's and
rlibphonenumber's time per row and how many times faster phonetoken is, as a Markdown table.
"""

import json
import os

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
base = os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.join(root, "target"),
                    "criterion", "kinds")


def per_row(family, engine):
    d = os.path.join(base, f"{family}_{engine}", "new")
    with open(os.path.join(d, "estimates.json")) as f:
        median = json.load(f)["median"]["point_estimate"]
    with open(os.path.join(d, "benchmark.json")) as f:
        rows = json.load(f)["throughput"]["Elements"]
    return median / rows, rows


families = sorted({name.rsplit("_", 1)[0] for name in os.listdir(base) if "_" in name})
families.sort(key=lambda f: (f != "all", f))
print("| kind | rows | phonetoken ns/row | rlibphonenumber ns/row | ratio |")
print("|---|---|---|---|---|")
for family in families:
    ours, rows = per_row(family, "phonetoken")
    theirs, _ = per_row(family, "rlibphonenumber")
    print(f"| {family} | {rows:,} | {ours:,.1f} | {theirs:,.1f} | {theirs / ours:.1f}× |")

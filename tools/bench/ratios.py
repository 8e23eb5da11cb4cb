#!/usr/bin/env python3
"""The goal ratios of the `lookup` benchmarks, over several runs of the suite.

Usage (repository root):
    python3 tools/bench/ratios.py [--runs 5] [--measurement-time 3]

The goals of the pseudonym, token and batch work are ratios between benchmark ids of the same
run (BENCHMARKS.md). On a shared virtual machine one run moves by up to 20 %, and the two ids
of a ratio do not always move together, so this script runs the `lookup` group several
times, reads criterion's median of each id after each run (target/criterion/lookup/ID/new/
estimates.json), and prints every run's ratios and their median across runs. Only the
median across runs is quoted as the result.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

# (label, numerator ids, denominator ids, goal): a ratio is sum(numerator) / sum(denominator).
RATIOS = [
    ("pseudonymize_parsed / floor_sha256_2_blocks", ["pseudonymize_parsed"], ["floor_sha256_2_blocks"], "<= 1.3"),
    ("tokenize / floor_aes_siv_blocks", ["tokenize"], ["floor_aes_siv_blocks"], "<= 2"),
    ("detokenize / floor_aes_siv_blocks", ["detokenize"], ["floor_aes_siv_blocks"], "<= 2"),
    ("pseudonymize_raw / floor_sha256_2_blocks", ["pseudonymize_raw"], ["floor_sha256_2_blocks"], "<= 2"),
    ("(peer parse + peer hmac) / pseudonymize_raw", ["peer_phonenumber_parse_e164", "peer_naive_hmac"], ["pseudonymize_raw"], ">= 20"),
    ("batch / loop of single calls (per item)", ["pseudonymize_raw_batch_1024"], ["pseudonymize_raw_loop_1024"], "< 1"),
]


def median_ns(root, bench_id):
    path = os.path.join(root, "target", "criterion", "lookup", bench_id, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--measurement-time", default="3")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ids = sorted({i for _, num, den, _ in RATIOS for i in num + den})
    runs = []
    for run in range(args.runs):
        # The `lookup/` prefix keeps the `parse` group (and its slow peer) out.
        command = [
            "cargo", "bench", "--bench", "lookup", "--",
            "--warm-up-time", "1", "--measurement-time", args.measurement_time,
            "^lookup/",
        ]
        subprocess.run(command, cwd=root, check=True, stdout=subprocess.DEVNULL)
        medians = {i: median_ns(root, i) for i in ids}
        runs.append([sum(medians[i] for i in num) / sum(medians[i] for i in den) for _, num, den, _ in RATIOS])
        print(f"run {run + 1}/{args.runs}: " + ", ".join(f"{i}={medians[i]:.1f}" for i in ids), file=sys.stderr)
    header = "| ratio | goal | " + " | ".join(f"run {r + 1}" for r in range(len(runs))) + " | median |"
    print(header)
    print("|" + "---|" * (len(runs) + 3))
    for k, (label, _, _, goal) in enumerate(RATIOS):
        values = [run[k] for run in runs]
        cells = " | ".join(f"{v:.2f}" for v in values)
        print(f"| {label} | {goal} | {cells} | {statistics.median(values):.2f} |")


if __name__ == "__main__":
    main()

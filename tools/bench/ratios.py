#!/usr/bin/env python3
"""The goal ratios of the `lookup` benchmarks, each measured in back-to-back rounds.

Usage (repository root):
    python3 tools/bench/ratios.py [--rounds 5] [--measurement-time 2] [--only TEXT]

The goals of the pseudonym, token and batch work are ratios between benchmark ids of the same
run (BENCHMARKS.md). On a shared virtual machine the speed of the whole machine drifts by up
to 20 % within minutes, so two ids measured minutes apart can disagree by that much for no
reason in the code. So this script measures each ratio on its own: one round runs only that
ratio's ids, one right after the other (a criterion filter matching exactly them), reads
criterion's median of each (target/criterion/lookup/ID/new/estimates.json) and computes the
ratio. It runs every ratio once per round, for several rounds, and prints every round's value
and the median across rounds, the figure BENCHMARKS.md quotes.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

# (label, numerator ids, denominator ids, goal): a ratio is sum(numerator) / sum(denominator).
# The speed goals are judged on the time of one call (`*_chained`: each call waits for the
# previous one) against the floors, which are measured the same way (benches/lookup.rs).
RATIOS = [
    ("pseudonymize_parsed_chained / floor_sha256_2_blocks", ["pseudonymize_parsed_chained"], ["floor_sha256_2_blocks"], "<= 1.3"),
    ("tokenize_chained / floor_aes_siv_blocks", ["tokenize_chained"], ["floor_aes_siv_blocks"], "<= 2"),
    ("detokenize_chained / floor_aes_siv_blocks", ["detokenize_chained"], ["floor_aes_siv_blocks"], "<= 2"),
    ("pseudonymize_raw_chained / floor_sha256_2_blocks", ["pseudonymize_raw_chained"], ["floor_sha256_2_blocks"], "<= 2"),
    ("(peer parse + peer hmac) / pseudonymize_raw", ["peer_phonenumber_parse_e164", "peer_naive_hmac"], ["pseudonymize_raw"], ">= 20"),
    ("batch / loop of single calls (per item)", ["pseudonymize_raw_batch_1024"], ["pseudonymize_raw_loop_1024"], "< 1"),
    # Beside the goals (no goal of their own): the ids the issue names, measured side by side
    # (consecutive calls free to overlap), against the floors and against the floors measured
    # side by side too.
    ("pseudonymize_parsed / floor_sha256_2_blocks", ["pseudonymize_parsed"], ["floor_sha256_2_blocks"], "-"),
    ("tokenize / floor_aes_siv_blocks", ["tokenize"], ["floor_aes_siv_blocks"], "-"),
    ("detokenize / floor_aes_siv_blocks", ["detokenize"], ["floor_aes_siv_blocks"], "-"),
    ("pseudonymize_raw / floor_sha256_2_blocks", ["pseudonymize_raw"], ["floor_sha256_2_blocks"], "-"),
    ("pseudonymize_parsed / floor_sha256_2_blocks_overlapped", ["pseudonymize_parsed"], ["floor_sha256_2_blocks_overlapped"], "-"),
    ("tokenize / floor_aes_siv_blocks_overlapped", ["tokenize"], ["floor_aes_siv_blocks_overlapped"], "-"),
    ("detokenize / floor_aes_siv_blocks_overlapped", ["detokenize"], ["floor_aes_siv_blocks_overlapped"], "-"),
    ("pseudonymize_raw / floor_sha256_2_blocks_overlapped", ["pseudonymize_raw"], ["floor_sha256_2_blocks_overlapped"], "-"),
]


def median_ns(root, bench_id):
    path = os.path.join(root, "target", "criterion", "lookup", bench_id, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def measure(root, ids, measurement_time):
    """Runs exactly `ids` of the `lookup` group, back to back; their medians in ns."""
    pattern = "^lookup/(" + "|".join(re.escape(i) for i in ids) + ")$"
    command = [
        "cargo", "bench", "--bench", "lookup", "--",
        "--warm-up-time", "1", "--measurement-time", measurement_time, pattern,
    ]
    subprocess.run(command, cwd=root, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {i: median_ns(root, i) for i in ids}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--measurement-time", default="2")
    parser.add_argument("--only", default="", help="measure only the ratios whose label contains TEXT")
    args = parser.parse_args()
    ratios = [r for r in RATIOS if args.only in r[0]]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # Build once, so that no round pays for compiling.
    subprocess.run(["cargo", "bench", "--bench", "lookup", "--no-run"], cwd=root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rounds = []
    for r in range(args.rounds):
        values = []
        for label, num, den, _ in ratios:
            medians = measure(root, num + den, args.measurement_time)
            values.append(sum(medians[i] for i in num) / sum(medians[i] for i in den))
            shown = ", ".join(f"{i}={medians[i]:.1f}" for i in num + den)
            print(f"round {r + 1}/{args.rounds}: {label}: {values[-1]:.2f} ({shown})", file=sys.stderr)
        rounds.append(values)
    header = "| ratio | goal | " + " | ".join(f"round {r + 1}" for r in range(len(rounds))) + " | median |"
    print(header)
    print("|" + "---|" * (len(rounds) + 3))
    for k, (label, _, _, goal) in enumerate(ratios):
        values = [values[k] for values in rounds]
        cells = " | ".join(f"{v:.2f}" for v in values)
        print(f"| {label} | {goal} | {cells} | {statistics.median(values):.2f} |")


if __name__ == "__main__":
    main()

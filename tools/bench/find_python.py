#!/usr/bin/env python3
"""The number finder against Python's phonenumbers, in bytes of text per second.

Usage (repository root), with an interpreter that has phonenumbers 9.0.35 installed (as
tools/parity/requirements.txt pins it):
    python tools/bench/find_python.py [--runs 3] [--seconds 2]

The texts are the corpora of benches/find.rs (benches/corpus.rs), printed by the example
`find_corpus`, so that both sides search the same bytes: a chat-like corpus with a number
every few hundred bytes and a log-like one with none, region US. For each corpus and each of
the two leniencies the script

- searches the text with phonenumbers' PhoneNumberMatcher (max_tries 65,535, its default)
  and checks that phonetoken (`find_corpus matches`) finds the same matches: the same byte
  ranges and the same E.164 numbers;
- times PhoneNumberMatcher over the whole text, best of --runs runs;
- times phonetoken (the `bench` profile, as criterion builds it) over the same text in its own process (`find_corpus time`: the text
  searched in a loop for about --seconds, after one untimed search), best of --runs runs;

and prints a Markdown table of both rates and their ratio. Starting the example and
generating the corpus are outside phonetoken's timed loop; Python's import of phonenumbers
and its metadata loading are outside its timed search too (one untimed search first).
"""

import argparse
import os
import subprocess
import sys
import time

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGION = "US"
LENIENCIES = {"possible": Leniency.POSSIBLE, "valid": Leniency.VALID}


def example() -> str:
    subprocess.run(
        ["cargo", "build", "-p", "phonetoken-benches", "--profile", "bench", "--quiet",
         "--example", "find_corpus"],
        cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "release", "examples", "find_corpus")


def run(binary: str, *args: str) -> str:
    return subprocess.run([binary, *args], check=True, capture_output=True).stdout.decode()


def python_matches(text: str, leniency) -> list:
    """(start, end, E.164) per match, with byte offsets into the UTF-8 text."""
    found = []
    byte, char = 0, 0
    for m in PhoneNumberMatcher(text, REGION, leniency=leniency, max_tries=65535):
        byte += len(text[char:m.start].encode())
        start = byte
        byte += len(text[m.start:m.end].encode())
        char = m.end
        found.append((start, byte,
                      phonenumbers.format_number(m.number, PhoneNumberFormat.E164)))
    return found


def python_rate(text: str, leniency, runs: int) -> float:
    size = len(text.encode())
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for _ in PhoneNumberMatcher(text, REGION, leniency=leniency, max_tries=65535):
            pass
        best = min(best, time.perf_counter() - started)
    return size / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    binary = example()
    print(f"phonenumbers {phonenumbers.__version__}, Python {sys.version.split()[0]}",
          file=sys.stderr)
    rows = []
    for corpus in ("chat", "log"):
        text = run(binary, "print", corpus)
        size = len(text.encode())
        for name, leniency in LENIENCIES.items():
            theirs = python_matches(text, leniency)
            ours = [(int(s), int(e), n) for s, e, n in
                    (line.split() for line in run(binary, "matches", "phonetoken", corpus,
                                                  name).splitlines())]
            differ = len(set(ours) ^ set(theirs))
            if differ:
                sys.exit(f"{corpus}/{name}: {differ} matches found by only one side")
            py = python_rate(text, leniency, args.runs)
            # Enough searches for about --seconds, from a first estimate.
            first = float(run(binary, "time", "phonetoken", corpus, name, "1").split()[0])
            reps = str(max(1, int(first * args.seconds / size)))
            ours_rate = max(float(run(binary, "time", "phonetoken", corpus, name, reps)
                                  .split()[0]) for _ in range(args.runs))
            rows.append((corpus, name, size, len(theirs), py, ours_rate))
            print(f"{corpus}/{name}: {len(theirs)} matches, same on both sides; "
                  f"phonenumbers {py / 1e6:.3f} MB/s, phonetoken {ours_rate / 1e6:.2f} MB/s",
                  file=sys.stderr)
    print("| corpus | leniency | bytes | matches | phonenumbers MB/s | phonetoken MB/s "
          "| speed-up | goal |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for corpus, name, size, count, py, ours in rows:
        ratio = ours / py
        mark = "✓" if ratio >= 100 else "✗"
        print(f"| {corpus} | {name} | {size:,} | {count:,} | {py / 1e6:.3f} | {ours / 1e6:.2f} "
              f"| {ratio:.1f}× | 100× {mark} |")


if __name__ == "__main__":
    main()

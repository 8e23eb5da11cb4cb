"""Writes seed corpora for the fuzz targets from the parity fixture.

Each fixture case becomes one input: two bytes of region (or "--" for none), then the text,
which is the layout the parse targets read. Usage: python3 tools/fuzz/seed.py OUT_DIR
"""
import json
import pathlib
import sys

def main() -> None:
    root = pathlib.Path(__file__).resolve().parents[2]
    out = pathlib.Path(sys.argv[1])
    fixture = root / "tests" / "data" / "parity.jsonl"
    seeds = []
    with fixture.open(encoding="utf-8") as lines:
        for line in lines:
            case = json.loads(line)
            if "input" not in case:
                continue
            region = case.get("region") or "--"
            seeds.append(region.encode("ascii")[:2] + case["input"].encode("utf-8"))
    for target in ("parse", "e164_fixpoint"):
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        # Every 7th case keeps the corpus small enough to load fast but varied.
        for i, seed in enumerate(seeds[::7]):
            (folder / f"seed-{i:06}").write_bytes(seed)
    print(f"seeded {len(seeds[::7])} inputs per target into {out}")

if __name__ == "__main__":
    main()

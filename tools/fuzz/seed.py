"""Writes seed corpora for the fuzz targets from the parity fixture.

Each fixture case becomes one input: two bytes of region (or "--" for none), then the text,
which is the layout the parse targets read (the format target reads a byte before it, the
mask's visible digits). The roundtrip target gets the same cases behind a
context, a bit to flip and a purpose (the layout `roundtrip_case` in fuzz/checks.rs reads).
The detokenize and keyset_json seeds are made by the library itself and committed under
fuzz/seeds/ (tests/fuzz_regressions.rs keeps them current); tools/fuzz/run.sh copies them in.
Usage: python3 tools/fuzz/seed.py OUT_DIR
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
    contexts = [b"", b"sms-gateway", bytes(range(40))]
    purposes = [b"", b"analytics", "contacts-\u00e9".encode("utf-8")]
    folder = out / "roundtrip"
    folder.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(seeds[3::7]):
        context = contexts[i % len(contexts)]
        purpose = purposes[i % len(purposes)]
        flip = i % 256
        framed = bytes([len(context)]) + context + bytes([flip, len(purpose)]) + purpose + seed
        (folder / f"seed-{i:06}").write_bytes(framed)
    # The format target: a byte for the mask's visible digits, then the parse layout.
    folder = out / "format"
    folder.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(seeds[5::7]):
        (folder / f"seed-{i:06}").write_bytes(bytes([i % 8]) + seed)
    # The find target: a byte for the leniency and the tries (127 << 1: the default), then the
    # parse layout with a text of the matcher fixture.
    folder = out / "find"
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    with (root / "tests" / "data" / "matcher.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            case = json.loads(line)
            if case["leniency"] == "VALID":
                region = case.get("region") or "--"
                texts.append(region.encode("ascii")[:2] + case["text"].encode("utf-8"))
    for i, text in enumerate(texts[::5]):
        mode = (127 << 1) | (i % 2) if i % 4 else (i % 64)
        (folder / f"seed-{i:06}").write_bytes(bytes([mode & 0xFF]) + text[:511])
    print(f"seeded {len(seeds[::7])} inputs per target into {out}")

if __name__ == "__main__":
    main()

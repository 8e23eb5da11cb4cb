"""Rows per second of phonetoken's Python package against the tool and the Python baseline.

One run, the same numbers for every row of the table (tools/bulk/gen_input.py), one core
where the engine allows it (Spark local[1], DuckDB `SET threads = 1`, Polars with
POLARS_MAX_THREADS=1), best of --repeat runs:

- the kernel alone (`phonetoken.pseudonymize` on a pyarrow array), and `phonetoken
  pseudonymize --threads 1` on the same lines;
- Spark: phonetoken's column function, a `pandas_udf` running `phonenumbers` + `hmac` (the
  baseline data teams use today) and an identity `arrow_udf` (Spark's Arrow transport alone);
- DuckDB and Polars: phonetoken against the same baseline as their Python UDFs.

Every baseline is checked to give phonetoken's pseudonyms on the rows both accept. Prints a
Markdown table. python/bench/run.sh builds what it needs and runs this.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("POLARS_MAX_THREADS", "1")

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import phonenumbers  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402

import phonetoken  # noqa: E402
import phonetoken.duckdb  # noqa: E402
import phonetoken.polars  # noqa: E402

REGION = "US"


def primary_key(path: str) -> bytes:
    doc = json.load(open(path))
    key = next(k for k in doc["keys"] if k["id"] == doc["primary_key_id"])
    return base64.b64decode(key["pseudonym_key"])


def make_baseline(key: bytes):
    """phonenumbers + hmac for one value, as tools/bulk/baseline.py does; None on failure."""
    parse, possible, fmt = phonenumbers.parse, phonenumbers.is_possible_number, phonenumbers.format_number
    e164, new, sha256, enc = phonenumbers.PhoneNumberFormat.E164, hmac.new, hashlib.sha256, base64.urlsafe_b64encode

    def one(text):
        if text is None:
            return None
        try:
            n = parse(text, REGION)
            if not possible(n):
                return None
            return enc(new(key, fmt(n, e164).encode(), sha256).digest()).rstrip(b"=").decode()
        except Exception:  # noqa: BLE001 - a failure is a null, as phonetoken's default
            return None

    return one


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def agree(ours: list, theirs: list, what: str) -> None:
    both = [(a, b) for a, b in zip(ours, theirs) if a is not None and b is not None]
    differ = sum(a != b for a, b in both)
    if differ or len(both) < min(len(ours), len(theirs)) * 0.8:
        raise SystemExit(f"{what}: {differ} of {len(both)} pseudonyms differ")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", required=True, help="numbers, one a line")
    ap.add_argument("--keyset", required=True)
    ap.add_argument("--cli", required=True, help="the phonetoken binary (release)")
    ap.add_argument("--engine-rows", type=int, default=200_000, help="rows for the engine runs")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each (best is kept)")
    args = ap.parse_args()

    lines = open(args.input, encoding="utf-8").read().split("\n")[:-1]
    n = len(lines)
    m = min(args.engine_rows, n)
    keys = phonetoken.Keyset.from_file(args.keyset)
    key = primary_key(args.keyset)
    baseline = make_baseline(key)
    rows: list[tuple[str, int, float]] = []

    def record(what: str, count: int, secs: float) -> None:
        rows.append((what, count, count / secs))
        print(f"{what}: {count / secs:,.0f} rows/s", file=sys.stderr)

    # The kernel alone, and the tool on the same lines.
    arr = pa.array(lines)
    record("kernel: `phonetoken.pseudonymize` on a pyarrow array", n,
           best(lambda: phonetoken.pseudonymize(arr, keys, REGION), args.repeat))
    record("kernel, `parallel=True` (every core)", n,
           best(lambda: phonetoken.pseudonymize(arr, keys, REGION, parallel=True), args.repeat))
    out_path = args.input + ".out"

    def tool():
        with open(out_path, "wb") as out:
            subprocess.run(
                [args.cli, "pseudonymize", "--keyset", args.keyset, "--region", REGION,
                 "--threads", "1", "--input", args.input],
                stdout=out, check=True,
            )

    record("`phonetoken pseudonymize --threads 1` (the tool, standard output to a file)", n,
           best(tool, args.repeat))
    ours = phonetoken.pseudonymize(arr, keys, REGION).to_pylist()
    tool_out = [None if l.startswith("error: ") else l for l in open(out_path).read().split("\n")[:-1]]
    if tool_out != ours:
        raise SystemExit("the kernel and the tool differ")
    small = lines[:m]
    record("Python `phonenumbers` + `hmac`, a loop", m, best(lambda: [baseline(t) for t in small], 1))
    agree(ours[:m], [baseline(t) for t in small[:20000]], "baseline")

    # Spark local[1].
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from pyspark.sql.functions import arrow_udf, pandas_udf

    import phonetoken.spark as pts

    spark = (
        SparkSession.builder.master("local[1]").appName("phonetoken-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    df = spark.createDataFrame(pd.DataFrame({"phone": small})).repartition(1).cache()
    df.count()

    @pandas_udf("string")
    def baseline_udf(s: pd.Series) -> pd.Series:
        return s.map(baseline)

    @arrow_udf("string")
    def identity_udf(a: pa.Array) -> pa.Array:
        return a

    def spark_run(col):
        def run():
            df.select(col.alias("x")).write.format("noop").mode("overwrite").save()

        run()  # untimed: starts the Python worker and loads the keyset
        return run

    ours_spark = pts.pseudonymize("phone", args.keyset, region=REGION)
    spark_out = [r["x"] for r in df.select(ours_spark.alias("x")).collect()]
    if spark_out != ours[:m]:
        raise SystemExit("Spark's column differs from the kernel's")
    agree(spark_out[:20000], [r["x"] for r in df.limit(20000).select(baseline_udf("phone").alias("x")).collect()], "Spark baseline")
    # phonetoken and the identity UDF in turn, so a change in the machine's load weighs on both.
    ours_run, identity_run = spark_run(ours_spark), spark_run(identity_udf("phone"))
    ours_best = identity_best = float("inf")
    for _ in range(args.repeat):
        ours_best = min(ours_best, best(ours_run, 1))
        identity_best = min(identity_best, best(identity_run, 1))
    record("Spark local[1]: `phonetoken.spark.pseudonymize` (arrow_udf)", m, ours_best)
    record("Spark local[1]: `pandas_udf` with `phonenumbers` + `hmac`", m, best(spark_run(baseline_udf("phone")), 1))
    record("Spark local[1]: identity `arrow_udf` (transport alone)", m, identity_best)
    # The transport of the output's size: the identity UDF over the pseudonyms themselves.
    wide = spark.createDataFrame(pd.DataFrame({"phone": ours[:m]})).repartition(1).cache()
    wide.count()

    def wide_run():
        wide.select(identity_udf("phone").alias("x")).write.format("noop").mode("overwrite").save()

    wide_run()
    record("Spark local[1]: identity `arrow_udf` over the pseudonyms (43 bytes in and out)", m,
           best(wide_run, args.repeat))
    spark.stop()

    # DuckDB, one thread.
    from duckdb.sqltypes import VARCHAR

    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.register("numbers", pa.table({"phone": pa.array(small)}))
    phonetoken.duckdb.register(con, keys, region=REGION)
    con.create_function("py_pseudonymize", baseline, [VARCHAR], VARCHAR, null_handling="special")
    ours_duck = [r[0] for r in con.sql("SELECT phonetoken_pseudonymize(phone) FROM numbers").fetchall()]
    if ours_duck != ours[:m]:
        raise SystemExit("DuckDB's column differs from the kernel's")
    agree(ours_duck[:20000], [r[0] for r in con.sql("SELECT py_pseudonymize(phone) FROM numbers LIMIT 20000").fetchall()], "DuckDB baseline")
    q = "SELECT sum(length({}(phone))) FROM numbers"
    record("DuckDB, 1 thread: `phonetoken_pseudonymize` (Arrow UDF)", m,
           best(lambda: con.sql(q.format("phonetoken_pseudonymize")).fetchall(), args.repeat))
    record("DuckDB, 1 thread: Python UDF with `phonenumbers` + `hmac`", m,
           best(lambda: con.sql(q.format("py_pseudonymize")).fetchall(), 1))

    # Polars, one thread.
    frame = pl.DataFrame({"phone": small})
    ours_pl = frame.select(phonetoken.polars.pseudonymize("phone", keys, REGION))["phone"].to_list()
    if ours_pl != ours[:m]:
        raise SystemExit("Polars' column differs from the kernel's")
    record("Polars, 1 thread: `phonetoken.polars.pseudonymize` (map_batches)", m,
           best(lambda: frame.select(phonetoken.polars.pseudonymize("phone", keys, REGION)), args.repeat))
    record("Polars, 1 thread: `map_elements` with `phonenumbers` + `hmac`", m,
           best(lambda: frame.select(pl.col("phone").map_elements(baseline, return_dtype=pl.String)), 1))

    print("| run | rows | rows/s |")
    print("|---|---|---|")
    for what, count, rate in rows:
        print(f"| {what} | {count:,} | {rate:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

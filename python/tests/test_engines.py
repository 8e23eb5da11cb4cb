"""The engine adapters on the real engines: Spark (local[2]), DuckDB and Polars, on the same
numbers; results equal to the CLI's and to the column functions', tokens open in Tink."""

from __future__ import annotations

import base64
import json
import os
import sys

import duckdb
import polars as pl
import pyarrow as pa
import pytest

import phonetoken
import phonetoken.duckdb
import phonetoken.polars
from conftest import REGION, cli, cli_column, oracle_pseudonym, pseudonym_key


@pytest.fixture(scope="session")
def spark(keyset_path):
    """One Spark session for every Spark test: local[2], small Arrow batches so a column
    spans several."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("phonetoken-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        # What a deployment sets so the column functions find the keyset without a path.
        .config("spark.executorEnv.PHONETOKEN_KEYSET", str(keyset_path))
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_df(spark, phones):
    return spark.createDataFrame(
        [(i, p) for i, p in enumerate(phones)], "id long, phone string"
    ).repartition(2)


def collect(df, column: str) -> list:
    return [r[column] for r in df.orderBy("id").select(column).collect()]


def test_spark(spark_df, phones, input_file, keyset_path, keyset_doc, work):
    import phonetoken.spark as pts

    path = str(keyset_path)
    df = (
        spark_df.withColumn("e164", pts.normalize("phone", region=REGION))
        .withColumn("p", pts.pseudonymize("phone", path, region=REGION))
        .withColumn("p16", pts.pseudonymize("phone", path, REGION, "contacts", "hex", 16))
        .withColumn("t", pts.tokenize("phone", path, "crm", region=REGION))
        .withColumn("back", pts.detokenize("t", path, "crm"))
        .withColumn("checked", pts.normalize("phone", region=REGION, errors="column"))
    )
    rows = df.orderBy("id").collect()
    assert [r["id"] for r in rows] == list(range(len(phones)))
    p = [r["p"] for r in rows]
    assert p == cli_column(phones, input_file, "pseudonymize", "--keyset", path, "--region", REGION)
    assert p == [oracle_pseudonym(x, pseudonym_key(keyset_doc)) for x in phones]
    assert [r["p16"] for r in rows] == cli_column(
        phones, input_file, "pseudonymize", "--keyset", path, "--region", REGION,
        "--purpose", "contacts", "--encoding", "hex", "--length", "16",
    )
    tokens = [r["t"] for r in rows]
    assert tokens == cli_column(
        phones, input_file, "tokenize", "--keyset", path, "--region", REGION, "--context", "crm"
    )
    e164 = [r["e164"] for r in rows]
    assert [r["back"] for r in rows] == e164
    assert [r["checked"]["value"] for r in rows] == e164
    codes = [r["checked"]["error"] for r in rows]
    assert codes[5] == "no-digits" and codes[0] is None

    # Tokens made in Spark open in Tink with the keyset the CLI exports.
    import tink
    from tink import cleartext_keyset_handle, daead

    daead.register()
    exported = cli("keyset", "export-tink", "--keyset", path).decode()
    handle = cleartext_keyset_handle.read(tink.JsonKeysetReader(exported))
    primitive = handle.primitive(daead.DeterministicAead)
    opened = 0
    for token, number in zip(tokens, e164):
        if token is None:
            continue
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert primitive.decrypt_deterministically(raw, b"crm").decode() == number
        opened += 1
    assert opened > len(phones) // 2


def test_spark_raise_fails_the_job(spark, spark_df, keyset_path):
    import phonetoken.spark as pts

    df = spark_df.withColumn("e", pts.normalize("phone", region=REGION, errors="raise"))
    with pytest.raises(Exception, match=r"ParseError\.\w+: partition \d+, row \d+: [a-z-]+: "):
        df.collect()
    # The row is counted across the partition's Arrow batches (500 rows each here).
    one = spark.createDataFrame(
        [("+14155552671",)] * 1234 + [("12",)] + [("n/a",)] * 10, "phone string"
    ).coalesce(1)
    with pytest.raises(Exception, match=r"ParseError\.TooShort: partition 0, row 1234: too-short: "):
        one.withColumn("e", pts.normalize("phone", region=REGION, errors="raise")).collect()
    with pytest.raises(ValueError):
        pts.normalize("phone", errors="nope")
    with pytest.raises(TypeError, match="not a Keyset"):
        pts.pseudonymize("phone", phonetoken.Keyset.from_file(keyset_path))


def test_spark_keyset_from_the_environment_and_a_broadcast(spark, spark_df, phones, work, keyset_path):
    import phonetoken.spark as pts

    keys = phonetoken.Keyset.from_file(keyset_path)
    expected = phonetoken.pseudonymize(pa.array(phones), keys, REGION).to_pylist()
    # keyset=None: PHONETOKEN_KEYSET on the executors (spark.executorEnv).
    assert collect(spark_df.withColumn("p", pts.pseudonymize("phone", region=REGION)), "p") == expected
    # A broadcast carries only a sealed keyset; the executors open it with the master key.
    master = work / "spark-master.json"
    sealed = work / "spark-sealed.json"
    cli("master-key", "new", "--master-key", f"file:{master}")
    cli("keygen", "--output", str(sealed), "--master-key", f"file:{master}")
    with pytest.raises(phonetoken.KeysetFileError, match="not encrypted"):
        pts.broadcast_keyset(spark, keyset_path)
    shipped = pts.broadcast_keyset(spark, sealed)
    assert repr(shipped) == f"KeysetBroadcast(id={shipped.id})"
    sealed_keys = phonetoken.Keyset.from_file(sealed, master_key=f"file:{master}")
    df = spark_df.withColumn(
        "p", pts.pseudonymize("phone", shipped, region=REGION, master_key=f"file:{master}")
    ).withColumn("t", pts.tokenize("phone", shipped, "crm", region=REGION, master_key=f"file:{master}"))
    assert collect(df, "p") == phonetoken.pseudonymize(pa.array(phones), sealed_keys, REGION).to_pylist()
    assert collect(df, "t") == phonetoken.tokenize(pa.array(phones), sealed_keys, "crm", REGION).to_pylist()


def test_spark_pandas_udf_fallback(spark_df, phones, keyset_path, monkeypatch):
    # Spark 3.5 has no arrow_udf: the same columns come from a pandas_udf.
    import pyspark.sql.functions as F

    import phonetoken.spark as pts

    made = []
    pandas_udf = F.pandas_udf
    monkeypatch.delattr(F, "arrow_udf")
    monkeypatch.setattr(F, "pandas_udf", lambda *a, **k: made.append(a) or pandas_udf(*a, **k))
    path = str(keyset_path)
    df = spark_df.withColumn("p", pts.pseudonymize("phone", path, region=REGION)).withColumn(
        "c", pts.normalize("phone", region=REGION, errors="column")
    )
    rows = df.orderBy("id").collect()
    assert len(made) == 2
    keys = phonetoken.Keyset.from_file(keyset_path)
    assert [r["p"] for r in rows] == phonetoken.pseudonymize(pa.array(phones), keys, REGION).to_pylist()
    checked = phonetoken.normalize(pa.array(phones), REGION, errors="column")
    assert [r["c"]["value"] for r in rows] == checked.field("value").to_pylist()
    assert [r["c"]["error"] for r in rows] == checked.field("error").to_pylist()


@pytest.fixture(scope="module")
def table(phones):
    return pa.table({"id": pa.array(range(len(phones)), pa.int64()), "phone": pa.array(phones)})


def test_duckdb(table, phones, input_file, keyset_path):
    keys = phonetoken.Keyset.from_file(keyset_path)
    con = duckdb.connect()
    phonetoken.duckdb.register(con, keys, region=REGION)
    con.register("calls", table)
    rows = con.sql(
        "SELECT id, phonetoken_normalize(phone) AS e, phonetoken_pseudonymize(phone) AS p, "
        "phonetoken_tokenize(phone, 'crm') AS t, "
        "phonetoken_detokenize(phonetoken_tokenize(phone, 'crm'), 'crm') AS back, "
        "phonetoken_tokenize(phone, CASE WHEN id % 2 = 0 THEN 'even' ELSE 'odd' END) AS t2 "
        "FROM calls ORDER BY id"
    ).fetchall()
    path = str(keyset_path)
    assert [r[2] for r in rows] == cli_column(
        phones, input_file, "pseudonymize", "--keyset", path, "--region", REGION
    )
    assert [r[3] for r in rows] == cli_column(
        phones, input_file, "tokenize", "--keyset", path, "--region", REGION, "--context", "crm"
    )
    assert [r[4] for r in rows] == [r[1] for r in rows]
    # A context per row: each token is the one made under its row's context.
    even = phonetoken.tokenize(table["phone"], keys, "even", REGION).to_pylist()
    odd = phonetoken.tokenize(table["phone"], keys, "odd", REGION).to_pylist()
    assert [r[5] for r in rows] == [even[i] if i % 2 == 0 else odd[i] for i in range(len(phones))]
    # errors="column": a struct of the value and the reason code, as the column functions give.
    phonetoken.duckdb.register(con, keys, region=REGION, errors="column", prefix="pc_")
    checked = con.sql(
        "SELECT pc_pseudonymize(phone) AS p, "
        "pc_detokenize(phonetoken_tokenize(phone, 'crm'), CASE WHEN id % 3 = 0 THEN NULL "
        "WHEN id % 3 = 1 THEN 'crm' ELSE 'other' END) AS d FROM calls ORDER BY id"
    ).fetchall()
    column = phonetoken.pseudonymize(table["phone"], keys, REGION, errors="column").combine_chunks()
    assert [r[0] for r in checked] == [
        {"value": v, "error": e}
        for v, e in zip(column.field("value").to_pylist(), column.field("error").to_pylist())
    ]
    e164 = [r[1] for r in rows]
    for i, (_, d) in enumerate(checked):
        if i % 3 == 0:
            assert d is None, (i, d)  # a NULL context
        elif e164[i] is None:
            assert d == {"value": None, "error": None}, (i, d)  # no token to open
        elif i % 3 == 1:
            assert d == {"value": e164[i], "error": None}, (i, d)
        else:
            assert d == {"value": None, "error": "authentication-failed"}, (i, d)
    # Another purpose under another prefix; errors="raise" fails the query.
    phonetoken.duckdb.register(con, keys, region=REGION, purpose="contacts", errors="raise", prefix="pt_")
    with pytest.raises(duckdb.Error, match="row 5: no-digits"):
        con.sql("SELECT pt_pseudonymize(phone) FROM calls").fetchall()


def test_polars(table, phones, input_file, keyset_path):
    keys = phonetoken.Keyset.from_file(keyset_path)
    df = pl.from_arrow(table)
    out = df.with_columns(
        phonetoken.polars.pseudonymize("phone", keys, region=REGION).alias("p"),
        phonetoken.polars.tokenize(pl.col("phone"), keys, "crm", region=REGION).alias("t"),
        phonetoken.polars.normalize("phone", REGION, errors="column").alias("checked"),
    ).with_columns(phonetoken.polars.detokenize("t", keys, "crm").alias("back"))
    path = str(keyset_path)
    assert out["p"].to_list() == cli_column(
        phones, input_file, "pseudonymize", "--keyset", path, "--region", REGION
    )
    assert out["t"].to_list() == cli_column(
        phones, input_file, "tokenize", "--keyset", path, "--region", REGION, "--context", "crm"
    )
    assert out["back"].to_list() == out["checked"].struct.field("value").to_list()
    assert out["checked"].struct.field("error").to_list()[5] == "no-digits"
    series = phonetoken.polars.normalize(df["phone"], REGION)
    assert isinstance(series, pl.Series) and series.to_list() == out["back"].to_list()


def _found(rows) -> list:
    """Spark's rows of `find` results as the dicts pyarrow gives."""
    return [None if r is None else [f.asDict() for f in r] for r in rows]


def test_spark_find_functions(spark_df, phones, keyset_path):
    import phonetoken.spark as pts

    arr = pa.array(phones)
    df = (
        spark_df.withColumn("valid", pts.is_valid("phone", REGION))
        .withColumn("type", pts.number_type("phone", REGION))
        .withColumn("region", pts.region_code("phone", REGION))
        .withColumn("national", pts.format("phone", "national", REGION))
        .withColumn("found", pts.find("phone", REGION))
        .withColumn("scrubbed", pts.scrub("phone", "pseudonym", str(keyset_path), REGION))
        .withColumn("masked", pts.scrub("phone", "mask", region=REGION, errors="column"))
    )
    rows = df.orderBy("id").collect()
    keys = phonetoken.Keyset.from_file(keyset_path)
    assert [r["valid"] for r in rows] == phonetoken.is_valid(arr, REGION).to_pylist()
    assert [r["type"] for r in rows] == phonetoken.number_type(arr, REGION).to_pylist()
    assert [r["region"] for r in rows] == phonetoken.region_code(arr, REGION).to_pylist()
    assert [r["national"] for r in rows] == phonetoken.format(arr, "national", REGION).to_pylist()
    found = phonetoken.find(arr, REGION).to_pylist()
    assert _found(r["found"] for r in rows) == found and sum(map(bool, filter(None, found))) > 100
    assert [r["scrubbed"] for r in rows] == phonetoken.scrub(arr, "pseudonym", keys, REGION).to_pylist()
    assert [r["masked"]["value"] for r in rows] == phonetoken.scrub(arr, "mask", region=REGION).to_pylist()
    with pytest.raises(ValueError, match="keyset does not apply"):
        pts.scrub("phone", "e164", str(keyset_path))


def test_duckdb_find_functions(table, phones, keyset_path):
    keys = phonetoken.Keyset.from_file(keyset_path)
    con = duckdb.connect()
    phonetoken.duckdb.register(con, keys, region=REGION)
    con.register("calls", table)
    rows = con.sql(
        "SELECT phonetoken_is_valid(phone), phonetoken_number_type(phone), "
        "phonetoken_region_code(phone), phonetoken_format(phone, 'international'), "
        "phonetoken_format(phone, CASE WHEN id % 2 = 0 THEN 'national' ELSE 'rfc3966' END), "
        "phonetoken_find(phone), phonetoken_scrub(phone, 'token'), phonetoken_scrub(phone, 'e164') "
        "FROM calls ORDER BY id"
    ).fetchall()
    arr = table["phone"]
    columns = list(zip(*rows))
    assert list(columns[0]) == phonetoken.is_valid(arr, REGION).to_pylist()
    assert list(columns[1]) == phonetoken.number_type(arr, REGION).to_pylist()
    assert list(columns[2]) == phonetoken.region_code(arr, REGION).to_pylist()
    assert list(columns[3]) == phonetoken.format(arr, "international", REGION).to_pylist()
    national = phonetoken.format(arr, "national", REGION).to_pylist()
    uri = phonetoken.format(arr, "rfc3966", REGION).to_pylist()
    assert list(columns[4]) == [national[i] if i % 2 == 0 else uri[i] for i in range(len(phones))]
    assert list(columns[5]) == phonetoken.find(arr, REGION).to_pylist()
    assert list(columns[6]) == phonetoken.scrub(arr, "token", keys, REGION, context="").to_pylist()
    assert list(columns[7]) == phonetoken.scrub(arr, "e164", region=REGION).to_pylist()
    # Without a keyset, the functions that need none; errors="column" structs of each type.
    phonetoken.duckdb.register(con, None, region=REGION, errors="column", prefix="pk_")
    checked = con.sql("SELECT pk_is_valid(phone), pk_find(phone) FROM calls ORDER BY id").fetchall()
    valid = phonetoken.is_valid(arr, REGION, errors="column").combine_chunks()
    assert [r[0] for r in checked] == valid.to_pylist()
    assert checked[5][0] == {"value": None, "error": "no-digits"}
    assert [r[1]["value"] for r in checked] == phonetoken.find(arr, REGION).to_pylist()
    with pytest.raises(duckdb.Error):
        con.sql("SELECT pk_pseudonymize(phone) FROM calls").fetchall()


def test_polars_find_functions(table, phones, keyset_path):
    keys = phonetoken.Keyset.from_file(keyset_path)
    df = pl.from_arrow(table)
    ptp = phonetoken.polars
    out = df.with_columns(
        ptp.is_valid("phone", REGION).alias("valid"),
        ptp.number_type("phone", REGION).alias("type"),
        ptp.region_code("phone", REGION).alias("region"),
        ptp.format("phone", "e164", REGION).alias("e164"),
        ptp.find("phone", REGION).alias("found"),
        ptp.scrub("phone", "pseudonym", keys, REGION, length=16).alias("scrubbed"),
        ptp.is_valid("phone", REGION, errors="column").alias("checked"),
    )
    arr = table["phone"]
    assert out["valid"].dtype == pl.Boolean
    assert out["valid"].to_list() == phonetoken.is_valid(arr, REGION).to_pylist()
    assert out["type"].to_list() == phonetoken.number_type(arr, REGION).to_pylist()
    assert out["region"].to_list() == phonetoken.region_code(arr, REGION).to_pylist()
    assert out["e164"].to_list() == phonetoken.normalize(arr, REGION).to_pylist()
    assert out["found"].to_list() == phonetoken.find(arr, REGION).to_pylist()
    assert out["scrubbed"].to_list() == phonetoken.scrub(arr, "pseudonym", keys, REGION, length=16).to_pylist()
    assert out["checked"].struct.field("error").to_list()[5] == "no-digits"

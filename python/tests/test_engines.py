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

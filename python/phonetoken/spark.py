"""phonetoken on Apache Spark: column functions for PySpark DataFrames.

Each function gives a ``Column``; the work runs on the executors, on Spark's Arrow batches,
in Rust. On PySpark 4 it is an ``arrow_udf`` (Arrow arrays in and out, no pandas); on Spark
3.5, which has no ``arrow_udf``, a ``pandas_udf`` with the same results.

The keyset is named by its file's path, never passed as an object: each Python worker
loads it once, on first use, and keeps it for the process's life. Only the path (and the
master key's URI) travel with the task; keys are never pickled, shipped or logged. The file
must be readable at that path on every executor (a shared volume, or distributed with
``spark.files`` / ``SparkContext.addFile`` and named through ``SparkFiles.get``)::

    import phonetoken.spark as pts

    df = df.withColumn("phone_p", pts.pseudonymize("phone", "/secrets/keys.json", region="US"))
    df = df.withColumn("phone_t", pts.tokenize("phone", "/secrets/keys.json", "crm", region="US"))

With ``errors="column"`` each function gives a struct column of ``value`` and ``error``
(the reason code of a value that failed); ``errors="raise"`` fails the task on the first
value that is not a number, naming the row within its batch.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Callable

import pyarrow as pa

import phonetoken

if TYPE_CHECKING:
    from pyspark.sql import Column

__all__ = ["normalize", "pseudonymize", "tokenize", "detokenize", "keyset"]

_KEYSETS: dict[tuple[str, str | None], phonetoken.Keyset] = {}
_LOCK = threading.Lock()


def keyset(path: str, master_key: str | None = None) -> phonetoken.Keyset:
    """The keyset at ``path``, loaded once per process (the cache the UDFs use)."""
    key = (os.fspath(path), master_key)
    with _LOCK:
        ks = _KEYSETS.get(key)
        if ks is None:
            ks = phonetoken.Keyset.from_file(key[0], master_key=master_key)
            _KEYSETS[key] = ks
        return ks


def _return_type(errors: str) -> str:
    if errors == "column":
        return "struct<value:string,error:string>"
    return "string"


def _udf(kernel: Callable[[pa.Array], pa.Array], errors: str, col: "Column | str") -> "Column":
    try:
        from pyspark.sql.functions import arrow_udf  # PySpark 4.1 and later
    except ImportError:
        arrow_udf = None
    return_type = _return_type(errors)
    if arrow_udf is not None:

        def run_arrow(arr: pa.Array) -> pa.Array:
            return kernel(arr)

        return arrow_udf(run_arrow, return_type)(col)

    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    def run_pandas(series):
        out = kernel(pa.array(series, type=pa.string(), from_pandas=True))
        if errors == "column":
            return pd.DataFrame(
                {"value": out.field("value").to_pandas(), "error": out.field("error").to_pandas()}
            )
        return out.to_pandas()

    # Spark reads the UDF's kind from its type hints, as objects (pandas is imported here).
    run_pandas.__annotations__ = {
        "series": pd.Series,
        "return": pd.DataFrame if errors == "column" else pd.Series,
    }
    return pandas_udf(run_pandas, return_type)(col)


def normalize(col: "Column | str", region: str | None = None, *, errors: str = "null") -> "Column":
    """E.164 for every value of a string column (see ``phonetoken.normalize``)."""
    _check_errors(errors)

    def kernel(arr: pa.Array) -> pa.Array:
        return phonetoken.normalize(arr, region, errors=errors)

    return _udf(kernel, errors, col)


def pseudonymize(
    col: "Column | str",
    keyset_path: str,
    region: str | None = None,
    purpose: str | None = None,
    encoding: str = "base64url",
    length: int = 32,
    *,
    errors: str = "null",
    master_key: str | None = None,
) -> "Column":
    """Keyed pseudonyms of a string column, under the keyset file at ``keyset_path`` (see
    ``phonetoken.pseudonymize``); ``master_key``: ``"file:PATH"`` for an encrypted keyset."""
    _check_errors(errors)
    path = os.fspath(keyset_path)

    def kernel(arr: pa.Array) -> pa.Array:
        ks = keyset(path, master_key)
        return phonetoken.pseudonymize(arr, ks, region, purpose, encoding, length, errors=errors)

    return _udf(kernel, errors, col)


def tokenize(
    col: "Column | str",
    keyset_path: str,
    context: str | bytes,
    region: str | None = None,
    purpose: str | None = None,
    *,
    errors: str = "null",
    master_key: str | None = None,
) -> "Column":
    """Reversible tokens of a string column bound to ``context`` (see
    ``phonetoken.tokenize``)."""
    _check_errors(errors)
    path = os.fspath(keyset_path)

    def kernel(arr: pa.Array) -> pa.Array:
        ks = keyset(path, master_key)
        return phonetoken.tokenize(arr, ks, context, region, purpose, errors=errors)

    return _udf(kernel, errors, col)


def detokenize(
    col: "Column | str",
    keyset_path: str,
    context: str | bytes,
    purpose: str | None = None,
    *,
    errors: str = "null",
    master_key: str | None = None,
) -> "Column":
    """The E.164 numbers inside a column of tokens (see ``phonetoken.detokenize``)."""
    _check_errors(errors)
    path = os.fspath(keyset_path)

    def kernel(arr: pa.Array) -> pa.Array:
        ks = keyset(path, master_key)
        return phonetoken.detokenize(arr, ks, context, purpose, errors=errors)

    return _udf(kernel, errors, col)


def _check_errors(errors: str) -> None:
    # Checked on the driver, so a typo fails when the column is built, not in a task.
    if errors not in ("null", "raise", "column"):
        raise ValueError(f'errors={errors!r}: give "null", "raise" or "column"')

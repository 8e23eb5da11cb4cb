"""phonetoken on Apache Spark: column functions for PySpark DataFrames.

Each function gives a ``Column``; the work runs on the executors, on Spark's Arrow batches,
in Rust. On PySpark 4 it is an ``arrow_udf`` (Arrow arrays in and out, no pandas); on Spark
3.5, which has no ``arrow_udf``, a ``pandas_udf`` with the same results.

The keyset is never passed as an object, so keys are never pickled, shipped or logged. Each
Python worker loads it once, on first use, and keeps it for the process's life, from one of:

- a path (``str`` or ``os.PathLike``) readable at that path on every executor (a shared
  volume, or distributed with ``spark.files`` / ``SparkContext.addFile`` and named through
  ``SparkFiles.get``);
- ``None``: the file named by ``PHONETOKEN_KEYSET`` in the executors' environment
  (``spark.executorEnv.PHONETOKEN_KEYSET``), as the ``phonetoken`` tool reads it;
- a broadcast made by ``broadcast_keyset(spark, path)``: the text of an *encrypted* keyset
  file, which opens only where its master key is (a ``pkcs11:`` token or a ``file:`` master
  key on the executors, named by ``master_key`` or ``PHONETOKEN_MASTER_KEY``). A plaintext
  keyset is never broadcast: Spark would keep its keys in its block stores.

::

    import phonetoken.spark as pts

    df = df.withColumn("phone_p", pts.pseudonymize("phone", "/secrets/keys.json", region="US"))
    df = df.withColumn("phone_t", pts.tokenize("phone", "/secrets/keys.json", "crm", region="US"))

``is_valid``, ``number_type``, ``region_code``, ``format``, ``find`` and ``scrub`` (with
``"e164"`` or ``"mask"``) need no keyset; ``find`` gives an
``array<struct<start:bigint,end:bigint,number:string,raw:string>>`` column.

With ``errors="column"`` each function gives a struct column of ``value`` and ``error``
(the reason code of a value that failed); ``errors="raise"`` fails the task on the first
value that is not a number, naming its partition and its row in the partition (0-based).
"""

from __future__ import annotations

import os
import threading
import uuid
from typing import TYPE_CHECKING, Any, Callable, Iterator, Union

import pyarrow as pa

import phonetoken

if TYPE_CHECKING:
    from pyspark.sql import Column

__all__ = [
    "normalize",
    "pseudonymize",
    "tokenize",
    "detokenize",
    "is_valid",
    "number_type",
    "region_code",
    "format",
    "scrub",
    "find",
    "keyset",
    "broadcast_keyset",
    "KeysetBroadcast",
]

_KEYSETS: dict[tuple, phonetoken.Keyset] = {}
_LOCK = threading.Lock()


class KeysetBroadcast:
    """An encrypted keyset file's text, broadcast to the executors (``broadcast_keyset``).
    Its ``repr()`` shows the broadcast's id only."""

    def __init__(self, broadcast: Any) -> None:
        self._broadcast = broadcast
        # Names this keyset in each worker's cache (Spark's own broadcast id is private).
        self._id = uuid.uuid4().hex

    @property
    def id(self) -> str:
        """A random id naming this broadcast keyset in each worker's cache."""
        return self._id

    def text(self) -> str:
        """The encrypted keyset's text (on an executor, fetched from the broadcast)."""
        return self._broadcast.value

    def __repr__(self) -> str:
        return f"KeysetBroadcast(id={self.id})"


def broadcast_keyset(spark: Any, path: str | os.PathLike[str]) -> KeysetBroadcast:
    """Broadcasts the encrypted keyset file at ``path`` (read on the driver) to the
    executors, for the column functions' ``keyset`` argument. ``spark``: a ``SparkSession``
    or ``SparkContext``. Raises ``KeysetFileError`` for a plaintext keyset, whose keys would
    then sit in Spark's block stores: seal it with ``phonetoken keyset encrypt`` first, or
    name a path on the executors instead."""
    sc = getattr(spark, "sparkContext", spark)
    return KeysetBroadcast(sc.broadcast(phonetoken.read_sealed_keyset(os.fspath(path))))


KeysetRef = Union[str, "os.PathLike[str]", KeysetBroadcast, None]


def keyset(ref: KeysetRef = None, master_key: str | None = None) -> phonetoken.Keyset:
    """The keyset ``ref`` names (a path, ``None`` for ``PHONETOKEN_KEYSET``, or a
    ``KeysetBroadcast``), loaded once per process: the cache the UDFs use."""
    if isinstance(ref, KeysetBroadcast):
        key: tuple = ("broadcast", ref.id, master_key)
    elif ref is None:
        key = ("env", os.environ.get("PHONETOKEN_KEYSET"), master_key)
    else:
        key = ("path", os.fspath(ref), master_key)
    with _LOCK:
        ks = _KEYSETS.get(key)
        if ks is None:
            if isinstance(ref, KeysetBroadcast):
                ks = phonetoken.Keyset.from_json(ref.text(), master_key=master_key)
            elif ref is None:
                ks = phonetoken.Keyset.from_env(master_key=master_key)
            else:
                ks = phonetoken.Keyset.from_file(key[1], master_key=master_key)
            _KEYSETS[key] = ks
        return ks


def _keyset_ref(ref: KeysetRef) -> KeysetRef:
    # Checked on the driver, so a wrong argument fails when the column is built.
    if ref is None or isinstance(ref, KeysetBroadcast):
        return ref
    if isinstance(ref, phonetoken.Keyset):
        raise TypeError(
            "keyset: pass the keyset file's path (or None, or broadcast_keyset(...)), not a "
            "Keyset: a Keyset's keys never leave the process that loaded them"
        )
    return os.fspath(ref)


# The Spark type of `find`'s values: the numbers found in a text.
_FOUND = "array<struct<start:bigint,end:bigint,number:string,raw:string>>"


def _return_type(errors: str, value: str = "string") -> str:
    if errors == "column":
        return f"struct<value:{value},error:string>"
    return value


def _in_partition(batches: Iterator[pa.Array], kernel: Callable[[pa.Array], Any]):
    """Runs ``kernel`` on each batch of one partition, numbering a failing row within the
    partition (a batch's own numbering would say nothing to the user)."""
    partition = None
    try:
        from pyspark import TaskContext

        context = TaskContext.get()
        partition = context.partitionId() if context is not None else None
    except ImportError:
        pass
    offset = 0
    for batch in batches:
        try:
            yield kernel(batch)
        except phonetoken.PhonetokenError as e:
            if e.row is None:
                raise
            row = offset + e.row
            where = f"partition {partition}, row {row}" if partition is not None else f"row {row}"
            # The message after the kernel's own "row N: ".
            reason = str(e).split(": ", 1)[-1]
            raise type(e)(f"{where}: {reason}", e.code, row) from None
        offset += len(batch)


def _udf(
    kernel: Callable[[pa.Array], pa.Array], errors: str, col: "Column | str", value: str = "string"
) -> "Column":
    try:
        from pyspark.sql.functions import arrow_udf  # PySpark 4.1 and later
    except ImportError:
        arrow_udf = None
    return_type = _return_type(errors, value)
    if arrow_udf is not None:

        def run_arrow(batches):
            return _in_partition(batches, kernel)

        # Spark reads the UDF's kind from its type hints, as objects: an iterator of
        # batches, so rows are numbered across the partition.
        run_arrow.__annotations__ = {"batches": Iterator[pa.Array], "return": Iterator[pa.Array]}
        return arrow_udf(run_arrow, return_type)(col)

    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    def run_pandas(batches):
        arrays = (pa.array(series, type=pa.string(), from_pandas=True) for series in batches)
        for out in _in_partition(arrays, kernel):
            if errors == "column":
                yield pd.DataFrame(
                    {"value": out.field("value").to_pandas(), "error": out.field("error").to_pandas()}
                )
            else:
                yield out.to_pandas()

    run_pandas.__annotations__ = {
        "batches": Iterator[pd.Series],
        "return": Iterator[pd.DataFrame] if errors == "column" else Iterator[pd.Series],
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
    keyset: KeysetRef = None,
    region: str | None = None,
    purpose: str | None = None,
    encoding: str = "base64url",
    length: int = 32,
    *,
    errors: str = "null",
    master_key: str | None = None,
) -> "Column":
    """Keyed pseudonyms of a string column (see ``phonetoken.pseudonymize``), under
    ``keyset``: a keyset file's path on the executors, ``None`` for ``PHONETOKEN_KEYSET``
    there, or a ``broadcast_keyset``. ``master_key``: the master key of an encrypted keyset
    (``"file:PATH"`` or a ``pkcs11:`` URI; else ``PHONETOKEN_MASTER_KEY``)."""
    _check_errors(errors)
    ref = _keyset_ref(keyset)

    def kernel(arr: pa.Array) -> pa.Array:
        ks = _load(ref, master_key)
        return phonetoken.pseudonymize(arr, ks, region, purpose, encoding, length, errors=errors)

    return _udf(kernel, errors, col)


def tokenize(
    col: "Column | str",
    keyset: KeysetRef,
    context: str | bytes,
    region: str | None = None,
    purpose: str | None = None,
    *,
    errors: str = "null",
    master_key: str | None = None,
) -> "Column":
    """Reversible tokens of a string column bound to ``context`` (see
    ``phonetoken.tokenize``); ``keyset`` and ``master_key`` as in ``pseudonymize``."""
    _check_errors(errors)
    ref = _keyset_ref(keyset)

    def kernel(arr: pa.Array) -> pa.Array:
        ks = _load(ref, master_key)
        return phonetoken.tokenize(arr, ks, context, region, purpose, errors=errors)

    return _udf(kernel, errors, col)


def detokenize(
    col: "Column | str",
    keyset: KeysetRef,
    context: str | bytes,
    purpose: str | None = None,
    *,
    errors: str = "null",
    master_key: str | None = None,
) -> "Column":
    """The E.164 numbers inside a column of tokens (see ``phonetoken.detokenize``);
    ``keyset`` and ``master_key`` as in ``pseudonymize``."""
    _check_errors(errors)
    ref = _keyset_ref(keyset)

    def kernel(arr: pa.Array) -> pa.Array:
        ks = _load(ref, master_key)
        return phonetoken.detokenize(arr, ks, context, purpose, errors=errors)

    return _udf(kernel, errors, col)


def is_valid(col: "Column | str", region: str | None = None, *, errors: str = "null") -> "Column":
    """Whether each value is a valid number, a boolean column (see ``phonetoken.is_valid``)."""
    _check_errors(errors)

    def kernel(arr: pa.Array) -> pa.Array:
        return phonetoken.is_valid(arr, region, errors=errors)

    return _udf(kernel, errors, col, "boolean")


def number_type(col: "Column | str", region: str | None = None, *, errors: str = "null") -> "Column":
    """libphonenumber's number type names (see ``phonetoken.number_type``)."""
    _check_errors(errors)

    def kernel(arr: pa.Array) -> pa.Array:
        return phonetoken.number_type(arr, region, errors=errors)

    return _udf(kernel, errors, col)


def region_code(col: "Column | str", region: str | None = None, *, errors: str = "null") -> "Column":
    """libphonenumber's region of each number (see ``phonetoken.region_code``)."""
    _check_errors(errors)

    def kernel(arr: pa.Array) -> pa.Array:
        return phonetoken.region_code(arr, region, errors=errors)

    return _udf(kernel, errors, col)


def format(
    col: "Column | str",
    style: str,
    region: str | None = None,
    visible: int = 4,
    *,
    errors: str = "null",
) -> "Column":
    """Each number formatted for people (see ``phonetoken.format``)."""
    _check_errors(errors)

    def kernel(arr: pa.Array) -> pa.Array:
        return phonetoken.format(arr, style, region, visible, errors=errors)

    return _udf(kernel, errors, col)


def scrub(
    col: "Column | str",
    replace: str,
    keyset: KeysetRef = None,
    region: str | None = None,
    leniency: str = "valid",
    purpose: str | None = None,
    context: str | bytes | None = None,
    visible: int = 4,
    length: int = 32,
    max_tries: int = 65535,
    *,
    errors: str = "null",
    master_key: str | None = None,
) -> "Column":
    """Free text with its numbers replaced (see ``phonetoken.scrub``). ``keyset`` (for
    ``"pseudonym"`` and ``"token"``) and ``master_key`` as in ``pseudonymize``; for the other
    replacements no keyset is loaded."""
    _check_errors(errors)
    keyed = replace in ("pseudonym", "token")
    if keyset is not None and not keyed:
        raise ValueError(f"keyset does not apply to replace={replace!r}: leave it out")
    ref = _keyset_ref(keyset) if keyed else None

    def kernel(arr: pa.Array) -> pa.Array:
        ks = _load(ref, master_key) if keyed else None
        return phonetoken.scrub(
            arr, replace, ks, region, leniency, purpose, context, visible, length, max_tries,
            errors=errors,
        )

    return _udf(kernel, errors, col)


def find(
    col: "Column | str",
    region: str | None = None,
    leniency: str = "valid",
    max_tries: int = 65535,
    *,
    errors: str = "null",
) -> "Column":
    """The numbers in each text, an array of structs ``start``, ``end`` (byte offsets),
    ``number`` (E.164) and ``raw`` (see ``phonetoken.find``)."""
    _check_errors(errors)

    def kernel(arr: pa.Array) -> pa.Array:
        return phonetoken.find(arr, region, leniency, max_tries, errors=errors)

    return _udf(kernel, errors, col, _FOUND)


# The module-level ``keyset`` is shadowed by the functions' argument of that name.
_load = keyset


def _check_errors(errors: str) -> None:
    # Checked on the driver, so a typo fails when the column is built, not in a task.
    if errors not in ("null", "raise", "column"):
        raise ValueError(f'errors={errors!r}: give "null", "raise" or "column"')

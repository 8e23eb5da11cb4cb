"""phonetoken in DuckDB: SQL functions on Arrow UDFs.

``register(con, keyset)`` adds four scalar functions to a connection::

    import duckdb, phonetoken, phonetoken.duckdb

    con = duckdb.connect()
    phonetoken.duckdb.register(con, phonetoken.Keyset.from_file("keys.json"), region="US")
    con.sql("SELECT phonetoken_pseudonymize(phone) FROM 'calls.parquet'")

- ``phonetoken_normalize(text)``: E.164;
- ``phonetoken_pseudonymize(text)``: the pseudonym (encoding and length as registered);
- ``phonetoken_tokenize(text, context)``: the token bound to ``context``;
- ``phonetoken_detokenize(token, context)``: the number inside.

The region, purpose, encoding and length are fixed when the functions are registered
(register again under another ``prefix`` for others). ``context`` is an argument, so one
query can use several; a value that is not a number (or a token that does not open) gives
NULL, fails the query with ``errors="raise"`` (naming the row in DuckDB's batch and the
reason code), or with ``errors="column"`` every function gives a
``STRUCT(value VARCHAR, error VARCHAR)``, ``error`` holding the reason code::

    phonetoken.duckdb.register(con, keys, region="US", errors="column")
    con.sql("SELECT p.value, p.error FROM (SELECT phonetoken_pseudonymize(phone) AS p FROM t)")
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

import phonetoken

__all__ = ["register"]

# The type of errors="column" results: the value and the reason code.
_COLUMN = pa.struct([("value", pa.string()), ("error", pa.string())])


def register(
    con: Any,
    keyset: phonetoken.Keyset,
    *,
    region: str | None = None,
    purpose: str | None = None,
    encoding: str = "base64url",
    length: int = 32,
    errors: str = "null",
    prefix: str = "phonetoken_",
) -> None:
    """Adds ``{prefix}normalize``, ``{prefix}pseudonymize``, ``{prefix}tokenize`` and
    ``{prefix}detokenize`` to the DuckDB connection ``con``."""
    import duckdb

    try:
        from duckdb.sqltypes import VARCHAR  # DuckDB 1.4 and later
    except ImportError:
        from duckdb.typing import VARCHAR

    if errors not in ("null", "raise", "column"):
        raise ValueError('errors: give "null", "raise" or "column"')
    out_type = (
        duckdb.struct_type({"value": VARCHAR, "error": VARCHAR}) if errors == "column" else VARCHAR
    )

    def normalize(arr: pa.Array) -> pa.Array:
        return _plain(phonetoken.normalize(arr, region, errors=errors))

    def pseudonymize(arr: pa.Array) -> pa.Array:
        return _plain(
            phonetoken.pseudonymize(arr, keyset, region, purpose, encoding, length, errors=errors)
        )

    def tokenize(arr: pa.Array, context: pa.Array) -> pa.Array:
        return _by_context(
            arr,
            context,
            lambda a, c: phonetoken.tokenize(a, keyset, c, region, purpose, errors=errors),
            arrow_type,
        )

    def detokenize(arr: pa.Array, context: pa.Array) -> pa.Array:
        return _by_context(
            arr,
            context,
            lambda a, c: phonetoken.detokenize(a, keyset, c, purpose, errors=errors),
            arrow_type,
        )

    arrow_type = _COLUMN if errors == "column" else pa.string()
    options = {"type": "arrow", "null_handling": "special", "side_effects": False}
    con.create_function(f"{prefix}normalize", normalize, [VARCHAR], out_type, **options)
    con.create_function(f"{prefix}pseudonymize", pseudonymize, [VARCHAR], out_type, **options)
    con.create_function(f"{prefix}tokenize", tokenize, [VARCHAR, VARCHAR], out_type, **options)
    con.create_function(f"{prefix}detokenize", detokenize, [VARCHAR, VARCHAR], out_type, **options)


def _plain(out: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array of ``string`` (or the struct of two), as DuckDB takes it."""
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    if pa.types.is_struct(out.type):
        return out.cast(_COLUMN)
    return out.cast(pa.string())


def _by_context(arr, context, run, out_type: pa.DataType) -> pa.Array:
    """Runs ``run(values, context)`` once per distinct context in the batch (one, when the
    context is a literal), and puts the results back in row order; no value becomes a Python
    object on the way."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if isinstance(context, pa.ChunkedArray):
        context = context.combine_chunks()
    distinct = pc.unique(context).drop_null().to_pylist()
    if len(distinct) == 1 and context.null_count == 0:
        return _plain(run(arr, distinct[0]))
    parts, rows = [], []
    for ctx in distinct:
        these = pc.indices_nonzero(pc.fill_null(pc.equal(context, ctx), False))
        parts.append(_plain(run(arr.take(these), ctx)))
        rows.append(these)
    # A NULL context gives NULL, as SQL functions do.
    nulls = pc.indices_nonzero(pc.is_null(context))
    parts.append(pa.nulls(len(nulls), type=out_type))
    rows.append(nulls)
    values = pa.concat_arrays(parts)
    positions = pa.concat_arrays([r.cast(pa.int64()) for r in rows])
    # values[i] belongs at row positions[i]: taking in the order that sorts the positions
    # puts every result back at its row.
    return values.take(pc.sort_indices(positions))

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
NULL, or fails the query with ``errors="raise"``.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

import phonetoken

__all__ = ["register"]


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
    try:
        from duckdb.sqltypes import VARCHAR  # DuckDB 1.4 and later
    except ImportError:
        from duckdb.typing import VARCHAR

    if errors not in ("null", "raise"):
        raise ValueError('errors: give "null" or "raise" (SQL functions give one value)')

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
        )

    def detokenize(arr: pa.Array, context: pa.Array) -> pa.Array:
        return _by_context(
            arr, context, lambda a, c: phonetoken.detokenize(a, keyset, c, purpose, errors=errors)
        )

    options = {"type": "arrow", "null_handling": "special", "side_effects": False}
    con.create_function(f"{prefix}normalize", normalize, [VARCHAR], VARCHAR, **options)
    con.create_function(f"{prefix}pseudonymize", pseudonymize, [VARCHAR], VARCHAR, **options)
    con.create_function(f"{prefix}tokenize", tokenize, [VARCHAR, VARCHAR], VARCHAR, **options)
    con.create_function(f"{prefix}detokenize", detokenize, [VARCHAR, VARCHAR], VARCHAR, **options)


def _plain(out: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    return out.cast(pa.string())


def _by_context(arr, context, run) -> pa.Array:
    """Runs ``run(values, context)`` once per distinct context in the batch (one, when the
    context is a literal), and puts the results back in row order."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if isinstance(context, pa.ChunkedArray):
        context = context.combine_chunks()
    distinct = pc.unique(context).drop_null().to_pylist()
    has_null = context.null_count > 0
    if len(distinct) == 1 and not has_null:
        return _plain(run(arr, distinct[0]))
    # A NULL context gives NULL, as SQL functions do.
    out: list[str | None] = [None] * len(arr)
    for ctx in distinct:
        rows = pc.indices_nonzero(pc.fill_null(pc.equal(context, ctx), False))
        values = _plain(run(arr.take(rows), ctx)).to_pylist()
        for row, value in zip(rows.to_pylist(), values):
            out[row] = value
    return pa.array(out, type=pa.string())

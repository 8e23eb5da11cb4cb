"""phonetoken in DuckDB: SQL functions on Arrow UDFs.

``register(con, keyset)`` adds scalar functions to a connection::

    import duckdb, phonetoken, phonetoken.duckdb

    con = duckdb.connect()
    phonetoken.duckdb.register(con, phonetoken.Keyset.from_file("keys.json"), region="US")
    con.sql("SELECT phonetoken_pseudonymize(phone) FROM 'calls.parquet'")

- ``phonetoken_normalize(text)``: E.164;
- ``phonetoken_pseudonymize(text)``: the pseudonym (encoding and length as registered);
- ``phonetoken_tokenize(text, context)``: the token bound to ``context``;
- ``phonetoken_detokenize(token, context)``: the number inside;
- ``phonetoken_is_valid(text)``: a BOOLEAN, libphonenumber's ``isValidNumber``;
- ``phonetoken_number_type(text)``: libphonenumber's type name (``MOBILE``, ...);
- ``phonetoken_region_code(text)``: the number's region (``"001"`` for non-geographic codes);
- ``phonetoken_format(text, style)``: ``style`` one of ``e164``, ``international``,
  ``national``, ``rfc3966``, ``masked`` (``visible`` digits as registered);
- ``phonetoken_scrub(text, replace)``: free text with its numbers replaced (``replace``:
  ``pseudonym``, ``token``, ``e164`` or ``mask``; tokens bound to the registered ``context``);
- ``phonetoken_find(text)``: the numbers in free text, a
  ``STRUCT(start BIGINT, "end" BIGINT, number VARCHAR, raw VARCHAR)[]`` (byte offsets).

The region, purpose, encoding, length, leniency and visible digits are fixed when the
functions are registered (register again under another ``prefix`` for others); with
``keyset=None`` the functions that need no keys are all there is. ``context`` is an argument
of tokenize and detokenize, so one query can use several; a value that is not a number (or a
token that does not open) gives NULL, fails the query with ``errors="raise"`` (naming the row
in DuckDB's batch and the reason code), or with ``errors="column"`` every function gives a
``STRUCT(value ..., error VARCHAR)``, ``error`` holding the reason code::

    phonetoken.duckdb.register(con, keys, region="US", errors="column")
    con.sql("SELECT p.value, p.error FROM (SELECT phonetoken_pseudonymize(phone) AS p FROM t)")
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

import phonetoken

__all__ = ["register"]

# The type of `find`'s values: the numbers found in a text.
_FOUND = pa.list_(
    pa.struct([("start", pa.int64()), ("end", pa.int64()), ("number", pa.string()), ("raw", pa.string())])
)


def _column(value: pa.DataType) -> pa.DataType:
    """The type of errors="column" results: the value and the reason code."""
    return pa.struct([("value", value), ("error", pa.string())])


def register(
    con: Any,
    keyset: phonetoken.Keyset | None,
    *,
    region: str | None = None,
    purpose: str | None = None,
    encoding: str = "base64url",
    length: int = 32,
    errors: str = "null",
    leniency: str = "valid",
    visible: int = 4,
    context: str | bytes = "",
    max_tries: int = 65535,
    prefix: str = "phonetoken_",
) -> None:
    """Adds ``{prefix}normalize``, ``{prefix}pseudonymize``, ``{prefix}tokenize``,
    ``{prefix}detokenize`` (with a keyset), ``{prefix}is_valid``, ``{prefix}number_type``,
    ``{prefix}region_code``, ``{prefix}format``, ``{prefix}scrub`` and ``{prefix}find`` to
    the DuckDB connection ``con``."""
    import duckdb

    try:
        from duckdb.sqltypes import BIGINT, BOOLEAN, VARCHAR  # DuckDB 1.4 and later
    except ImportError:
        from duckdb.typing import BIGINT, BOOLEAN, VARCHAR

    if errors not in ("null", "raise", "column"):
        raise ValueError('errors: give "null", "raise" or "column"')

    def sql_type(value: Any) -> Any:
        if errors == "column":
            return duckdb.struct_type({"value": value, "error": VARCHAR})
        return value

    def arrow_type(value: pa.DataType) -> pa.DataType:
        return _column(value) if errors == "column" else value

    string = arrow_type(pa.string())
    found_sql = duckdb.list_type(
        duckdb.struct_type({"start": BIGINT, "end": BIGINT, "number": VARCHAR, "raw": VARCHAR})
    )

    def normalize(arr: pa.Array) -> pa.Array:
        return _plain(phonetoken.normalize(arr, region, errors=errors), string)

    def pseudonymize(arr: pa.Array) -> pa.Array:
        return _plain(
            phonetoken.pseudonymize(arr, keyset, region, purpose, encoding, length, errors=errors),
            string,
        )

    def tokenize(arr: pa.Array, context: pa.Array) -> pa.Array:
        return _by_context(
            arr,
            context,
            lambda a, c: phonetoken.tokenize(a, keyset, c, region, purpose, errors=errors),
            string,
        )

    def detokenize(arr: pa.Array, context: pa.Array) -> pa.Array:
        return _by_context(
            arr,
            context,
            lambda a, c: phonetoken.detokenize(a, keyset, c, purpose, errors=errors),
            string,
        )

    def is_valid(arr: pa.Array) -> pa.Array:
        return _plain(phonetoken.is_valid(arr, region, errors=errors), arrow_type(pa.bool_()))

    def number_type(arr: pa.Array) -> pa.Array:
        return _plain(phonetoken.number_type(arr, region, errors=errors), string)

    def region_code(arr: pa.Array) -> pa.Array:
        return _plain(phonetoken.region_code(arr, region, errors=errors), string)

    def format(arr: pa.Array, style: pa.Array) -> pa.Array:
        return _by_context(
            arr,
            style,
            lambda a, s: phonetoken.format(a, s, region, visible, errors=errors),
            string,
        )

    def scrub_with(arr: pa.Array, replace: str) -> pa.Array:
        keyed = replace in ("pseudonym", "token")
        return phonetoken.scrub(
            arr,
            replace,
            keyset if keyed else None,
            region,
            leniency,
            purpose if keyed else None,
            context if replace == "token" else None,
            visible,
            length,
            max_tries,
            errors=errors,
        )

    def scrub(arr: pa.Array, replace: pa.Array) -> pa.Array:
        return _by_context(arr, replace, scrub_with, string)

    def find(arr: pa.Array) -> pa.Array:
        return _plain(
            phonetoken.find(arr, region, leniency, max_tries, errors=errors), arrow_type(_FOUND)
        )

    options = {"type": "arrow", "null_handling": "special", "side_effects": False}
    out = sql_type(VARCHAR)
    if keyset is not None:
        con.create_function(f"{prefix}pseudonymize", pseudonymize, [VARCHAR], out, **options)
        con.create_function(f"{prefix}tokenize", tokenize, [VARCHAR, VARCHAR], out, **options)
        con.create_function(f"{prefix}detokenize", detokenize, [VARCHAR, VARCHAR], out, **options)
    con.create_function(f"{prefix}normalize", normalize, [VARCHAR], out, **options)
    con.create_function(f"{prefix}is_valid", is_valid, [VARCHAR], sql_type(BOOLEAN), **options)
    con.create_function(f"{prefix}number_type", number_type, [VARCHAR], out, **options)
    con.create_function(f"{prefix}region_code", region_code, [VARCHAR], out, **options)
    con.create_function(f"{prefix}format", format, [VARCHAR, VARCHAR], out, **options)
    con.create_function(f"{prefix}scrub", scrub, [VARCHAR, VARCHAR], out, **options)
    con.create_function(f"{prefix}find", find, [VARCHAR], sql_type(found_sql), **options)


def _plain(out: pa.Array | pa.ChunkedArray, out_type: pa.DataType) -> pa.Array:
    """One array of ``out_type`` (plain strings, not large ones), as DuckDB takes it."""
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    return out.cast(out_type)


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
        return _plain(run(arr, distinct[0]), out_type)
    parts, rows = [], []
    for ctx in distinct:
        these = pc.indices_nonzero(pc.fill_null(pc.equal(context, ctx), False))
        parts.append(_plain(run(arr.take(these), ctx), out_type))
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

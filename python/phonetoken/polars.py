"""phonetoken in Polars: expressions over string columns.

Each function takes a column name or an expression and gives a ``pl.Expr`` that runs the
Rust kernel on every batch (through ``map_batches``), or, given a ``pl.Series``, the
resulting ``pl.Series``::

    import polars as pl
    import phonetoken, phonetoken.polars as ptp

    keys = phonetoken.Keyset.from_file("keys.json")
    df.with_columns(ptp.pseudonymize("phone", keys, region="US").alias("phone_p"))
"""

from __future__ import annotations

from typing import Callable

import polars as pl
import pyarrow as pa

import phonetoken

__all__ = ["normalize", "pseudonymize", "tokenize", "detokenize"]


def _apply(
    col: str | pl.Expr | pl.Series, kernel: Callable[[pa.Array], pa.Array], errors: str
) -> pl.Expr | pl.Series:
    if errors == "column":
        dtype = pl.Struct({"value": pl.String, "error": pl.String})
    else:
        dtype = pl.String

    def run(series: pl.Series) -> pl.Series:
        out = kernel(series.cast(pl.String).to_arrow())
        return pl.Series(series.name, out)

    if isinstance(col, pl.Series):
        return run(col)
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.map_batches(run, return_dtype=dtype, is_elementwise=True)


def normalize(col, region: str | None = None, *, errors: str = "null"):
    """E.164 for every value (see ``phonetoken.normalize``)."""
    return _apply(col, lambda a: phonetoken.normalize(a, region, errors=errors), errors)


def pseudonymize(
    col,
    keyset: phonetoken.Keyset,
    region: str | None = None,
    purpose: str | None = None,
    encoding: str = "base64url",
    length: int = 32,
    *,
    errors: str = "null",
):
    """Keyed pseudonyms (see ``phonetoken.pseudonymize``)."""
    return _apply(
        col,
        lambda a: phonetoken.pseudonymize(a, keyset, region, purpose, encoding, length, errors=errors),
        errors,
    )


def tokenize(
    col,
    keyset: phonetoken.Keyset,
    context: str | bytes,
    region: str | None = None,
    purpose: str | None = None,
    *,
    errors: str = "null",
):
    """Reversible tokens bound to ``context`` (see ``phonetoken.tokenize``)."""
    return _apply(
        col, lambda a: phonetoken.tokenize(a, keyset, context, region, purpose, errors=errors), errors
    )


def detokenize(
    col, keyset: phonetoken.Keyset, context: str | bytes, purpose: str | None = None, *, errors: str = "null"
):
    """The numbers inside tokens (see ``phonetoken.detokenize``)."""
    return _apply(
        col, lambda a: phonetoken.detokenize(a, keyset, context, purpose, errors=errors), errors
    )

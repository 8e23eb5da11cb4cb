"""phonetoken in Polars: expressions over string columns.

Each function takes a column name or an expression and gives a ``pl.Expr`` that runs the
Rust kernel on every batch (through ``map_batches``), or, given a ``pl.Series``, the
resulting ``pl.Series``::

    import polars as pl
    import phonetoken, phonetoken.polars as ptp

    keys = phonetoken.Keyset.from_file("keys.json")
    df.with_columns(ptp.pseudonymize("phone", keys, region="US").alias("phone_p"))
    df.with_columns(ptp.find("notes", region="US").alias("numbers"))  # a list of structs
"""

from __future__ import annotations

from typing import Callable

import polars as pl
import pyarrow as pa

import phonetoken

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
]

# The type of `find`'s values: a list of the numbers found in each text.
_FOUND = pl.List(
    pl.Struct({"start": pl.Int64, "end": pl.Int64, "number": pl.String, "raw": pl.String})
)


def _apply(
    col: str | pl.Expr | pl.Series,
    kernel: Callable[[pa.Array], pa.Array],
    errors: str,
    value: pl.DataType = pl.String,
) -> pl.Expr | pl.Series:
    if errors == "column":
        dtype = pl.Struct({"value": value, "error": pl.String})
    else:
        dtype = value

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


def is_valid(col, region: str | None = None, *, errors: str = "null"):
    """Whether each value is a valid number (see ``phonetoken.is_valid``)."""
    return _apply(col, lambda a: phonetoken.is_valid(a, region, errors=errors), errors, pl.Boolean)


def number_type(col, region: str | None = None, *, errors: str = "null"):
    """libphonenumber's number type names (see ``phonetoken.number_type``)."""
    return _apply(col, lambda a: phonetoken.number_type(a, region, errors=errors), errors)


def region_code(col, region: str | None = None, *, errors: str = "null"):
    """libphonenumber's region of each number (see ``phonetoken.region_code``)."""
    return _apply(col, lambda a: phonetoken.region_code(a, region, errors=errors), errors)


def format(col, style: str, region: str | None = None, visible: int = 4, *, errors: str = "null"):
    """Each number formatted for people (see ``phonetoken.format``)."""
    return _apply(
        col, lambda a: phonetoken.format(a, style, region, visible, errors=errors), errors
    )


def scrub(
    col,
    replace: str,
    keyset: phonetoken.Keyset | None = None,
    region: str | None = None,
    leniency: str = "valid",
    purpose: str | None = None,
    context: str | bytes | None = None,
    visible: int = 4,
    length: int = 32,
    max_tries: int = 65535,
    *,
    errors: str = "null",
):
    """Free text with its numbers replaced (see ``phonetoken.scrub``)."""
    return _apply(
        col,
        lambda a: phonetoken.scrub(
            a, replace, keyset, region, leniency, purpose, context, visible, length, max_tries,
            errors=errors,
        ),
        errors,
    )


def find(
    col, region: str | None = None, leniency: str = "valid", max_tries: int = 65535, *, errors: str = "null"
):
    """The numbers in each text, as a list of structs (see ``phonetoken.find``)."""
    return _apply(
        col, lambda a: phonetoken.find(a, region, leniency, max_tries, errors=errors), errors, _FOUND
    )

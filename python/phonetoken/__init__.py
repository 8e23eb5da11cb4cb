"""phonetoken: keep phone numbers out of the places where they leak.

Normalize phone numbers to E.164 exactly as libphonenumber does, replace them with keyed
pseudonyms (HMAC-SHA256) for joins, or with reversible tokens (AES-SIV in Tink's
DeterministicAead format) for the few who may read them back. The work is done in Rust over
whole Arrow columns, with the GIL released; results are byte for byte those of the
``phonetoken`` command-line tool.

Column functions (pyarrow Array or ChunkedArray of strings in, the same shape out)::

    import pyarrow as pa
    import phonetoken

    keys = phonetoken.Keyset.from_file("keys.json")   # made by `phonetoken keygen`
    phones = pa.array(["+1 415 555 2671", "(415) 555-2671", None, "n/a"])
    phonetoken.normalize(phones, region="US")
    phonetoken.pseudonymize(phones, keys, region="US")
    tokens = phonetoken.tokenize(phones, keys, "crm.contacts", region="US")
    phonetoken.detokenize(tokens, keys, "crm.contacts")

Engines: ``phonetoken.spark`` (column functions on Arrow UDFs), ``phonetoken.duckdb``
(``register(con, keyset)`` adds SQL functions), ``phonetoken.polars`` (expressions).
Errors: ``ParseError``, ``TokenError`` and their reason subclasses (``phonetoken._errors``).
"""

from phonetoken._errors import (
    InternalError,
    KeyMaterialError,
    KeysetFileError,
    KeysetPermissionWarning,
    KeysetWarning,
    ParseError,
    PhonetokenError,
    TokenError,
)
from phonetoken._native import (
    METADATA_VERSION,
    Keyset,
    __version__,
    detokenize,
    normalize,
    parse,
    pseudonymize,
    read_sealed_keyset,
    tokenize,
)

__all__ = [
    "METADATA_VERSION",
    "InternalError",
    "KeyMaterialError",
    "Keyset",
    "KeysetFileError",
    "KeysetPermissionWarning",
    "KeysetWarning",
    "ParseError",
    "PhonetokenError",
    "TokenError",
    "__version__",
    "detokenize",
    "normalize",
    "parse",
    "pseudonymize",
    "read_sealed_keyset",
    "tokenize",
]

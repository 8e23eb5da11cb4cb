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

What the numbers are, and the numbers in free text (libphonenumber's ``isValidNumber``,
``getNumberType``, ``getRegionCodeForNumber``, ``format()`` and ``PhoneNumberMatcher``)::

    phonetoken.is_valid(phones, region="US")          # booleans
    phonetoken.number_type(phones, region="US")       # "FIXED_LINE_OR_MOBILE", ...
    phonetoken.region_code(phones, region="US")       # "US", "001", or null
    phonetoken.format(phones, "national", region="US")
    notes = pa.array(["call (415) 555-2671 after 5"])
    phonetoken.find(notes, region="US")               # [{start, end, number, raw}, ...]
    phonetoken.scrub(notes, "pseudonym", keys, region="US")

Engines: ``phonetoken.spark`` (column functions on Arrow UDFs), ``phonetoken.duckdb``
(``register(con, keyset)`` adds SQL functions), ``phonetoken.polars`` (expressions).
Errors: ``ParseError``, ``TokenError``, ``FindError`` and their reason subclasses
(``phonetoken._errors``).
"""

from phonetoken._errors import (
    FindError,
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
    find,
    format,
    is_valid,
    normalize,
    number_type,
    parse,
    pseudonymize,
    read_sealed_keyset,
    region_code,
    scrub,
    tokenize,
)

__all__ = [
    "METADATA_VERSION",
    "FindError",
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
    "find",
    "format",
    "is_valid",
    "normalize",
    "number_type",
    "parse",
    "pseudonymize",
    "read_sealed_keyset",
    "region_code",
    "scrub",
    "tokenize",
]

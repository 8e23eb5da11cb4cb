"""The exceptions phonetoken raises, one class per Rust error enum and, under it, per reason.

Every exception has ``code`` (the reason code the ``phonetoken`` tool prints, e.g.
``"not-a-number"``) and ``row`` (the 0-based row of a column function's first failing value
with ``errors="raise"``, else ``None``). Catch ``ParseError`` for any number that does not
parse, or a reason such as ``ParseError.TooShort``; ``TokenError`` and its reasons for tokens
that do not open; ``FindError`` for a text ``scrub`` or ``find`` could not search wholly.
"""

from __future__ import annotations


class PhonetokenError(ValueError):
    """Base class of every phonetoken error."""

    __module__ = "phonetoken"

    code: str
    row: int | None

    def __init__(self, message: str, code: str = "", row: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.row = row


class ParseError(PhonetokenError):
    """The text is not a possible phone number (Rust ``phonetoken::ParseError``)."""

    __module__ = "phonetoken"


class TokenError(PhonetokenError):
    """A token does not open (Rust ``phonetoken::TokenError``)."""

    __module__ = "phonetoken"


class FindError(PhonetokenError):
    """A text could not be searched wholly for numbers, so ``scrub`` or ``find`` may have
    left numbers in it (Rust ``phonetoken::find::scrub::ScrubError``)."""

    __module__ = "phonetoken"


class KeysetFileError(PhonetokenError):
    """A keyset (or master key) file cannot be read or is not one (Rust
    ``KeysetFileError`` / ``EncryptedKeysetError``); the message never shows key material."""

    __module__ = "phonetoken"


class KeysetWarning(UserWarning):
    """A keyset loaded, but not as asked: a ``master_key`` given for a plaintext keyset."""

    __module__ = "phonetoken"


class KeysetPermissionWarning(KeysetWarning):
    """A keyset file that users other than its owner can change, or read when it holds
    plaintext keys (``chmod 600`` it); ``strict_permissions=True`` refuses such a file."""

    __module__ = "phonetoken"


class KeyMaterialError(PhonetokenError):
    """Keys cannot be derived as asked, e.g. a purpose label outside 1 to 255 bytes (Rust
    ``phonetoken::KeyError``)."""

    __module__ = "phonetoken"


class InternalError(PhonetokenError):
    """A failure the argument checks rule out; please report it."""

    __module__ = "phonetoken"


# Reason subclasses, named as the Rust enum variants and reachable as attributes of their
# enum's class (``ParseError.TooShort``), keyed by the reason code.
_PARSE = {
    "no-digits": "NoDigits",
    "not-a-number": "NotANumber",
    "invalid-phone-context": "InvalidPhoneContext",
    "input-too-long": "InputTooLong",
    "missing-region": "MissingRegion",
    "invalid-country-code": "InvalidCountryCode",
    "too-short-after-idd": "TooShortAfterIdd",
    "too-short": "TooShort",
    "too-long": "TooLong",
    "invalid-length": "InvalidLength",
    "not-e164": "NotE164",
}
_FIND = {
    "too-many-candidates": "TooManyCandidates",
    "too-many-rounds": "TooManyRounds",
}
_TOKEN = {
    "bad-encoding": "BadEncoding",
    "too-short": "TooShort",
    "too-long": "TooLong",
    "unknown-prefix": "UnknownPrefix",
    "unknown-key-id": "UnknownKeyId",
    "key-disabled": "KeyDisabled",
    "authentication-failed": "Authentication",
    "not-e164": "NotE164",
}


def _subclasses(base: type, names: dict[str, str]) -> dict[str, type]:
    by_code = {}
    for code, name in names.items():
        cls = type(
            name,
            (base,),
            {"__doc__": f"{base.__name__} with reason code {code!r}.", "__module__": "phonetoken"},
        )
        cls.__qualname__ = f"{base.__name__}.{name}"
        setattr(base, name, cls)
        by_code[code] = cls
    return by_code


_BY_KIND: dict[str, tuple[type, dict[str, type]]] = {
    "parse": (ParseError, _subclasses(ParseError, _PARSE)),
    "token": (TokenError, _subclasses(TokenError, _TOKEN)),
    "find": (FindError, _subclasses(FindError, _FIND)),
    "keyset": (KeysetFileError, {}),
    "key": (KeyMaterialError, {}),
    "internal": (InternalError, {}),
}


def _make(kind: str, code: str, message: str, row: int | None) -> PhonetokenError:
    """The exception for a failure the native module reports (called from Rust)."""
    base, by_code = _BY_KIND.get(kind, (PhonetokenError, {}))
    return by_code.get(code, base)(message, code, row)

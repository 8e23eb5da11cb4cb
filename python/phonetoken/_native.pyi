"""Type stubs of phonetoken's native module (the column kernels and the Keyset)."""

from os import PathLike
from typing import Literal, Protocol, overload

import pyarrow as pa

METADATA_VERSION: str
__version__: str

Errors = Literal["null", "raise", "column"]
EncodingName = Literal["base64url", "base64", "hex"]
Context = str | bytes
Style = Literal["e164", "international", "national", "rfc3966", "masked"]
ReplaceName = Literal["pseudonym", "token", "e164", "mask"]
LeniencyName = Literal["valid", "possible"]

class _ArrowArray(Protocol):
    def __arrow_c_array__(self, requested_schema: object | None = ...) -> tuple[object, object]: ...

class _ArrowStream(Protocol):
    def __arrow_c_stream__(self, requested_schema: object | None = ...) -> object: ...

class Keyset:
    """A phonetoken keyset; its keys never leave Rust memory. ``repr()`` shows key ids."""

    @staticmethod
    def from_file(
        path: str | PathLike[str], *, master_key: str | None = None, strict_permissions: bool = False
    ) -> Keyset: ...
    @staticmethod
    def from_env(*, master_key: str | None = None, strict_permissions: bool = False) -> Keyset: ...
    @staticmethod
    def from_json(text: str, *, master_key: str | None = None) -> Keyset: ...
    @property
    def primary_key_id(self) -> int: ...
    @property
    def key_ids(self) -> list[int]: ...
    def pseudonymize(
        self,
        text: str,
        *,
        region: str | None = None,
        purpose: str | None = None,
        encoding: EncodingName = "base64url",
        length: int = 32,
    ) -> str: ...
    def tokenize(
        self, text: str, context: Context, *, region: str | None = None, purpose: str | None = None
    ) -> str: ...
    def detokenize(self, token: str, context: Context, *, purpose: str | None = None) -> str: ...

def parse(text: str, region: str | None = None) -> str: ...
@overload
def normalize(
    arr: _ArrowArray, region: str | None = None, *, errors: Errors = "null", parallel: bool = False
) -> pa.Array: ...
@overload
def normalize(
    arr: _ArrowStream, region: str | None = None, *, errors: Errors = "null", parallel: bool = False
) -> pa.ChunkedArray: ...
@overload
def pseudonymize(
    arr: _ArrowArray,
    keyset: Keyset,
    region: str | None = None,
    purpose: str | None = None,
    encoding: EncodingName = "base64url",
    length: int = 32,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.Array: ...
@overload
def pseudonymize(
    arr: _ArrowStream,
    keyset: Keyset,
    region: str | None = None,
    purpose: str | None = None,
    encoding: EncodingName = "base64url",
    length: int = 32,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.ChunkedArray: ...
@overload
def tokenize(
    arr: _ArrowArray,
    keyset: Keyset,
    context: Context,
    region: str | None = None,
    purpose: str | None = None,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.Array: ...
@overload
def tokenize(
    arr: _ArrowStream,
    keyset: Keyset,
    context: Context,
    region: str | None = None,
    purpose: str | None = None,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.ChunkedArray: ...
@overload
def detokenize(
    arr: _ArrowArray,
    keyset: Keyset,
    context: Context,
    purpose: str | None = None,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.Array: ...
@overload
def detokenize(
    arr: _ArrowStream,
    keyset: Keyset,
    context: Context,
    purpose: str | None = None,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.ChunkedArray: ...

@overload
def is_valid(
    arr: _ArrowArray, region: str | None = None, *, errors: Errors = "null", parallel: bool = False
) -> pa.Array: ...
@overload
def is_valid(
    arr: _ArrowStream, region: str | None = None, *, errors: Errors = "null", parallel: bool = False
) -> pa.ChunkedArray: ...
@overload
def number_type(
    arr: _ArrowArray, region: str | None = None, *, errors: Errors = "null", parallel: bool = False
) -> pa.Array: ...
@overload
def number_type(
    arr: _ArrowStream, region: str | None = None, *, errors: Errors = "null", parallel: bool = False
) -> pa.ChunkedArray: ...
@overload
def region_code(
    arr: _ArrowArray, region: str | None = None, *, errors: Errors = "null", parallel: bool = False
) -> pa.Array: ...
@overload
def region_code(
    arr: _ArrowStream, region: str | None = None, *, errors: Errors = "null", parallel: bool = False
) -> pa.ChunkedArray: ...
@overload
def format(
    arr: _ArrowArray,
    style: Style,
    region: str | None = None,
    visible: int = 4,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.Array: ...
@overload
def format(
    arr: _ArrowStream,
    style: Style,
    region: str | None = None,
    visible: int = 4,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.ChunkedArray: ...
@overload
def scrub(
    arr: _ArrowArray,
    replace: ReplaceName,
    keyset: Keyset | None = None,
    region: str | None = None,
    leniency: LeniencyName = "valid",
    purpose: str | None = None,
    context: Context | None = None,
    visible: int = 4,
    length: int = 32,
    max_tries: int = 65535,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.Array: ...
@overload
def scrub(
    arr: _ArrowStream,
    replace: ReplaceName,
    keyset: Keyset | None = None,
    region: str | None = None,
    leniency: LeniencyName = "valid",
    purpose: str | None = None,
    context: Context | None = None,
    visible: int = 4,
    length: int = 32,
    max_tries: int = 65535,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.ChunkedArray: ...
@overload
def find(
    arr: _ArrowArray,
    region: str | None = None,
    leniency: LeniencyName = "valid",
    max_tries: int = 65535,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.Array: ...
@overload
def find(
    arr: _ArrowStream,
    region: str | None = None,
    leniency: LeniencyName = "valid",
    max_tries: int = 65535,
    *,
    errors: Errors = "null",
    parallel: bool = False,
) -> pa.ChunkedArray: ...

def read_sealed_keyset(path: str | PathLike[str]) -> str:
    """The text of an encrypted keyset file; refuses a plaintext one."""
    ...

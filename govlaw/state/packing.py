"""Long texts as the state stores them."""
from __future__ import annotations

import zlib

ZLIB_LEVEL = 6


def pack(text: str | None) -> bytes | None:
    """A long text as the state stores it: UTF-8, zlib-compressed, a BLOB."""
    return None if text is None else zlib.compress(text.encode("utf-8"), ZLIB_LEVEL)


def unpack(value: str | bytes | None) -> str | None:
    """A stored text back: a BLOB is compressed (`pack`); TEXT is a row
    written before schema 3, as it was."""
    if isinstance(value, bytes):
        return zlib.decompress(value).decode("utf-8")
    return value



"""Traditional-Chinese gateway copies (/gate/big5/…) are matched after
conversion to Simplified; the stored text stays as published.

OpenCC's t2s conversion is a C++ library with maintained wheels; the
conversion runs only on text that holds characters it would change."""
from __future__ import annotations

from functools import lru_cache

try:
    import opencc
except ImportError:  # pragma: no cover - declared as a dependency
    opencc = None


@lru_cache(maxsize=1)
def _converter():
    return opencc.OpenCC("t2s") if opencc is not None else None


def simplified(text: str | None) -> str:
    if not text:
        return text or ""
    conv = _converter()
    if conv is None or text.isascii():
        return text
    return conv.convert(text)


def is_traditional(sample: str) -> bool:
    """Does converting to Simplified change a noticeable share of the text?"""
    if not sample or _converter() is None:
        return False
    converted = _converter().convert(sample)
    if converted == sample:  # the common case, Simplified text: nothing to count
        return False
    changed = sum(a != b for a, b in zip(sample, converted))
    return changed >= max(3, len(sample) // 200)

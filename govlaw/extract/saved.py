"""Files an analyst already holds — saved pages, text dumps, PDF, DOCX and
OFD files — read by what their bytes are, not by their names."""
from __future__ import annotations

import re
from pathlib import Path

from govlaw.extract import attachments as files
from govlaw.extract.charset import decode
from govlaw.extract.page import extract_file, extract_html, extract_text

_HTML_SNIFF = re.compile(r"<(!doctype|html|head|body|div|meta|p|table)[\s>]", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def extract_saved(path: str) -> dict:
    """One saved file → one JSON-able dict; never raises for a bad file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return {"path": path, "error": f"cannot read file: {exc.strerror or exc}"}
    if not data.strip():
        return {"path": path, "error": "empty file"}
    try:
        ex = _extract(data, path)
    except Exception as exc:  # a hostile file must not stop the batch
        return {"path": path, "error": f"{type(exc).__name__}: {exc}"}
    if isinstance(ex, str):
        return {"path": path, "error": ex}
    out = {"path": path}
    out.update(ex.to_dict())
    out.pop("url", None)
    return out


def _extract(data: bytes, path: str):
    kind = files.sniff(data[:4096], path)
    if kind is not None:
        ex = extract_file(data, path)
        if ex.reason.startswith("file:unreadable"):
            return f"{kind.upper()} file not read: {ex.reason.split(': ', 2)[-1]}"
        return ex
    text, _ = decode(data)
    sample = text[:65536]
    if _CONTROL.search(sample) and len(_CONTROL.findall(sample)) > max(4, len(sample) // 200):
        return "binary data: not a saved page, a text dump or a PDF, DOCX or OFD file"
    if text.count("\ufffd") > max(8, len(text) // 50):
        return "undecodable text: not UTF-8, UTF-16, GB18030 or Big5"
    if _HTML_SNIFF.search(text[:4096]) or path.lower().endswith((".html", ".htm", ".shtml")):
        return extract_html(data, None)
    return extract_text(text)

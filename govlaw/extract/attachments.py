"""Reports published as files: PDF, DOCX and OFD are read; DOC and WPS
(binary formats with no well-kept pure-Python reader) are reported as unread.

Every reader is bounded: a file over the size cap, an archive that inflates
past its cap, or a file a parser chokes on gives a reason, never an exception.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
import signal
import threading
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from govlaw.normalize import clean_line

# pypdf narrates every damaged file it meets; the reason we return says enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_PDF_PAGES = 400

READABLE = {"pdf", "docx", "ofd"}
KNOWN_UNREADABLE = {"doc": "binary Word (.doc) files are not read", "wps": "WPS files are not read",
                    "et": "spreadsheets are not read", "xls": "spreadsheets are not read",
                    "xlsx": "spreadsheets are not read", "zip": "archives are not opened",
                    "rar": "archives are not opened", "7z": "archives are not opened"}


@dataclass
class AttachmentText:
    paragraphs: list[str]
    error: str | None = None


# Download scripts of the portal CMSs: the file's kind is in its bytes and
# its name in Content-Disposition or the query, never in the path.
DOWNLOAD_SCRIPT = re.compile(
    r"(down(load)?(file)?|getfile|fileDown(load)?|attach(ment)?|readfile|showfile|viewfile|file)"
    r"[\w-]*\.(jsp|do|aspx?|php|action|jhtml)|/attach(ment)?s?/|/download/|/(getfile|downloadfile)(/|\?|$)", re.I)
# Query parameters that carry the file's name.
_NAME_PARAMS = ("filename", "fileName", "filename1", "name", "file", "fn", "title", "realname", "oldname", "fname")
FILE_EXT = re.compile(r"\.(pdf|docx?|wps|ofd|xlsx?|et|zip|rar|7z|txt)$", re.I)


def sniff(data: bytes, name: str = "") -> str | None:
    """The file kind its bytes declare (pdf, docx, ofd, doc, wps, xlsx, zip), or None for text."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(data, name)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # OLE compound files: Word, WPS 文字 and Excel share the container; the name tells them apart.
        ext = ext_of(name)
        return ext if ext in ("wps", "xls", "et") else "doc"
    if data[:4] in (b"Rar!", b"7z\xbc\xaf"):
        return "rar" if data[:4] == b"Rar!" else "7z"
    return None


def _zip_kind(data: bytes, name: str) -> str:
    """A zip is DOCX, OFD or XLSX by the parts it holds, not by its name."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        names = []
    if "word/document.xml" in names:
        return "docx"
    if any(n.lower() == "ofd.xml" for n in names) or b"OFD.xml" in data[:4096]:
        return "ofd"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if not names:  # a damaged zip: the name is the last witness
        return ext_of(name) or "zip"
    return "zip"


def ext_of(name: str) -> str:
    m = FILE_EXT.search(unquote(name or "").strip())
    return m.group(1).lower() if m else ""


def kind_of(name_or_url: str, data: bytes | None = None, content_type: str | None = None) -> str:
    """pdf | docx | ofd | doc | … from the bytes first, then the name (a
    file name, or a URL whose path or query names the file). Content-Type
    is never trusted alone: download scripts send application/octet-stream."""
    if data:
        kind = sniff(data, name_or_url)
        if kind:
            return kind
    known = ext_of(name_from_url(name_or_url) or name_or_url)
    if known:
        return known
    # A plain file name of a kind no reader knows (x.bin): named, for the reason.
    m = re.fullmatch(r"[^/?#]*\.(\w{1,5})", (name_or_url or "").strip())
    return m.group(1).lower() if m else ""


def name_from_url(url: str) -> str:
    """The file name a URL shows: its last path segment if it has an
    extension, else a name-carrying query parameter (downfile.jsp?filename=…)."""
    from urllib.parse import parse_qsl

    parts = urlsplit(url)
    last = unquote(parts.path.rsplit("/", 1)[-1])
    if ext_of(last):
        return last
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    lowered = {k.lower(): v for k, v in params.items()}
    for key in _NAME_PARAMS:
        value = lowered.get(key.lower())
        if value and ext_of(value):
            return value.rsplit("/", 1)[-1]
    for value in params.values():
        if ext_of(value):
            return value.rsplit("/", 1)[-1]
    return ""


def disposition_name(header: bytes | str | None) -> str:
    """The file name of a Content-Disposition header: RFC 6266 `filename*`
    (RFC 5987 charset''percent-encoding) first, then `filename`, which
    Chinese portals send percent-encoded, as raw UTF-8 or as raw GBK."""
    if not header:
        return ""
    if isinstance(header, bytes):
        for enc in ("utf-8", "gb18030", "latin-1"):
            try:
                header = header.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    m = re.search(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", header, re.I)
    if m:
        try:
            return unquote(m.group(2).strip().strip('"'), encoding=m.group(1), errors="replace")
        except LookupError:
            return unquote(m.group(2).strip().strip('"'))
    m = re.search(r'filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)', header, re.I)
    if not m:
        return ""
    raw = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    if "%" in raw:
        decoded = unquote(raw, encoding="utf-8", errors="strict") if _valid_percent_utf8(raw) else \
            unquote(raw, encoding="gb18030", errors="replace")
        return decoded
    return raw


def _valid_percent_utf8(raw: str) -> bool:
    try:
        unquote(raw, encoding="utf-8", errors="strict")
        return True
    except UnicodeDecodeError:
        return False


def read(data: bytes, name: str, content_type: str | None = None) -> AttachmentText:
    """The paragraphs of a file. `name` is the best name known for it (its
    Content-Disposition name, its address, or its link text)."""
    kind = kind_of(name, data, content_type)
    if len(data) > MAX_FILE_BYTES:
        return AttachmentText([], f"file over {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    if kind in KNOWN_UNREADABLE:
        return AttachmentText([], KNOWN_UNREADABLE[kind])
    reader = {"pdf": _read_pdf, "docx": _read_docx, "ofd": _read_ofd}.get(kind)
    if reader is None:
        return AttachmentText([], f"unknown file type {kind or '(none)'}")
    try:
        with _time_limit(PARSE_SECONDS):
            paragraphs = reader(data)
    except _TooBig as exc:
        return AttachmentText([], str(exc))
    except _TimedOut:
        return AttachmentText([], f"{kind.upper()} parsing took over {PARSE_SECONDS} s")
    except Exception as exc:  # a malformed file from the wild: say so, go on
        return AttachmentText([], f"{kind.upper()} could not be parsed: {type(exc).__name__}")
    paragraphs = [p for p in (clean_line(p) for p in paragraphs) if p]
    if not paragraphs:
        return AttachmentText([], f"{kind.upper()} has no text layer (a scan?)")
    return AttachmentText(paragraphs)


class _TooBig(Exception):
    pass


class _TimedOut(Exception):
    pass


PARSE_SECONDS = 30


@contextlib.contextmanager
def _time_limit(seconds: int):
    """A crafted PDF can send a parser into a loop; SIGALRM ends it. Only
    the main thread gets signals, so elsewhere the parse runs unbounded."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):
        raise _TimedOut()

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _checked_zip(data: bytes) -> zipfile.ZipFile:
    z = zipfile.ZipFile(io.BytesIO(data))
    total = sum(i.file_size for i in z.infolist())
    if total > MAX_INFLATED_BYTES:
        raise _TooBig(f"archive inflates to {total} bytes, over the cap")
    return z


def _read_docx(data: bytes) -> list[str]:
    import docx

    _checked_zip(data)
    document = docx.Document(io.BytesIO(data))
    out = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            out.append(" ".join(clean_line(c.text) for c in row.cells))
    return out


def _read_ofd(data: bytes) -> list[str]:
    """OFD (GB/T 33190): a zip of XML pages; text sits in TextCode elements,
    one per line of the page."""
    z = _checked_zip(data)
    pages = sorted((n for n in z.namelist() if re.search(r"Pages/Page_\d+/Content\.xml$", n)),
                   key=lambda n: [int(x) for x in re.findall(r"\d+", n)])
    lines = []
    for name in pages:
        xml = z.read(name).decode("utf-8", "replace")
        lines.extend(re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<ofd:TextCode[^>]*>(.*?)</ofd:TextCode>", xml, re.S))
    return reflow(lines)


def _read_pdf(data: bytes) -> list[str]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if len(reader.pages) > MAX_PDF_PAGES:
        raise _TooBig(f"PDF of {len(reader.pages)} pages, over the cap of {MAX_PDF_PAGES}")
    lines = []
    for page in reader.pages:
        lines.extend((page.extract_text() or "").splitlines())
    return reflow(lines)


_HEADING = re.compile(r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.．、]|第[一二三四五六七八九十]+)")
_ENDS_SENTENCE = re.compile(r"[。！？!?：:；;]\s*$")


def reflow(lines: list[str]) -> list[str]:
    """Join the lines a page layout broke back into paragraphs: a paragraph
    ends where a line ends a sentence short of the full width, and one
    starts at an indent or a heading."""
    stripped = [l.rstrip() for l in lines]
    widths = sorted(len(l.strip()) for l in stripped if l.strip())
    full = widths[int(len(widths) * 0.9)] if widths else 0
    out: list[str] = []
    current = ""
    for raw in stripped:
        line = raw.strip()
        if not line:
            if current:
                out.append(current)
                current = ""
            continue
        starts_new = bool(_HEADING.match(line)) or raw.startswith(("\u3000", "  "))
        if current and starts_new:
            out.append(current)
            current = ""
        current += line
        if _ENDS_SENTENCE.search(line) and len(line) < 0.9 * full or len(line) < 0.5 * full:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out

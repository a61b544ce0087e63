"""Catalog of the demo portals and their documents.

The demo server renders pages from this catalog, and tests use the same
functions to compute what a crawl of the demo portals must find, so every
value here is deterministic (no clocks, no random numbers, no salted hashes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PORTALS_FILE = HERE / "portals.yaml"
DOCUMENTS_DIR = HERE / "documents"

# Portal pages show times in China Standard Time.
CST = dt.timezone(dt.timedelta(hours=8), "CST")


@dataclass
class Portal:
    id: str
    name: str
    family: str  # trs | hanweb | gkmlpt | nextpage
    region_code: str
    site_id_code: str
    domain: str  # the portal's own domain, shown in meta tags only
    column_name: str
    column_path: str  # folder of the column, ends with "/"
    start_path: str  # first listing page (path + query)
    article_pattern: str  # str.format pattern, see article_path()
    id_range: tuple[int, int]
    body_style: str  # how the server renders body paragraphs
    host_unit: str  # 主办单位
    icp: str
    police: str  # 公网安备 number
    qr_path: str
    charset: str = "utf-8"
    per_page: int = 5
    params: dict = field(default_factory=dict)  # family-specific ids


@dataclass
class Document:
    slug: str  # file stem, e.g. "yuanzhou-report-2022"
    kind: str  # report | lookalike
    title: str
    publish_date: dt.date
    portals: list[str]
    body: str  # paragraphs joined by one blank line
    paragraphs: list[str]
    lookalike: str | None = None
    report_year: int | None = None
    publish_time: str | None = None  # "HH:MM"
    publisher: str | None = None
    doc_number: str | None = None
    index_number: str | None = None
    recipient: str | None = None
    signed_date: dt.date | None = None
    seed: str | None = None
    updated: dt.datetime | None = None  # optional; moves Last-Modified
    extra: dict = field(default_factory=dict)  # unknown front-matter keys
    path: str = ""

    @property
    def is_report(self) -> bool:
        return self.kind == "report"

    @property
    def published(self) -> dt.datetime:
        """Publish moment (CST); 00:00 when the document has no time."""
        hh, mm = (self.publish_time or "00:00").split(":")
        return dt.datetime.combine(self.publish_date, dt.time(int(hh), int(mm)), CST)

    @property
    def modified(self) -> dt.datetime:
        return max(self.published, self.updated) if self.updated else self.published


# ---------------------------------------------------------------- portals

def load_portals(path: str | Path | None = None) -> list[Portal]:
    with open(path or PORTALS_FILE, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    portals = []
    for item in raw:
        item = dict(item)
        item["id_range"] = tuple(item["id_range"])
        for key in ("region_code", "site_id_code"):
            item[key] = str(item[key])
        portals.append(Portal(**item))
    return portals


def portal_by_id(portal_id: str, portals: list[Portal] | None = None) -> Portal:
    for portal in portals or load_portals():
        if portal.id == portal_id:
            return portal
    raise KeyError(portal_id)


# -------------------------------------------------------------- documents

_WS = re.compile(r"\s+")
_FIELDS = {
    "kind", "title", "publish_date", "portals", "lookalike", "report_year",
    "publish_time", "publisher", "doc_number", "index_number", "recipient",
    "signed_date", "seed", "updated",
}


def _as_date(value, name, where):
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: bad {name}: {value!r}") from None


def _as_time(value):
    # YAML 1.1 reads an unquoted 10:30 as the sexagesimal integer 630.
    if value is None:
        return None
    if isinstance(value, int):
        return f"{value // 60:02d}:{value % 60:02d}"
    hh, mm = str(value).strip().split(":")[:2]
    return f"{int(hh):02d}:{int(mm):02d}"


def split_paragraphs(body: str) -> list[str]:
    """Blank-line separated paragraphs, stripped, inner whitespace collapsed."""
    paras = (_WS.sub(" ", p).strip() for p in re.split(r"\n[ \t\u3000\u00a0]*\n", body))
    return [p for p in paras if p]


def parse_document(path: str | Path) -> Document:
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":  # tolerate an opening fence
        lines = lines[1:]
    try:
        cut = next(i for i, line in enumerate(lines) if line.strip() == "---")
    except StopIteration:
        raise ValueError(f"{path}: no '---' line after the front matter") from None
    meta = yaml.safe_load("\n".join(lines[:cut])) or {}
    missing = {"kind", "title", "publish_date", "portals"} - set(meta)
    if missing:
        raise ValueError(f"{path}: front matter lacks {sorted(missing)}")
    paragraphs = split_paragraphs("\n".join(lines[cut + 1:]))
    portals = meta["portals"]
    if isinstance(portals, str):
        portals = [portals]
    seed = meta.get("seed")
    updated = meta.get("updated")
    if isinstance(updated, dt.date) and not isinstance(updated, dt.datetime):
        updated = dt.datetime.combine(updated, dt.time(), CST)
    elif isinstance(updated, dt.datetime) and updated.tzinfo is None:
        updated = updated.replace(tzinfo=CST)
    opt = lambda k: None if meta.get(k) is None else str(meta[k]).strip()  # noqa: E731
    return Document(
        slug=path.stem,
        kind=str(meta["kind"]).strip(),
        title=str(meta["title"]).strip(),
        publish_date=_as_date(meta["publish_date"], "publish_date", path),
        portals=[str(p) for p in portals],
        body="\n\n".join(paragraphs),
        paragraphs=paragraphs,
        lookalike=opt("lookalike"),
        report_year=None if meta.get("report_year") is None else int(meta["report_year"]),
        publish_time=_as_time(meta.get("publish_time")),
        publisher=opt("publisher"),
        doc_number=opt("doc_number"),
        index_number=opt("index_number"),
        recipient=opt("recipient"),
        signed_date=_as_date(meta.get("signed_date"), "signed_date", path),
        seed=None if seed is None else (f"{seed:03d}" if isinstance(seed, int) else str(seed)),
        updated=updated,
        extra={k: v for k, v in meta.items() if k not in _FIELDS},
        path=str(path),
    )


def _sort_key(doc: Document):
    return (-doc.publish_date.toordinal(), Path(doc.path).name)


def load_documents(directory: str | Path | None = None, state: int = 1) -> list[Document]:
    """All documents, newest publish_date first, ties by file name.

    State 1 is the directory itself.  State N > 1 overlays the files of the
    sub-folder ``state<N>/``: a file there replaces the base file of the same
    name or adds a new document, and the file names listed in its
    ``removed.txt`` (one a line) are taken off the portals (they answer 404).
    """
    directory = Path(directory or DOCUMENTS_DIR)
    files = {p.name: p for p in directory.glob("*.txt")} if directory.is_dir() else {}
    if state != 1:
        overlay = directory / f"state{state}"
        if not overlay.is_dir():
            raise ValueError(f"no documents for state {state} ({overlay} missing)")
        removed = overlay / "removed.txt"
        for name in removed.read_text(encoding="utf-8").split() if removed.exists() else []:
            files.pop(name, None)
        files.update({p.name: p for p in overlay.glob("*.txt") if p.name != "removed.txt"})
    return sorted((parse_document(p) for p in files.values()), key=_sort_key)


# ------------------------------------------------------------------ paths

def documents_for(portal_id: str, documents: list[Document]) -> list[Document]:
    """Documents listed on a portal, newest first (the order of the column)."""
    return sorted((d for d in documents if portal_id in d.portals), key=_sort_key)


def article_id(portal: Portal, document: Document) -> int:
    """Stable numeric id from a hash of the slug, inside the portal's id_range."""
    low, high = portal.id_range
    digest = int(hashlib.sha1(document.slug.encode("utf-8")).hexdigest()[:12], 16)
    return low + digest % (high - low + 1)


def article_path(portal: Portal, document: Document) -> str:
    """URL path of a document on a portal; the folder date is the publish date."""
    n, d = article_id(portal, document), document.publish_date
    return portal.article_pattern.format(
        column_path=portal.column_path, date=d, year=d.year, month=d.month,
        day=d.day, id=n, id_a=n // 1_000_000, id_b=n // 1000, **portal.params)


def page_count(portal: Portal, n_documents: int) -> int:
    """Number of listing pages of a column (at least one, even when empty)."""
    return max(1, math.ceil(n_documents / portal.per_page))

"""Which report pages of the last HTML report can be kept as they are.

A report's page is written again only when something it shows changed:
its row in govlaw.db (but the last sighting, which the page leaves out),
its texts and versions, its lines of the ledger (the day and the settings
move them), its addresses, or the code that writes pages. Each page's key
is a digest of all of these, kept in the report folder (MANIFEST); a page
whose key is unchanged is carried into the new folder as a hard link to the
old file, not rendered again.

Texts are known by the digests the analysts' export keeps in govlaw.db
(report_digests), without reading them; a database without that table has
its texts read and hashed instead.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from importlib import resources
from pathlib import Path

MANIFEST = ".pages.json"


def _sha1(value) -> str:
    return hashlib.sha1(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def renderer() -> str:
    """A digest of the code and the assets that write the pages: a new
    govlaw writes every page again."""
    digest = hashlib.sha1()
    package = resources.files(__package__)
    for item in sorted(package.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".py"):
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    for item in sorted(package.joinpath("assets").iterdir(), key=lambda i: i.name):
        if item.name.endswith((".css", ".js")):
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()


def text_digests(db: sqlite3.Connection) -> dict[str, str] | None:
    """Report id → the digest of its texts and versions, as govlaw.db keeps
    them; None when the database keeps none."""
    try:
        rows = db.execute("SELECT report_id, text_digest, versions_digest FROM report_digests").fetchall()
    except sqlite3.DatabaseError:
        return None
    return {rid: f"{text}:{versions}" for rid, text, versions in rows}


def _texts_read(db: sqlite3.Connection, report_id: str) -> str:
    digest = hashlib.sha1()
    for row in db.execute("SELECT title, body, sections FROM reports WHERE id = ?", (report_id,)):
        digest.update(json.dumps(row, ensure_ascii=False).encode())
    for row in db.execute("SELECT version, content_hash, seen_at, title, body FROM versions WHERE report_id = ? "
                          "ORDER BY version", (report_id,)):
        digest.update(json.dumps(row, ensure_ascii=False).encode())
    return digest.hexdigest()


def page_key(code: str, data, report: dict, texts: dict[str, str] | None) -> str:
    """The digest of everything a report's page shows."""
    rid = report["id"]
    text = texts.get(rid) if texts is not None else None
    if text is None and data.db is not None:
        text = _texts_read(data.db, rid)
    ledger = [(g.name, c.year, c.status, c.days_late, c.due_date) for g, c in data.ledger_of_report.get(rid, [])]
    return _sha1([code, {k: v for k, v in report.items() if k != "last_seen"}, text, ledger,
                  data.addresses.get(rid, [])])


def previous(folder: Path) -> dict[str, str]:
    """Page path → key, of the report now in `folder` (empty when there is none)."""
    try:
        keys = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return keys if isinstance(keys, dict) else {}


def carry(old: Path, new: Path) -> bool:
    """Bring an unchanged page into the new folder: a hard link, else False
    (no old file, or a file system without links) and it is written again."""
    try:
        os.link(old, new)
    except OSError:
        return False
    return True

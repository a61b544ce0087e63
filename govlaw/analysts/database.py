"""output/govlaw.db: the state, the ledger and a full-text index, laid out
for analysts' SQL (sqlite3, DB Browser, Datasette).

It is derived, never edited. The first export builds it whole at a
temporary name beside `path` and renames it over; later exports update it
in place, in one transaction, so a reader sees the old database or the new
one, never half of each. An update rewrites only what changed: each report's
rows, versions and full-text entry are rewritten when the digest of what
they are made from (report_digests) differs from the state's, and removed
with the report; the small tables (governments, ledger, addresses, changes)
are written whole, for the ledger depends on the day and the settings.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from govlaw import records as records_mod
from govlaw.analysts import statefile
from govlaw.analysts.ledger import COLUMNS as LEDGER_COLUMNS
from govlaw.analysts.search import FTS_TABLE
from govlaw.extract.sections import MANDATED_PARTS

# Bumped whenever the tables change: a database of another layout is built
# again whole rather than updated. So is one written by other code (CODE).
LAYOUT = 2

SCHEMA = """
CREATE TABLE governments (
    code TEXT PRIMARY KEY,      -- registry code; the source id for a department or township
    name TEXT, level TEXT, province TEXT, parent_code TEXT,
    portal TEXT,                -- the source id whose crawls are the evidence
    home_url TEXT,
    due TEXT                    -- MM-DD of the year after the report year
);
CREATE TABLE reports (
    id TEXT PRIMARY KEY, title TEXT, report_year INTEGER, publisher TEXT, region_code TEXT, admin_level TEXT,
    publish_date TEXT, signed_date TEXT, doc_number TEXT, url TEXT, portal TEXT, version INTEGER,
    first_seen TEXT, last_seen TEXT, withdrawn INTEGER,
    missing_parts TEXT,         -- JSON list of the mandated parts not found
    parts_present INTEGER,      -- how many of the five mandated parts were found
    sections TEXT,              -- JSON [{heading, part, text}]
    body TEXT,
    government_code TEXT        -- the government (of governments) the report counts for, if any
);
CREATE TABLE versions (
    report_id TEXT, version INTEGER, content_hash TEXT, seen_at TEXT, title TEXT, body TEXT,
    PRIMARY KEY (report_id, version)
);
CREATE TABLE addresses (report_id TEXT, url TEXT, portal TEXT);
CREATE INDEX addresses_report ON addresses (report_id);
CREATE TABLE ledger (
    government_code TEXT, government_name TEXT, level TEXT, province TEXT, year INTEGER, due_date TEXT,
    status TEXT,                -- on_time | late | missing | unknown | not_due | withdrawn
    days_late INTEGER, report_id TEXT, report_url TEXT, publish_date TEXT,
    missing_parts TEXT,         -- JSON list
    reason TEXT,
    PRIMARY KEY (government_code, year)
);
CREATE TABLE changes (
    run_id TEXT, at TEXT, report_id TEXT, change TEXT, title TEXT,
    diff TEXT                   -- JSON {paragraphs_added, paragraphs_removed, paragraphs_changed}
);
CREATE INDEX changes_report ON changes (report_id);
CREATE TABLE report_digests (   -- what each report's rows were made from, to update only those that change
    report_id TEXT PRIMARY KEY,
    row_digest TEXT,            -- its reports row but the texts
    text_digest TEXT,           -- its title, body and sections: the row's texts and its full-text entry
    versions_digest TEXT        -- its versions
);
CREATE TABLE export_inputs (key TEXT PRIMARY KEY, value TEXT);   -- what else the rows were made with
"""

# The common questions, answered once.
VIEWS = """
CREATE VIEW missing_by_province AS
SELECT province, year, COUNT(*) AS missing,
       (SELECT COUNT(*) FROM ledger l2 WHERE l2.province IS l.province AND l2.year = l.year) AS governments
FROM ledger l WHERE status = 'missing' GROUP BY province, year ORDER BY province, year;

CREATE VIEW days_late_by_level AS
SELECT level, year, COUNT(*) AS published,
       SUM(status = 'late') AS late, MAX(days_late) AS most_days_late,
       ROUND(AVG(CASE WHEN status = 'late' THEN days_late END), 1) AS mean_days_late_of_late
FROM ledger WHERE status IN ('on_time', 'late') GROUP BY level, year ORDER BY level, year;

CREATE VIEW reports_missing_part AS
SELECT r.id AS report_id, r.report_year, r.publisher, r.title, r.url, p.value AS part
FROM reports r, json_each(r.missing_parts) p
WHERE r.withdrawn = 0 ORDER BY p.value, r.report_year, r.publisher;

CREATE VIEW ledger_summary AS
SELECT year, status, COUNT(*) AS governments FROM ledger GROUP BY year, status ORDER BY year, status;
"""


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _digest(value) -> str:
    return hashlib.sha1(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


# The reports row's columns, in the table's order; META are those an update
# of a report's details rewrites without touching its texts.
COLUMNS = ["id", "title", "report_year", "publisher", "region_code", "admin_level", "publish_date", "signed_date",
           "doc_number", "url", "portal", "version", "first_seen", "last_seen", "withdrawn", "missing_parts",
           "parts_present", "sections", "body", "government_code"]
META = [c for c in COLUMNS if c not in ("id", "title", "sections", "body")]


def _meta(r: dict, government_code: str | None) -> dict:
    missing = list(r.get("missing_parts") or [])
    return {"report_year": r.get("report_year"), "publisher": r.get("publisher"), "region_code": r.get("region_code"),
            "admin_level": r.get("admin_level"), "publish_date": r.get("publish_date"),
            "signed_date": r.get("signed_date"), "doc_number": r.get("doc_number"), "url": r.get("url"),
            "portal": r.get("portal"), "version": r.get("version"), "first_seen": r.get("first_seen"),
            "last_seen": r.get("last_seen"), "withdrawn": int(bool(r.get("withdrawn"))), "missing_parts": _json(missing),
            "parts_present": sum(1 for p in MANDATED_PARTS if p not in missing), "government_code": government_code}


def digests(r: dict, government_code: str | None, versions_digest: str | None) -> tuple[str, str, str | None]:
    """(row, text, versions) digests of a record as the state keeps it. The
    text is known by its version and content hash: the body itself is not
    read to tell whether it changed."""
    text = [r.get("title"), r.get("version"), r.get("content_hash"), r.get("sections")]
    return _digest(_meta(r, government_code)), _digest(text), versions_digest


def _report_row(r: dict, government_code: str | None, body: str | None) -> tuple:
    full = dict(r, body=body)
    values = dict(_meta(r, government_code), id=r["id"], title=r.get("title"), body=body,
                  sections=_json(records_mod.section_texts(full)))
    return tuple(values[c] for c in COLUMNS)


@dataclass
class Written:
    """What an export did to the database: report ids by what was rewritten."""
    built: bool = False                                 # made whole (first export, or another layout)
    texts: list[str] = field(default_factory=list)      # rows and full-text entries written
    details: list[str] = field(default_factory=list)    # rows whose details only were updated
    versions: list[str] = field(default_factory=list)   # versions written
    removed: list[str] = field(default_factory=list)    # reports gone from the state
    reports: int = 0


def go_on() -> None:
    """The checkpoint of an export nobody stops."""


def write(path: Path, state, governments, report_government: dict[str, str], ledger_rows,
          checkpoint=go_on) -> Written:
    """Bring the database at `path` up to the state (an open connection to
    it): updated in place when it is one of ours, else built whole.
    `checkpoint` is called before each report's rows: what it raises
    abandons the export, and the database is left as it was."""
    path = Path(path)
    if _updatable(path):
        return _update(path, state, governments, report_government, ledger_rows, checkpoint)
    return _build(path, state, governments, report_government, ledger_rows, checkpoint)


def code() -> str:
    """A digest of the code that makes the rows from the state: a govlaw
    that makes them otherwise builds the database again whole."""
    digest = hashlib.sha1()
    here = Path(__file__).parent
    for source in sorted(here.glob("*.py")) + [Path(records_mod.__file__)]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _updatable(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != LAYOUT:
                return False
            return dict(db.execute("SELECT key, value FROM export_inputs")).get("code") == code()
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return False


def _build(path: Path, state, governments, report_government, ledger_rows, checkpoint=go_on) -> Written:
    """Build the database at a temporary name beside `path`, then rename it over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    db = sqlite3.connect(str(tmp))
    # A file nobody reads until it is renamed into place: no journal, no
    # syncs while it is built; it is synced once, whole, before the rename.
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    # Bodies of 30 kB take overflow pages: larger pages make fewer (about a
    # sixth less time to build, a like size of file).
    db.execute("PRAGMA page_size=8192")
    written = Written(built=True)
    try:
        with db:
            db.executescript(SCHEMA)
            db.execute(FTS_TABLE)
            versions_of = statefile.version_digests(state)
            # Records and their bodies streamed from the state, one at a time;
            # the full-text index is filled as the rows go in.
            for r in statefile.iter_reports(state):
                checkpoint()
                gc = report_government.get(r["id"])
                _insert(db, r, gc, r.get("body"))
                db.execute("INSERT INTO report_digests VALUES (?, ?, ?, ?)",
                           (r["id"], *digests(r, gc, versions_of.get(r["id"]))))
                written.reports += 1
            db.executemany("INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?, ?)", statefile.versions(state))
            _write_whole(db, state, governments, ledger_rows)
            db.executescript(VIEWS)
            db.execute("INSERT INTO export_inputs VALUES ('code', ?)", (code(),))
            db.execute(f"PRAGMA user_version = {LAYOUT}")
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return written


def _insert(db, r: dict, government_code: str | None, body: str | None) -> None:
    cur = db.execute(f"INSERT INTO reports VALUES ({', '.join('?' * len(COLUMNS))})",
                     _report_row(r, government_code, body))
    db.execute("INSERT INTO reports_fts (rowid, title, body) VALUES (?, ?, ?)", (cur.lastrowid, r.get("title"), body))


def _unindex(db, report_id: str) -> None:
    """Take a report's row out of the full-text index (an external-content
    index is told the values it indexed)."""
    db.execute("INSERT INTO reports_fts (reports_fts, rowid, title, body) "
               "SELECT 'delete', rowid, title, body FROM reports WHERE id = ?", (report_id,))


def _update(path: Path, state, governments, report_government, ledger_rows, checkpoint=go_on) -> Written:
    db = sqlite3.connect(str(path), timeout=30)
    written = Written()
    try:
        db.execute("BEGIN IMMEDIATE")
        stored = {rid: (row, text, versions) for rid, row, text, versions
                  in db.execute("SELECT report_id, row_digest, text_digest, versions_digest FROM report_digests")}
        versions_of = statefile.version_digests(state)
        for r in statefile.lean_reports(state):
            rid, gc = r["id"], report_government.get(r["id"])
            now = digests(r, gc, versions_of.get(rid))
            was = stored.pop(rid, None)
            written.reports += 1
            if was == now:
                continue
            checkpoint()
            if was is None or was[1] != now[1]:
                if was is not None:
                    _unindex(db, rid)
                    db.execute("DELETE FROM reports WHERE id = ?", (rid,))
                _insert(db, r, gc, statefile.body(state, r))
                written.texts.append(rid)
            elif was[0] != now[0]:
                meta = _meta(r, gc)
                db.execute(f"UPDATE reports SET {', '.join(f'{c} = ?' for c in META)} WHERE id = ?",
                           [meta[c] for c in META] + [rid])
                written.details.append(rid)
            if was is None or was[2] != now[2]:
                db.execute("DELETE FROM versions WHERE report_id = ?", (rid,))
                db.executemany("INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?, ?)",
                               statefile.versions(state, rid))
                written.versions.append(rid)
            db.execute("INSERT OR REPLACE INTO report_digests VALUES (?, ?, ?, ?)", (rid, *now))
        for rid in sorted(stored):
            _unindex(db, rid)
            for table, column in (("reports", "id"), ("versions", "report_id"), ("report_digests", "report_id")):
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (rid,))
            written.removed.append(rid)
        _write_whole(db, state, governments, ledger_rows)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()
    return written


def _write_whole(db, state, governments, ledger_rows) -> None:
    """The tables small enough to write whole at every export."""
    for table in ("governments", "ledger", "addresses", "changes"):
        db.execute(f"DELETE FROM {table}")
    db.executemany("INSERT INTO governments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [(g.code, g.name, g.level, g.province, g.parent_code, g.portal, g.home_url, g.due)
                    for g in governments])
    db.executemany("INSERT INTO addresses VALUES (?, ?, ?)", statefile.addresses(state))
    db.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?)",
                   ((run_id, c.get("at"), c.get("id"), c.get("change"), c.get("title"), _json(c.get("diff")))
                    for run_id, c in statefile.changes(state)))
    db.executemany(f"INSERT INTO ledger VALUES ({', '.join('?' * 13)})",
                   ((row["government_code"], row["government_name"], row["level"], row["province"],
                     row["year"], row["due_date"], row["status"], row["days_late"], row["report_id"],
                     row["report_url"], row["publish_date"], _json(row["missing_parts"]), row["reason"])
                    for row in ledger_rows))


def _read(path: Path, sql: str):
    db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield from db.execute(sql)
    finally:
        db.close()


def read_ledger(path: Path):
    """The ledger's rows as written, in their order, one at a time (for ledger.csv)."""
    for values in _read(path, f"SELECT {', '.join(LEDGER_COLUMNS)} FROM ledger ORDER BY rowid"):
        yield dict(zip(LEDGER_COLUMNS, values))


def ledger_counts(path: Path) -> dict[str, int]:
    return dict(_read(path, "SELECT status, COUNT(*) FROM ledger GROUP BY status"))

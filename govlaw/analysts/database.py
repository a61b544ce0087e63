"""output/govlaw.db: the state, the ledger and a full-text index, laid out
for analysts' SQL (sqlite3, DB Browser, Datasette).

It is derived, never edited: each export builds a new file beside the old
one and renames it over, so a reader with the old file open keeps a whole
database and the next open sees the new one.
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from govlaw import records as records_mod
from govlaw.analysts.search import FTS_TABLE
from govlaw.extract.sections import MANDATED_PARTS

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


def _report_row(r: dict, government_code: str | None) -> tuple:
    missing = list(r.get("missing_parts") or [])
    present = sum(1 for p in MANDATED_PARTS if p not in missing)
    return (r["id"], r.get("title"), r.get("report_year"), r.get("publisher"), r.get("region_code"),
            r.get("admin_level"), r.get("publish_date"), r.get("signed_date"), r.get("doc_number"), r.get("url"),
            r.get("portal"), r.get("version"), r.get("first_seen"), r.get("last_seen"), int(bool(r.get("withdrawn"))),
            _json(missing), present, _json(records_mod.section_texts(r)), r.get("body"), government_code)


def write(path: Path, governments, reports, report_government: dict[str, str], versions, addresses,
          changes, ledger_rows: list[dict]) -> None:
    """Build the database at a temporary name beside `path`, then rename it over."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    for leftover in (tmp, Path(f"{tmp}-journal")):
        leftover.unlink(missing_ok=True)
    db = sqlite3.connect(str(tmp))
    # A file nobody reads until it is renamed into place: no journal, no
    # syncs while it is built; it is synced once, whole, before the rename.
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    try:
        with db:
            db.executescript(SCHEMA)
            db.executemany("INSERT INTO governments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(g.code, g.name, g.level, g.province, g.parent_code, g.portal, g.home_url, g.due)
                            for g in governments])
            db.executemany(f"INSERT INTO reports VALUES ({', '.join('?' * 20)})",
                           (_report_row(r, report_government.get(r["id"])) for r in reports))
            db.executemany("INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?, ?)", versions)
            db.executemany("INSERT INTO addresses VALUES (?, ?, ?)", addresses)
            db.executemany("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?)",
                           ((run_id, c.get("at"), c.get("id"), c.get("change"), c.get("title"), _json(c.get("diff")))
                            for run_id, c in changes))
            db.executemany(f"INSERT INTO ledger VALUES ({', '.join('?' * 13)})",
                           [(row["government_code"], row["government_name"], row["level"], row["province"],
                             row["year"], row["due_date"], row["status"], row["days_late"], row["report_id"],
                             row["report_url"], row["publish_date"], _json(row["missing_parts"]), row["reason"])
                            for row in ledger_rows])
            db.execute(FTS_TABLE)
            db.execute("INSERT INTO reports_fts (reports_fts) VALUES ('rebuild')")
            db.executescript(VIEWS)
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    db.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)

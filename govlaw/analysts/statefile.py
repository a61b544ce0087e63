"""What the analysts' exports read from the state, read-only.

The state's tables keep their meaning across versions of govlaw: `reports`
(one JSON record each), `versions`, `addresses`, `portal_runs` (one JSON
summary per portal and run), `changes` (one JSON line each) and `runs`. The
exports open the state's SQLite file on their own read-only connection, so
they can never change it, and they see what the last committed run left.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from govlaw.state.sqlite import unpack


@dataclass(frozen=True)
class PortalRun:
    """A portal's summary in the last run that crawled it."""
    portal: str
    run_id: str
    summary: dict

    @cached_property
    def crawled_on(self) -> dt.date | None:
        """The day of the run (run ids are UTC timestamps, 20250402T061500Z)."""
        try:
            return dt.datetime.strptime(self.run_id, "%Y%m%dT%H%M%SZ").date()
        except ValueError:
            return None


@contextmanager
def open_read_only(state_path: str | Path):
    path = Path(state_path)
    if not path.is_file():
        raise FileNotFoundError(f"no state file at {path}")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        # One read transaction for the whole export: a snapshot of the state,
        # even while a crawl commits portals to it.
        db.execute("BEGIN")
        yield db
    finally:
        db.close()


def reports(db, bodies: bool = True) -> list[dict]:
    """Every report's record; with its body when `bodies` (a national
    state's bodies are gigabytes: the ledger and the CSV do without them,
    and the database takes them one at a time from iter_reports)."""
    if bodies:
        return list(iter_reports(db))
    out = []
    for (record,) in db.execute("SELECT record FROM reports ORDER BY id"):
        record = json.loads(record)
        record.pop("body", None)
        out.append(record)
    return out


def iter_reports(db):
    """Every report's record with its body, one at a time: a record keeps
    it (older states), or its current version's row does."""
    for record, body in db.execute("SELECT r.record, v.body FROM reports r LEFT JOIN versions v"
                                   " ON v.id = r.id AND v.version = r.version ORDER BY r.id"):
        record = json.loads(record)
        if record.get("body") is None:
            record["body"] = unpack(body)
        yield record


def lean_reports(db):
    """Every report's record as stored, one at a time, without reading any
    body: what the ledger, the CSV and the exports' digests need."""
    for (record,) in db.execute("SELECT record FROM reports ORDER BY id"):
        yield json.loads(record)


def body(db, record: dict) -> str | None:
    """A report's current body: the record's own (older states), else its version's row."""
    if record.get("body") is not None:
        return record["body"]
    row = db.execute("SELECT body FROM versions WHERE id = ? AND version = ?",
                     (record["id"], record.get("version"))).fetchone()
    return unpack(row[0]) if row else None


def versions(db, report_id: str | None = None):
    """(report id, version, content hash, seen at, title, body) of every kept
    version, or of one report's."""
    sql = "SELECT id, version, content_hash, seen_at, title, body FROM versions"
    rows = (db.execute(f"{sql} ORDER BY id, version") if report_id is None
            else db.execute(f"{sql} WHERE id = ? ORDER BY version", (report_id,)))
    for rid, version, content_hash, seen_at, title, text in rows:
        yield rid, version, content_hash, seen_at, title, unpack(text)


def version_digests(db) -> dict[str, str]:
    """Report id → a digest of its kept versions (number, content hash, seen
    at, title), bodies left unread: what tells whether its versions changed."""
    out: dict[str, str] = {}
    current, digest = None, None
    for rid, version, content_hash, seen_at, title in db.execute(
            "SELECT id, version, content_hash, seen_at, title FROM versions ORDER BY id, version"):
        if rid != current:
            if current is not None:
                out[current] = digest.hexdigest()
            current, digest = rid, hashlib.sha1()
        digest.update(json.dumps([version, content_hash, seen_at, title], ensure_ascii=False).encode())
    if current is not None:
        out[current] = digest.hexdigest()
    return out


def addresses(db) -> list[tuple[str, str, str | None]]:
    """(report id, address key, portal) of every known address."""
    return list(db.execute("SELECT report_id, url, portal FROM addresses ORDER BY report_id, url"))


def changes(db):
    """Every change line, in run order."""
    for run_id, line in db.execute("SELECT run_id, line FROM changes ORDER BY run_id, seq"):
        yield run_id, json.loads(line)


def last_portal_runs(db) -> dict[str, PortalRun]:
    """Portal id → its summary in the newest run that crawled it."""
    out: dict[str, PortalRun] = {}
    for run_id, portal, summary in db.execute("SELECT run_id, portal, summary FROM portal_runs ORDER BY run_id"):
        try:
            out[portal] = PortalRun(portal, run_id, json.loads(summary))
        except ValueError:
            continue  # a damaged summary says nothing: the portal counts as not crawled in that run
    return out

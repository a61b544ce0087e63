"""SQLite state: one file under the output directory, no server.

A run's reports and its change lines are written in one transaction
(`commit_run`), so the state never describes changes the feed will not show,
and the feed files are re-derived from it after any crash.

Every version keeps its title and body (`versions`), so a correction can be
shown and undone; every address keeps the copy last read there, without its
text (`addresses.copy`), so the canonical copy is chosen again from all known
copies even when most of them only answered 304.

The long texts the state only reads back whole — the match key
(`reports.folded`) and each version's body (`versions.body`) — are stored
zlib-compressed, as BLOBs; a state written before keeps them as TEXT until
the row is rewritten. Both read back through `unpack`, which tells the two
apart by SQLite's storage class. The record stays JSON text (SQL reads
fields of it with json_extract).
"""
from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from govlaw.state.guard import SCHEMA_VERSION

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    report_year INTEGER,
    folded TEXT NOT NULL,  -- match key: NFKC, Simplified, no blanks or punctuation (zlib BLOB; TEXT before schema 3)
    signature BLOB,        -- MinHash of the match key's shingles
    shingles INTEGER,      -- how many distinct shingles the match key has
    record TEXT NOT NULL,
    withdrawn INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS versions (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    title TEXT,            -- the version's title and body; null in versions from before schema 2
    body TEXT,             -- zlib BLOB (TEXT before schema 3)
    PRIMARY KEY (id, version)
);
CREATE INDEX IF NOT EXISTS versions_hash ON versions (content_hash);
CREATE TABLE IF NOT EXISTS addresses (
    url TEXT PRIMARY KEY,  -- address key: canonical URL without scheme
    report_id TEXT NOT NULL,
    portal TEXT,
    copy TEXT              -- JSON: the copy last read here (metadata and content hash, no body)
);
CREATE INDEX IF NOT EXISTS addresses_report ON addresses (report_id);
CREATE TABLE IF NOT EXISTS pages (
    key TEXT PRIMARY KEY,  -- address key
    url TEXT NOT NULL,
    portal TEXT NOT NULL,
    kind TEXT NOT NULL,    -- document | listing
    etag TEXT,
    last_modified TEXT,
    outcome TEXT,
    data TEXT
);
CREATE INDEX IF NOT EXISTS pages_portal ON pages (portal);
CREATE TABLE IF NOT EXISTS portal_runs (
    run_id TEXT NOT NULL,
    portal TEXT NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (run_id, portal)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    exported INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS changes (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    report_id TEXT NOT NULL,
    change TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
"""

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


class SQLiteStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring an older state up to SCHEMA_VERSION in place. Columns are
        added, never dropped, and no row is rewritten: texts stored as TEXT
        stay so (unpack reads both), new rows are compressed."""
        (version,) = self.db.execute("PRAGMA user_version").fetchone()
        if version >= SCHEMA_VERSION:
            return
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            have = {r[1] for r in self.db.execute("PRAGMA table_info(versions)")}
            for column in ("title", "body"):
                if column not in have:
                    self.db.execute(f"ALTER TABLE versions ADD COLUMN {column} TEXT")
            if "copy" not in {r[1] for r in self.db.execute("PRAGMA table_info(addresses)")}:
                self.db.execute("ALTER TABLE addresses ADD COLUMN copy TEXT")
            # The current version's text is in its record; older versions' texts were never kept.
            current = "FROM reports r WHERE r.id = versions.id AND r.version = versions.version"
            self.db.execute(f"UPDATE versions SET title = (SELECT json_extract(r.record, '$.title') {current}),"
                            f" body = (SELECT json_extract(r.record, '$.body') {current})"
                            f" WHERE body IS NULL AND EXISTS (SELECT 1 {current})")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # identity ---------------------------------------------------------------
    def report_for_url(self, url: str) -> str | None:
        row = self.db.execute("SELECT report_id FROM addresses WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def report_for_hash(self, content_hash: str) -> str | None:
        row = self.db.execute("SELECT id FROM versions WHERE content_hash = ? ORDER BY version DESC LIMIT 1",
                              (content_hash,)).fetchone()
        return row[0] if row else None

    def signatures(self):
        """(id, report year, MinHash) of every known report with a text."""
        from govlaw.dedupe import stored_signature

        for rid, year, blob, count in self.db.execute(
                "SELECT id, report_year, signature, shingles FROM reports WHERE signature IS NOT NULL"):
            yield rid, year, stored_signature(blob), count

    def match_key_of(self, report_id: str) -> str | None:
        row = self.db.execute("SELECT folded FROM reports WHERE id = ?", (report_id,)).fetchone()
        return unpack(row[0]) if row else None

    # reports ----------------------------------------------------------------
    def get(self, report_id: str) -> dict | None:
        row = self.db.execute("SELECT record FROM reports WHERE id = ?", (report_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def active_report_ids(self) -> list[str]:
        """Reports not withdrawn."""
        return [rid for (rid,) in self.db.execute("SELECT id FROM reports WHERE withdrawn = 0 ORDER BY id")]

    def all_reports(self):
        for (record,) in self.db.execute("SELECT record FROM reports ORDER BY id"):
            yield json.loads(record)

    # runs -------------------------------------------------------------------
    def begin_run(self, run_id: str, started: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO runs (run_id, started) VALUES (?, ?)", (run_id, started))

    def pages_of(self, portal: str) -> dict:
        from govlaw.incremental import PageRecord

        out = {}
        for key, url, kind, etag, modified, outcome, data in self.db.execute(
                "SELECT key, url, kind, etag, last_modified, outcome, data FROM pages WHERE portal = ?", (portal,)):
            out[key] = PageRecord(url, portal, kind, etag, modified, outcome, json.loads(data) if data else None)
        return out

    def report_pages_of(self, portal: str) -> dict[str, tuple]:
        """Address key → (report year, publish date, last seen) of the report
        last read at each of a portal's pages that held one."""
        rows = self.db.execute(
            "SELECT p.key, r.report_year, json_extract(r.record, '$.publish_date'),"
            " json_extract(r.record, '$.last_seen') FROM pages p JOIN addresses a ON a.url = p.key"
            " JOIN reports r ON r.id = a.report_id"
            " WHERE p.portal = ? AND p.kind = 'document' AND p.outcome = 'report' AND r.withdrawn = 0", (portal,))
        return {key: (year, published, seen) for key, year, published, seen in rows}

    def addresses_of(self, report_id: str) -> list[tuple[str, str | None]]:
        return list(self.db.execute("SELECT url, portal FROM addresses WHERE report_id = ?", (report_id,)))

    def copies_of(self, report_id: str) -> list[tuple[str, str | None, dict | None, str | None]]:
        """(address key, portal, copy last read there or None, the page's last outcome) of every address."""
        rows = self.db.execute("SELECT a.url, a.portal, a.copy, p.outcome FROM addresses a LEFT JOIN pages p"
                               " ON p.key = a.url WHERE a.report_id = ? ORDER BY a.url", (report_id,))
        return [(key, portal, json.loads(copy) if copy else None, outcome) for key, portal, copy, outcome in rows]

    def versions_of(self, report_id: str) -> list[dict]:
        """Every version of a report, oldest first, with its text (None for
        versions stored before texts were kept)."""
        rows = self.db.execute("SELECT version, content_hash, seen_at, title, body FROM versions WHERE id = ?"
                               " ORDER BY version", (report_id,))
        return [{"version": version, "content_hash": content_hash, "seen_at": seen_at, "title": title,
                 "body": unpack(body)} for version, content_hash, seen_at, title, body in rows]

    def report_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the whole state, taken with SQLite's backup
        API (safe while this connection is open)."""
        dest = sqlite3.connect(str(target))
        try:
            self.db.backup(dest)
        finally:
            dest.close()

    def reports_on_portal(self, portal: str) -> int:
        row = self.db.execute("SELECT COUNT(DISTINCT report_id) FROM addresses WHERE portal = ?", (portal,)).fetchone()
        return row[0]

    def commit_run(self, run_id, records, changes, finished, pages=(), addresses=(), summaries=None) -> None:
        """Everything a run learned, in one transaction: its records, its
        change lines, the pages' validators and the portals' summaries."""
        from govlaw.dedupe import match_key, shingles, signature

        with self.db:  # one transaction
            self.db.execute("BEGIN IMMEDIATE")
            from govlaw.dedupe import address_key

            for rec in records:
                row = self.db.execute("SELECT content_hash FROM reports WHERE id = ?", (rec["id"],)).fetchone()
                record_json = json.dumps(rec, ensure_ascii=False, sort_keys=True)
                if row and row[0] == rec["content_hash"]:
                    # Same text: its match key and MinHash stand; only the record moves
                    # (last_seen, addresses, withdrawn) — no rehashing of every known report.
                    self.db.execute("UPDATE reports SET record = ?, withdrawn = ? WHERE id = ?",
                                    (record_json, int(bool(rec.get("withdrawn"))), rec["id"]))
                else:
                    key = match_key(rec["body"])
                    sig = signature(key).hashvalues.astype("uint32").tobytes() if key else None
                    self.db.execute(
                        "INSERT INTO reports (id, version, content_hash, report_year, folded, signature, shingles,"
                        " record, withdrawn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                        " version=excluded.version, content_hash=excluded.content_hash,"
                        " report_year=excluded.report_year, folded=excluded.folded, signature=excluded.signature,"
                        " shingles=excluded.shingles, record=excluded.record, withdrawn=excluded.withdrawn",
                        (rec["id"], rec["version"], rec["content_hash"], rec.get("report_year"), pack(key), sig,
                         len(shingles(key)) if key else None, record_json, int(bool(rec.get("withdrawn")))))
                self.db.execute("INSERT OR IGNORE INTO versions (id, version, content_hash, seen_at, title, body)"
                                " VALUES (?, ?, ?, ?, ?, ?)", (rec["id"], rec["version"], rec["content_hash"],
                                                               rec["last_seen"], rec.get("title"), pack(rec.get("body"))))
                for url in rec["urls"]:
                    self.db.execute("INSERT INTO addresses (url, report_id) VALUES (?, ?) ON CONFLICT(url)"
                                    " DO UPDATE SET report_id = excluded.report_id", (address_key(url), rec["id"]))
            for key, report_id, portal, *copy in addresses:
                # (key, report id, portal[, copy]): the copy as read this run, without its text.
                copy_json = json.dumps(copy[0], ensure_ascii=False, sort_keys=True) if copy and copy[0] else None
                self.db.execute("UPDATE addresses SET portal = ?, copy = COALESCE(?, copy) WHERE url = ? AND report_id = ?",
                                (portal, copy_json, key, report_id))
            for page in pages:
                self.db.execute(
                    "INSERT OR REPLACE INTO pages (key, url, portal, kind, etag, last_modified, outcome, data)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (page.key, page.url, page.portal, page.kind, page.etag, page.last_modified, page.outcome,
                     json.dumps(page.data, ensure_ascii=False) if page.data is not None else None))
            for portal, summary in (summaries or {}).items():
                self.db.execute("INSERT OR REPLACE INTO portal_runs (run_id, portal, summary) VALUES (?, ?, ?)",
                                (run_id, portal, json.dumps(summary, ensure_ascii=False, sort_keys=True)))
            for seq, change in enumerate(changes):
                self.db.execute("INSERT INTO changes (run_id, seq, report_id, change, line) VALUES (?, ?, ?, ?, ?)",
                                (run_id, seq, change["id"], change["change"],
                                 json.dumps(change, ensure_ascii=False, sort_keys=True)))
            self.db.execute("UPDATE runs SET finished = ? WHERE run_id = ?", (finished, run_id))

    def later_run(self, run_id: str) -> bool:
        """Is there a run with this id or a later one?"""
        return self.db.execute("SELECT 1 FROM runs WHERE run_id >= ?", (run_id,)).fetchone() is not None

    def unexported_runs(self) -> list[str]:
        return [r for (r,) in self.db.execute(
            "SELECT run_id FROM runs WHERE finished IS NOT NULL AND exported = 0 ORDER BY run_id")]

    def changes_of(self, run_id: str) -> list[dict]:
        return [json.loads(line) for (line,) in self.db.execute(
            "SELECT line FROM changes WHERE run_id = ? ORDER BY seq", (run_id,))]

    def recent_changes(self, limit: int) -> list[dict]:
        rows = self.db.execute("SELECT line FROM changes ORDER BY run_id DESC, seq DESC LIMIT ?", (limit,))
        return [json.loads(line) for (line,) in rows]

    def mark_exported(self, run_id: str) -> None:
        self.db.execute("UPDATE runs SET exported = 1 WHERE run_id = ?", (run_id,))

    def close(self) -> None:
        self.db.close()

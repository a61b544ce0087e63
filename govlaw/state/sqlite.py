"""SQLite state: one file under the output directory, no server.

A run's reports and its change lines are written in one transaction
(`commit_run`), so the state never describes changes the feed will not show,
and the feed files are re-derived from it after any crash.

Every version keeps its title and body (`versions`), so a correction can be
shown and undone; every address keeps the copy last read there, without its
text (`addresses.copy`), so the canonical copy is chosen again from all known
copies even when most of them only answered 304.

A report's body is stored once, in its current version's row; the record
(JSON) holds everything else. A record written before schema 4 still holds
its body and is read as it is.

The long texts the state only reads back whole — the match key
(`reports.folded`) and each version's body (`versions.body`) — are stored
zlib-compressed, as BLOBs; a state written before keeps them as TEXT until
the row is rewritten. Both read back through `unpack`, which tells the two
apart by SQLite's storage class. The record stays JSON text (SQL reads
fields of it with json_extract).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from govlaw.state.guard import SCHEMA_VERSION
from govlaw.state.sql import SQLStore

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
CREATE INDEX IF NOT EXISTS changes_report ON changes (run_id, report_id);
-- Near-duplicate candidates: MinHash LSH bands of every report with a text,
-- looked up on disk instead of rebuilt in memory at every start.
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL,
    hash INTEGER NOT NULL,
    report_id TEXT NOT NULL,
    year INTEGER
);
CREATE INDEX IF NOT EXISTS bands_hash ON bands (hash);
CREATE INDEX IF NOT EXISTS bands_report ON bands (report_id);
-- What a run could judge about each address of a known report, portal by
-- portal: present (read or 304), gone (404/410), absent (missing from a
-- listing walked to its end). Withdrawals are judged from it at the run's end.
CREATE TABLE IF NOT EXISTS verdicts (
    run_id TEXT NOT NULL,
    url TEXT NOT NULL,
    verdict TEXT NOT NULL,
    PRIMARY KEY (run_id, url)
);
-- Responses of portals not yet committed, kept in small batches so that a
-- killed run's successor replays them instead of fetching them again.
CREATE TABLE IF NOT EXISTS fetched (
    run_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    portal TEXT NOT NULL,
    response BLOB NOT NULL,
    PRIMARY KEY (run_id, fingerprint)
);
CREATE INDEX IF NOT EXISTS fetched_portal ON fetched (run_id, portal);
"""

from govlaw.state.packing import pack, unpack  # noqa: E402,F401  (re-exported)


class SQLiteStore(SQLStore):
    """The state in one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        # Portal commits and kept responses are synced by the operating system
        # in its own time (WAL with synchronous=NORMAL: a killed process loses
        # nothing committed, a power cut at most the last commits, never the
        # file's integrity); the run's end is synced to the disk (finish_run),
        # before the marker that says the run is in the state is written.
        self.db.execute("PRAGMA synchronous=NORMAL")
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
            if version < 4:
                self._index_all_bands()
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def finish_run(self, *args, **kwargs) -> None:
        self.db.execute("PRAGMA synchronous=FULL")
        try:
            super().finish_run(*args, **kwargs)
        finally:
            self.db.execute("PRAGMA synchronous=NORMAL")

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the whole state, taken with SQLite's backup
        API (safe while this connection is open)."""
        dest = sqlite3.connect(str(target))
        try:
            self.db.backup(dest)
        finally:
            dest.close()

    def close(self) -> None:
        self.db.close()


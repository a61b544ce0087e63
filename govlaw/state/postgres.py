"""The state in PostgreSQL: GOVLAW_STATE_URL=postgresql://user@host:port/db.

The same statements as the SQLite state (govlaw.state.sql and its mixins),
translated here, as they are executed, from SQLite's dialect to
PostgreSQL's: `?` placeholders, INSERT OR IGNORE / OR REPLACE as
ON CONFLICT, json_extract as jsonb. So the two backends cannot drift apart:
one set of statements, one contract test suite (tests/test_state_contract.py).
"""
from __future__ import annotations

import contextlib
import logging
import re

from govlaw.state.sql import SQLStore

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, content_hash TEXT NOT NULL, report_year INTEGER,
    folded BYTEA NOT NULL, signature BYTEA, shingles INTEGER, record TEXT NOT NULL,
    withdrawn INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS versions (
    id TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL, seen_at TEXT NOT NULL,
    title TEXT, body BYTEA, PRIMARY KEY (id, version));
CREATE INDEX IF NOT EXISTS versions_hash ON versions (content_hash);
CREATE TABLE IF NOT EXISTS addresses (url TEXT PRIMARY KEY, report_id TEXT NOT NULL, portal TEXT, copy TEXT);
CREATE INDEX IF NOT EXISTS addresses_report ON addresses (report_id);
CREATE INDEX IF NOT EXISTS addresses_portal ON addresses (portal);
CREATE TABLE IF NOT EXISTS pages (
    key TEXT PRIMARY KEY, url TEXT NOT NULL, portal TEXT NOT NULL, kind TEXT NOT NULL, etag TEXT,
    last_modified TEXT, outcome TEXT, data TEXT);
CREATE INDEX IF NOT EXISTS pages_portal ON pages (portal);
CREATE TABLE IF NOT EXISTS portal_runs (run_id TEXT NOT NULL, portal TEXT NOT NULL, summary TEXT NOT NULL,
    PRIMARY KEY (run_id, portal));
CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT,
    exported INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS changes (run_id TEXT NOT NULL, seq INTEGER NOT NULL, report_id TEXT NOT NULL,
    change TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE INDEX IF NOT EXISTS changes_report ON changes (run_id, report_id);
CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, hash BIGINT NOT NULL, report_id TEXT NOT NULL,
    year INTEGER);
CREATE INDEX IF NOT EXISTS bands_hash ON bands (hash);
CREATE INDEX IF NOT EXISTS bands_report ON bands (report_id);
CREATE TABLE IF NOT EXISTS verdicts (run_id TEXT NOT NULL, url TEXT NOT NULL, verdict TEXT NOT NULL,
    PRIMARY KEY (run_id, url));
CREATE TABLE IF NOT EXISTS fetched (run_id TEXT NOT NULL, fingerprint TEXT NOT NULL, portal TEXT NOT NULL,
    response BYTEA NOT NULL, PRIMARY KEY (run_id, fingerprint));
CREATE INDEX IF NOT EXISTS fetched_portal ON fetched (run_id, portal);
"""

# The conflict target of each table an INSERT OR REPLACE / OR IGNORE writes.
_KEYS = {"reports": ["id"], "versions": ["id", "version"], "addresses": ["url"], "pages": ["key"],
         "portal_runs": ["run_id", "portal"], "runs": ["run_id"], "verdicts": ["run_id", "url"],
         "fetched": ["run_id", "fingerprint"]}
_INSERT_OR = re.compile(r"^\s*INSERT OR (IGNORE|REPLACE) INTO (\w+) \(([^)]*)\)(.*)$", re.S)
_JSON = re.compile(r"json_extract\(([\w.]+), '\$\.(\w+)'\)")


def translate(sql: str) -> str:
    """One statement of SQLite's dialect, as PostgreSQL reads it."""
    if sql.strip() == "BEGIN IMMEDIATE":
        return "BEGIN"
    m = _INSERT_OR.match(sql)
    if m:
        how, table, columns, rest = m.groups()
        keys = _KEYS[table]
        cols = [c.strip() for c in columns.split(",")]
        if how == "IGNORE":
            tail = f" ON CONFLICT ({', '.join(keys)}) DO NOTHING"
        else:
            tail = (f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
                    + ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys))
        sql = f"INSERT INTO {table} ({columns}){rest}{tail}"
    sql = _JSON.sub(lambda m: f"({m.group(1)}::jsonb ->> '{m.group(2)}')", sql)
    return sql.replace("?", "%s")


class _Connection:
    """A psycopg connection behind the small part of sqlite3's interface the
    state uses: execute / executemany returning a cursor, and `with db:`
    as one transaction (begun by the statement BEGIN IMMEDIATE).

    A connection the server dropped (a restart, a failover, an idle
    timeout) is opened again: a statement outside a transaction is retried
    once on the new connection; one inside a transaction fails with it, and
    its caller retries the whole transaction (a portal's commit is retried
    on the next round, govlaw.closing / pipelines.feed). So does any
    statement while the session holds the commit lock (`pinned`): the lock
    went with the dropped session, and what a new session read or wrote
    would be unguarded against another worker's commit."""

    def __init__(self, dsn: str):
        self.dsn = dsn
        self.conn = self._connect()
        self.in_transaction = False
        self.pinned = False

    def _connect(self):
        import psycopg

        return psycopg.connect(self.dsn, autocommit=True)

    def _run(self, call):
        import psycopg

        try:
            return call(self.conn.cursor())
        except psycopg.OperationalError:
            if self.in_transaction or self.pinned or not self.conn.closed and self.conn.info.status == 0:
                raise  # inside a transaction or the lock, or the statement itself failed on a healthy connection
            logger.warning("the state's PostgreSQL connection was lost; connecting again")
            self.conn = self._connect()
            return call(self.conn.cursor())

    def execute(self, sql: str, params=()):
        statement = translate(sql)
        if statement == "BEGIN":
            cur = self._run(lambda c: c.execute(statement))
            self.in_transaction = True
            return cur
        return self._run(lambda c: c.execute(statement, tuple(params)) and c)

    def executemany(self, sql: str, rows):
        rows = [tuple(r) for r in rows]
        statement = translate(sql)

        def many(cur):
            if rows:
                cur.executemany(statement, rows)
            return cur
        return self._run(many)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        was, self.in_transaction = self.in_transaction, False
        if was and not self.conn.closed:
            try:
                self.conn.execute("ROLLBACK" if kind else "COMMIT")
            except Exception:
                if kind is None:
                    raise  # the COMMIT itself failed: the caller must not think it done
        return False

    def close(self):
        self.conn.close()


class PostgresStore(SQLStore):
    """The state in a PostgreSQL database that several processes share."""

    def __init__(self, dsn: str):
        self.dsn = dsn
        self.db = _Connection(dsn)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            # One creator at a time when several workers start together.
            self.db.execute("SELECT pg_advisory_xact_lock(7301)")
            for statement in filter(str.strip, SCHEMA.split(";")):
                self.db.execute(statement)

    @contextlib.contextmanager
    def exclusive(self):
        """Workers commit one at a time: a commit reads the reports it
        merges and writes them back, and two workers may hold copies of one
        report. A session-level advisory lock, held around the whole commit."""
        self.db.execute("SELECT pg_advisory_lock(7302)")
        self.db.pinned = True    # the lock is this session's: no silent reconnection while it is held
        try:
            yield
        finally:
            self.db.pinned = False
            self.db.execute("SELECT pg_advisory_unlock(7302)")

    def backup(self, target) -> None:
        """A server's backups are its operator's (pg_dump, base backups):
        no file copy is taken of a shared database."""
        raise NotImplementedError("back up a PostgreSQL state with pg_dump")

    def close(self) -> None:
        self.db.close()

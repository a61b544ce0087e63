"""A crawl keeps its state in PostgreSQL by one setting, and writes the same
feed as a crawl with the SQLite state."""
from __future__ import annotations

import json

import psycopg

from govlaw.feed import without_run_times
from tests.conftest import crawl
from tests.servers import new_database


def test_the_demo_crawled_with_a_postgresql_state_gives_the_sqlite_feed(demo_sources, demo_crawl, postgres, tmp_path):
    url = new_database(postgres, "demo_feed")
    out = tmp_path / "pg"
    result = crawl(demo_sources, out, "-s", f"GOVLAW_STATE_URL={url}")
    assert result.returncode == 0, result.stderr[-3000:]
    sqlite_output, _ = demo_crawl
    assert without_run_times(out) == without_run_times(sqlite_output)
    assert not (out / "state.sqlite").exists()
    with psycopg.connect(url) as db:
        (reports,) = db.execute("SELECT COUNT(*) FROM reports").fetchone()
        (finished,) = db.execute("SELECT COUNT(*) FROM runs WHERE finished IS NOT NULL").fetchone()
    assert (reports, finished) == (len(without_run_times(out)[0]), 1)
    # The analysts' exports read the PostgreSQL state as they read a file.
    import sqlite3

    def analysts_rows(output):
        db = sqlite3.connect(output / "govlaw.db")
        try:
            return (db.execute("SELECT id, title, body FROM reports ORDER BY id").fetchall(),
                    db.execute("SELECT government_code, year, status FROM ledger ORDER BY 1, 2").fetchall())
        finally:
            db.close()
    assert analysts_rows(out) == analysts_rows(sqlite_output)
    # A second run against the same database knows every report: nothing new.
    again = crawl(demo_sources, out, "-s", f"GOVLAW_STATE_URL={url}")
    assert again.returncode == 0, again.stderr[-3000:]
    last = sorted((out / "changes").glob("*.jsonl"))[-1]
    assert [json.loads(x)["change"] for x in last.read_text(encoding="utf-8").splitlines()] == []


def test_a_database_that_cannot_be_reached_is_one_line(demo_sources, tmp_path):
    from tests.servers import free_port

    url = f"postgresql://govlaw@127.0.0.1:{free_port()}/nowhere"
    result = crawl(demo_sources, tmp_path / "out", "-s", f"GOVLAW_STATE_URL={url}")
    assert result.returncode == 2, result.stderr[-2000:]
    lines = [x for x in result.stderr.splitlines() if x.startswith("govlaw:")]
    assert len(lines) == 1 and f"state database {url} cannot be opened" in lines[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_govlaw_export_writes_the_feed_from_a_postgresql_state(demo_sources, postgres, tmp_path):
    import subprocess
    import sys

    url = new_database(postgres, "demo_export")
    crawled = tmp_path / "crawled"
    result = crawl(demo_sources, crawled, "-s", f"GOVLAW_STATE_URL={url}")
    assert result.returncode == 0, result.stderr[-3000:]
    exported = tmp_path / "exported"
    out = subprocess.run([sys.executable, "-m", "govlaw.cli", "export", "-s", f"GOVLAW_STATE_URL={url}",
                          "-s", f"GOVLAW_OUTPUT_DIR={exported}"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (exported / "reports.jsonl").read_bytes() == (crawled / "reports.jsonl").read_bytes()
    reports = len(without_run_times(crawled)[0])
    assert out.stdout.startswith(f"wrote the feed of {reports} reports to {exported}")


def test_a_connection_dropped_under_the_commit_lock_is_not_silently_replaced(postgres):
    """The commit lock is the session's: when the server drops the session,
    work under the lock fails (to be tried again) rather than going on, on a
    new session, unguarded; outside the lock the store reconnects."""
    import pytest

    from govlaw.state.postgres import PostgresStore

    url = new_database(postgres, "pinned")
    store = PostgresStore(url)

    def drop_sessions():
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = 'pinned' AND pid <> pg_backend_pid()")

    try:
        with pytest.raises(psycopg.OperationalError):
            with store.exclusive():
                drop_sessions()
                store.db.execute("SELECT COUNT(*) FROM reports")
        # The lock went with the session: another session takes it at once.
        with psycopg.connect(url, autocommit=True) as other:
            assert other.execute("SELECT pg_try_advisory_lock(7302)").fetchone() == (True,)
            other.execute("SELECT pg_advisory_unlock(7302)")
        drop_sessions()
        assert store.db.execute("SELECT COUNT(*) FROM reports").fetchone() == (0,)   # outside the lock: again
        with store.exclusive():
            assert store.db.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
    finally:
        store.db.close()

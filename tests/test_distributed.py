"""Several workers over one run: portals leased from a real Redis server,
the state in a real PostgreSQL server (both private, started by the tests),
the feed written by `govlaw export` — the same feed as one process gives."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis as redis_client

from govlaw.feed import without_run_times
from tests.conftest import FAST, ROOT
from tests.servers import new_database


@pytest.fixture(scope="module")
def redis_url(redis):
    return redis[0]


def _govlaw(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govlaw.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def _worker(settings: list[str], output) -> subprocess.Popen:
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings")
    return subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "reports", *FAST, *settings,
                             "-s", f"GOVLAW_OUTPUT_DIR={output}", "-s", "GOVLAW_REVALIDATE_OLD_DAYS=0"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for_lease(settings, pid: int | None = None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = _govlaw("status", *settings[:4]).stdout
        if (f":{pid} for" if pid else " for ") in status:
            return
        time.sleep(0.05)
    raise AssertionError("no lease taken within a minute")


def _run(demo_sources, tmp_path, postgres, redis_url, name: str, workers: int, kill_one: bool = False,
         restart=None, drop_connections: bool = False):
    state = new_database(postgres, name)
    settings = ["-s", f"GOVLAW_REDIS_URL={redis_url}", "-s", f"GOVLAW_REDIS_PREFIX={name}",
                "-s", f"GOVLAW_STATE_URL={state}", "-s", "GOVLAW_LEASE_SECONDS=3", "-s", "GOVLAW_OPEN_PORTALS=1"]
    queued = _govlaw("queue", "-a", f"sources={demo_sources}", *settings)
    assert queued.returncode == 0, queued.stderr
    procs = [_worker(settings, tmp_path / f"{name}-w{i}") for i in range(workers)]
    if kill_one:
        # Kill the first worker as soon as it holds a lease, before its portal is committed.
        _wait_for_lease(settings, procs[0].pid)
        os.killpg(procs[0].pid, signal.SIGKILL)
    if restart is not None:
        _wait_for_lease(settings)
        restart()  # Redis stops and starts again from its append-only file
    if drop_connections:
        _wait_for_lease(settings)
        for _ in range(3):  # the workers' connections to the state, cut by the server, three times over
            with psycopg.connect(postgres, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                              " WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            time.sleep(0.5)
    logs = []
    for i, proc in enumerate(procs):
        _, err = proc.communicate(timeout=300)
        if kill_one and i == 0:
            assert proc.returncode == -signal.SIGKILL
        else:
            assert proc.returncode == 0, err[-3000:]
            logs.append(err)
    # Every request went through scrapy-redis' queues and duplicate filters,
    # one per portal, and a finished run leaves none of them in Redis.
    assert all("'scheduler/enqueued/redis':" in log for log in logs)
    assert list(redis_client.Redis.from_url(redis_url).scan_iter(f"{name}:portal:*")) == []
    _run.logs = logs
    out = tmp_path / f"{name}-feed"
    exported = _govlaw("export", "-s", f"GOVLAW_STATE_URL={state}", "-s", f"GOVLAW_OUTPUT_DIR={out}")
    assert exported.returncode == 0, exported.stderr
    status = _govlaw("status", *settings[:4])
    return out, state, status.stdout


def _stat(log: str, name: str) -> int:
    import re

    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    assert found, f"no {name} in the crawl's stats"
    return int(found.group(1))


def assert_same_feed(out: Path, single: Path) -> None:
    """The feed of `out` equals the single process's (run times aside); when
    it does not, the message names the reports and the fields that differ."""
    ours, theirs = without_run_times(out), without_run_times(single)
    if ours == theirs:
        return
    problems = []
    for kind, mine, expected in (("record", ours[0], theirs[0]), ("change line", ours[1], theirs[1])):
        if len(mine) != len(expected):
            problems.append(f"{len(mine)} {kind}s, not {len(expected)}: "
                            f"{sorted(r.get('id') for r in mine)} vs {sorted(r.get('id') for r in expected)}")
        for a, b in zip(mine, expected):
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    problems.append(f"{kind} {a.get('id')}/{b.get('id')} {key}: {str(a.get(key))[:160]!r} "
                                    f"vs {str(b.get(key))[:160]!r}")
    raise AssertionError("feeds differ: " + "; ".join(problems[:12]))


def test_one_and_two_workers_give_the_single_process_feed(demo_sources, demo_crawl, postgres, redis_url, tmp_path):
    single, _ = demo_crawl
    one, _, _ = _run(demo_sources, tmp_path, postgres, redis_url, "one", 1)
    (log,) = _run.logs
    two, state, status = _run(demo_sources, tmp_path, postgres, redis_url, "two", 2)
    assert_same_feed(one, single)
    # The same requests as the single process's, every one through Redis.
    for stat in ("enqueued", "dequeued"):
        assert _stat(log, f"scheduler/{stat}/redis") == _stat(demo_crawl[1].stderr, f"scheduler/{stat}")
    assert_same_feed(two, single)
    assert status.startswith("run ") and ": 0 queued, 0 leased, " in status.splitlines()[0]
    with psycopg.connect(state) as db:
        runs = db.execute("SELECT COUNT(*), COUNT(finished) FROM runs").fetchone()
        portals = db.execute("SELECT COUNT(DISTINCT portal) FROM portal_runs").fetchone()[0]
    assert runs == (1, 1)                      # one run, finished once, by the last worker
    assert portals == len(json.loads((single / "runs" / next(
        p.name for p in (single / "runs").iterdir())).read_text())["portals"])


def test_a_killed_worker_loses_and_duplicates_nothing(demo_sources, demo_crawl, postgres, redis_url, tmp_path):
    single, _ = demo_crawl
    out, state, status = _run(demo_sources, tmp_path, postgres, redis_url, "kill", 2, kill_one=True)
    assert_same_feed(out, single)
    with psycopg.connect(state) as db:
        (dupes,) = db.execute("SELECT COUNT(*) FROM (SELECT run_id, report_id FROM changes"
                              " GROUP BY run_id, report_id HAVING COUNT(*) > 1) d").fetchone()
        (finished,) = db.execute("SELECT COUNT(finished) FROM runs").fetchone()
    assert (dupes, finished) == (0, 1)


def test_a_redis_restart_mid_crawl_is_survived(demo_sources, demo_crawl, postgres, redis, tmp_path):
    single, _ = demo_crawl
    url, restart = redis
    out, state, status = _run(demo_sources, tmp_path, postgres, url, "restart", 2, restart=restart)
    assert_same_feed(out, single)
    assert ": 0 queued, 0 leased, " in status.splitlines()[0]


def test_dropped_postgresql_connections_are_survived(demo_sources, demo_crawl, postgres, redis_url, tmp_path):
    single, _ = demo_crawl
    out, state, status = _run(demo_sources, tmp_path, postgres, redis_url, "dropped", 2, drop_connections=True)
    assert_same_feed(out, single)
    assert ": 0 queued, 0 leased, " in status.splitlines()[0]

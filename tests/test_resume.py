"""A crawl killed with SIGKILL keeps every portal it committed, and the next
run resumes it: it fetches again little of what the killed run fetched, and
the feed ends as an uninterrupted run's.

The portals are a farm of realistic demo portals on loopback, each its own
host name (benchmarks/farm.py), crawled by the real `scrapy crawl` in its
own process, as cron runs it."""
from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from govlaw.feed import without_run_times

ROOT = Path(__file__).resolve().parent.parent
N = 24


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    shim = tmp_path_factory.mktemp("shim")  # farm.py alone on the crawl's path, for its resolver
    (shim / "farm.py").symlink_to(ROOT / "benchmarks" / "farm.py")
    spec = importlib.util.spec_from_file_location("farm", shim / "farm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["farm"] = module
    spec.loader.exec_module(module)
    with module.FarmServer(N) as server:
        sources = shim / "sources.yaml"
        sources.write_text(yaml.safe_dump([server.farm.source(k) for k in range(N)], allow_unicode=True),
                           encoding="utf-8")
        yield server, sources, shim


def _cmd(sources: Path, output: Path) -> list[str]:
    from scrapy.settings import default_settings
    resolver = "TWISTED_DNS_RESOLVER" if hasattr(default_settings, "TWISTED_DNS_RESOLVER") else "DNS_RESOLVER"
    return [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sources={sources}",
            "-s", f"GOVLAW_OUTPUT_DIR={output}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
            "-s", "CONCURRENT_REQUESTS=4", "-s", "GOVLAW_COMMIT_INTERVAL=0.2", "-s", "GOVLAW_JOURNAL_INTERVAL=0.2",
            "-s", "GOVLAW_JOURNAL_BATCH=4", "-s", "GOVLAW_OPEN_PORTALS=3", "-s", f"{resolver}=farm.FarmResolver",
            "-s", "LOG_LEVEL=INFO"]


def _env(shim: Path) -> dict:
    return dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings",
                PYTHONPATH=os.pathsep.join([str(shim), str(ROOT)]))


def _crawl(server, sources, shim, output, kill_after: int | None = None) -> list[tuple]:
    """One crawl; killed with SIGKILL once the farm has answered `kill_after`
    requests. Returns what the farm served to it."""
    server.reset()
    proc = subprocess.Popen(_cmd(sources, output), cwd=ROOT, env=_env(shim), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    if kill_after is None:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
    else:
        deadline = time.monotonic() + 600
        while server.requests < kill_after and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
    return list(server.served)


def test_a_killed_crawl_is_resumed_without_fetching_again(farm, tmp_path):
    server, sources, shim = farm
    whole = _crawl(server, sources, shim, tmp_path / "whole")
    pages = [s for s in whole if not s[1].endswith("/robots.txt")]

    killed_out = tmp_path / "killed"
    killed = _crawl(server, sources, shim, killed_out, kill_after=len(whole) // 2)
    db = sqlite3.connect(killed_out / "state.sqlite")
    (run_id, finished), = db.execute("SELECT run_id, finished FROM runs").fetchall()
    committed = db.execute("SELECT COUNT(*) FROM portal_runs WHERE run_id = ?", (run_id,)).fetchone()[0]
    kept = db.execute("SELECT COUNT(*) FROM fetched WHERE run_id = ?", (run_id,)).fetchone()[0]
    db.close()
    assert finished is None                 # killed before its end
    assert 0 < committed < N                # some portals committed, some not
    assert kept > 0                         # responses of unfinished portals kept for the next run

    resumed = _crawl(server, sources, shim, killed_out)
    before = {(k, asked) for k, asked, _ in killed if not asked.endswith("/robots.txt")}
    again = [s for s in resumed if (s[0], s[1]) in before]
    assert len(again) <= 0.10 * len(before), (len(again), len(before))
    # Nothing is missed either: every page is fetched by one run or the other.
    assert {(k, a) for k, a, _ in pages} <= before | {(k, a) for k, a, _ in resumed}

    assert without_run_times(killed_out) == without_run_times(tmp_path / "whole")
    summary = json.loads((killed_out / "runs" / f"{run_id}.json").read_text(encoding="utf-8"))
    assert summary["run_id"] == run_id      # the resumed run carries the killed run's id
    assert len(summary["portals"]) == N
    assert summary["changes"]["new"] == len(without_run_times(tmp_path / "whole")[0])
    assert [p.name for p in (killed_out / "runs").iterdir()] == [f"{run_id}.json"]

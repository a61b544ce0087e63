"""Shared fixtures: the demo portals on loopback and a real crawl of them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from govlaw.demo.server import DemoPortals

ROOT = Path(__file__).resolve().parent.parent
# Loopback portals need no politeness delay.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO"]
# The demo's reports are years old: re-runs here revalidate every known report
# unless a test asks for the cadence (a later -s GOVLAW_REVALIDATE_OLD_DAYS wins).
EVERY_REPORT = ["-s", "GOVLAW_REVALIDATE_OLD_DAYS=0"]


def crawl(sources: Path, output: Path, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real `scrapy crawl reports`, in its own process, as cron would run it."""
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings")
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sources={sources}",
           "-s", f"GOVLAW_OUTPUT_DIR={output}", *FAST, *EVERY_REPORT, *extra]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def demo():
    with DemoPortals() as portals:
        yield portals


@pytest.fixture(scope="session")
def demo_sources(demo, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sources") / "demo-sources.yaml"
    demo.write_sources(path)
    return path


@pytest.fixture(scope="session")
def demo_crawl(demo_sources, tmp_path_factory):
    """One crawl of the demo portals into a fresh output directory."""
    output = tmp_path_factory.mktemp("output")
    result = crawl(demo_sources, output)
    assert result.returncode == 0, result.stderr[-3000:]
    return output, result


@pytest.fixture(scope="session")
def postgres():
    """The URL of a private PostgreSQL server for the session (tests/servers.py)."""
    from tests.servers import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis():
    """(URL, restart) of a private Redis server with an append-only file (tests/servers.py)."""
    from tests.servers import redis_server

    with redis_server(appendonly=True) as server:
        yield server

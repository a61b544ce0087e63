"""Pages read in worker processes (govlaw.extract.pool): the same reports as
read in the crawling process; a worker killed mid-reading costs one log line
and no report; a reading that kills its process, or outlasts its limit,
rejects that page alone."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from conftest import EVERY_REPORT, FAST, ROOT, read_jsonl
from govlaw.demo.catalog import load_documents
from govlaw.demo.reposter import RepostPortal, oversized_page
from govlaw.extract import Hints
from govlaw.extract.page import extract_html
from govlaw.extract.pool import ExtractionPool, ReadingFailed
from govlaw.extract.reading import read_document
from govlaw.demo.server import DemoPortals
from conftest import crawl

# What differs between two crawls of the same pages: when, and which run.
_WHEN = {"first_seen", "last_seen", "history"}


def _records(output):
    return sorted(({k: v for k, v in r.items() if k not in _WHEN} for r in read_jsonl(output / "reports.jsonl")),
                  key=lambda r: r["id"])


def _stat(log: str, name: str):
    """A stat from the dump Scrapy logs when the crawl ends."""
    line = next((l for l in log.splitlines() if f"'{name}':" in l), None)
    return None if line is None else float(line.split(":", 1)[1].strip().rstrip(",}"))


def test_workers_give_the_same_reports_as_reading_in_process(demo_sources, tmp_path):
    """The demo has it all: pages, split articles, PDF/DOCX/OFD attachments, files as entries."""
    pooled, inline = tmp_path / "pooled", tmp_path / "inline"
    a = crawl(demo_sources, pooled, "-s", "GOVLAW_EXTRACT_WORKERS=2")
    b = crawl(demo_sources, inline, "-s", "GOVLAW_EXTRACT_WORKERS=0")
    assert a.returncode == b.returncode == 0, (a.stderr + b.stderr)[-3000:]
    assert "reading pages in 2 worker processes" in a.stderr
    assert _stat(b.stderr, "govlaw/extract/readings") is None  # read in the crawling process: no worker
    records = _records(pooled)
    assert len(records) >= 10
    # Every report page, split part and attachment was read by a worker, look-alikes too.
    assert _stat(a.stderr, "govlaw/extract/readings") > len(records)
    assert _stat(a.stderr, "govlaw/extract/worker_cpu_seconds") > 0
    assert records == _records(inline)
    runs = [json.loads(sorted((o / "runs").glob("*.json"))[-1].read_text()) for o in (pooled, inline)]
    assert runs[0]["portals"] == runs[1]["portals"]


# --- the pool on its own, with real worker processes -------------------------

DOC = next(d for d in load_documents() if d.slug == "shanwei-report-2020")
PAGE = oversized_page(DOC, 0)
URL = "http://127.0.0.1/xxgk/content/t20210301_1.html"


def _read(pool):
    return pool.read(read_document, PAGE, URL, 200, "text/html; charset=utf-8", None, True, Hints())


def test_a_reading_that_kills_its_process_fails_alone():
    async def scenario():
        pool = ExtractionPool(workers=2, timeout=60)
        try:
            results = await asyncio.gather(_read(pool), pool.read(os.abort), _read(pool), _read(pool),
                                           return_exceptions=True)
            after = await _read(pool)  # a fresh pool took over
        finally:
            pool.close()
        return results, after

    results, after = asyncio.run(scenario())
    assert isinstance(results[1], ReadingFailed)
    assert (results[1].reason, str(results[1])) == ("page:parse_failed", "the parsing process died")
    expected = extract_html(PAGE.decode("utf-8"), URL)  # decoded first, as the spider did
    for r in results[:1] + results[2:] + [after]:
        assert r.ex == expected and r.ex.is_report
        assert r.fingerprint["shingle_count"] > 1000 and len(r.fingerprint["signature"]) == 128 * 4


def test_a_reading_over_its_limit_fails_and_the_pool_goes_on():
    async def scenario():
        pool = ExtractionPool(workers=1, timeout=1.0)
        try:
            started = time.monotonic()
            with pytest.raises(ReadingFailed) as failed:
                await pool.read(time.sleep, 30)
            took = time.monotonic() - started
            return failed.value, took, await _read(pool)
        finally:
            pool.close()

    failure, took, after = asyncio.run(scenario())
    assert (failure.reason, str(failure)) == ("page:parse_timeout", "parsing took over 1 s")
    assert took < 10  # the stuck worker was killed, not waited for
    assert after.ex == extract_html(PAGE.decode("utf-8"), URL)


# --- a worker killed mid-reading, in a real crawl -------------------------------

def _workers(pid: int) -> list[int]:
    """The crawl's grandchildren: processes forked by its fork server."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    parents[int(name)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    children = {p for p, parent in parents.items() if parent == pid}
    return sorted(p for p, parent in parents.items() if parent in children)


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_killed_mid_reading_costs_one_line_and_no_report(tmp_path):
    """Long pages keep the workers busy; one is killed while reading. Every
    page is still read (the pool's other readings are read again), and the
    log says so once."""
    output = tmp_path / "out"
    with DemoPortals() as demo, RepostPortal() as site:
        sources = tmp_path / "sources.yaml"
        demo.write_sources(sources)
        portals = yaml.safe_load(sources.read_text(encoding="utf-8")) + [site.portal]
        sources.write_text(yaml.safe_dump(portals, allow_unicode=True), encoding="utf-8")
        for i in range(8):  # ~700,000 characters each: read, then refused as too long
            site.add_page(f"/xxgk/fzzf/content/long{i}.html", f"{DOC.title}（合订本{i}）", oversized_page(DOC, 2_000_000))
        env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings")
        cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sources={sources}", "-a",
               "portals=shanwei,mmxsfj", "-s", f"GOVLAW_OUTPUT_DIR={output}", "-s", "GOVLAW_EXTRACT_WORKERS=2",
               *FAST, *EVERY_REPORT]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        killed, deadline = None, time.monotonic() + 120
        while killed is None and proc.poll() is None and time.monotonic() < deadline:
            # A worker well into a long page (a demo page costs milliseconds).
            busy = [p for p in _workers(proc.pid) if _cpu(p) > 0.3]
            if busy:
                killed = busy[0]
                os.kill(killed, signal.SIGKILL)
            time.sleep(0.02)
        _, stderr = proc.communicate(timeout=300)
    assert killed is not None, "no worker was seen reading"
    assert proc.returncode == 0, stderr[-3000:]
    assert stderr.count("extraction workers restarted (a worker died)") == 1
    assert "page not read" not in stderr
    run = json.loads(sorted((output / "runs").glob("*.json"))[-1].read_text())
    assert run["portals"]["mmxsfj"]["not_read"] == {"page:too_large": 8}
    titles = {r["title"] for r in read_jsonl(output / "reports.jsonl")}
    assert DOC.title in titles


"""Fault injection: the demo portals in hostile mode (about 20% of requests
faulted; WAF, rate-limit, login and soft-404 pages; a redirect loop, a zip
bomb, a huge page, a dripping page, an endless, a repeating and a
session-minting pager; a wrong charset). Every good report is collected,
nothing bad is emitted, and the run ends by itself with a report per portal."""
from __future__ import annotations

import json

import pytest

from conftest import crawl, read_jsonl
from govlaw.demo.hostile import Hostile
from govlaw.demo.server import DemoPortals
from test_demo_crawl import EXPECTED

SETTINGS = ["-s", "GOVLAW_RETRY_BASE_DELAY=0.05", "-s", "GOVLAW_RETRY_MAX_DELAY=1", "-s", "DOWNLOAD_TIMEOUT=2",
            "-s", "RETRY_TIMES=4", "-s", "GOVLAW_MAX_LISTING_PAGES=12", "-s", f"DOWNLOAD_MAXSIZE={8 * 1024 * 1024}",
            "-s", f"DOWNLOAD_WARNSIZE={4 * 1024 * 1024}"]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("hostile")
    hostile = Hostile(rate=0.25, seed=20250401, slow_seconds=3.0)
    with DemoPortals(hostile=hostile) as demo:
        sources = output.parent / "hostile-sources.yaml"
        demo.write_sources(sources)
        result = crawl(sources, output, *SETTINGS, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return output, result, hostile


def test_about_a_fifth_of_requests_were_faulted(hostile_run):
    _, _, hostile = hostile_run
    assert hostile.requests > 60
    assert 0.15 <= hostile.faulted / hostile.requests <= 0.30


def test_every_good_report_is_collected_and_nothing_else(hostile_run):
    output, _, _ = hostile_run
    reports = read_jsonl(output / "reports.jsonl")
    assert {(r["title"], r["report_year"], r["publish_date"], r["publisher"]) for r in reports} == EXPECTED
    [changes] = list((output / "changes").glob("*.jsonl"))
    lines = read_jsonl(changes)
    assert sorted(l["id"] for l in lines) == sorted(r["id"] for r in reports)  # none lost, none twice
    assert all(l["change"] == "new" for l in lines)


def test_wrong_charset_pages_read_right(hostile_run):
    output, _, _ = hostile_run
    bodies = {r["title"]: r["body"] for r in read_jsonl(output / "reports.jsonl")}
    assert bodies["关于2022年度推进法治政府建设工作情况报告"].startswith("袁府字〔20235\n\n中共宜春市袁州区委:")


def test_traps_are_reported_per_portal(hostile_run):
    output, _, _ = hostile_run
    [summary_file] = list((output / "runs").glob("*.json"))
    summary = json.loads(summary_file.read_text())
    trap = summary["portals"]["shanwei"]
    reasons = trap["not_read"]
    for reason in ("blocked:waf", "blocked:rate_limited", "blocked:login", "page:soft_404",
                   "listing:page_cap", "listing:repeated"):
        assert reasons.get(reason, 0) >= 1, (reason, reasons)
    assert trap["errors"] >= 2  # the redirect loop and the oversized page at least
    assert (trap["new"], trap["flag"]) == (2, None)


def test_run_log_names_the_traps(hostile_run):
    _, result, _ = hostile_run
    log = result.stderr
    assert "listing walk stopped (listing:page_cap)" in log
    assert "listing walk stopped (listing:repeated)" in log
    assert "not a document page (blocked:waf)" in log
    # The zip bomb is refused for what it is, counted under its reason.
    assert "'govlaw/rejected/file:unreadable: archive inflates to 314572808 bytes, over the cap': 1" in log

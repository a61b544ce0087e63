"""The analysts' exports brought up to date while a run goes on
(govlaw.analysts.refresh): refreshed in a process of their own as portals
are committed, then updated at the end, they are what an export from
nothing of the same state gives."""
from __future__ import annotations

import datetime as dt
import re

from conftest import crawl
from govlaw import analysts, htmlreport
from govlaw import sources as sources_mod
from test_analysts import database_contents
from test_html_report import _pages


def test_refreshed_exports_equal_an_export_from_nothing(demo_sources, tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    # Slow enough (a delay per portal) that portals are committed across several refreshes.
    result = crawl(demo_sources, out, "-s", "GOVLAW_ANALYST_REFRESH=0.2", "-s", "DOWNLOAD_DELAY=0.4")
    assert result.returncode == 0, result.stderr[-3000:]
    refreshed = re.findall(r"analysts' exports refreshed during the run: (\d+) reports", result.stderr)
    assert len(refreshed) >= 2, result.stderr[-3000:]
    assert [int(n) for n in refreshed] == sorted(int(n) for n in refreshed)  # the corpus as it grew
    assert "analysts' exports not refreshed" not in result.stderr

    fresh.mkdir()
    options = analysts.Options(portals=sources_mod.load(demo_sources), today=dt.datetime.now(dt.timezone.utc).date())
    analysts.export(out / "state.sqlite", fresh, options)
    htmlreport.write_report(fresh)
    assert database_contents(out / "govlaw.db") == database_contents(fresh / "govlaw.db")
    for name in ("reports.csv", "ledger.csv", "govlaw.metadata.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    pages = {k: v[1] for k, v in _pages(out / "report").items()}
    assert len(pages) == 3 + 3 + 13  # index, changes, reports; 3 provinces; 13 reports
    assert pages == {k: v[1] for k, v in _pages(fresh / "report").items()}


def test_no_refresh_without_its_interval(demo_sources, tmp_path):
    result = crawl(demo_sources, tmp_path, "-s", "GOVLAW_ANALYST_REFRESH=0", "-s", "DOWNLOAD_DELAY=0.4")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "refreshed during the run" not in result.stderr
    assert (tmp_path / "govlaw.db").is_file() and (tmp_path / "report" / "index.html").is_file()

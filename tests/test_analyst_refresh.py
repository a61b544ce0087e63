"""The analysts' exports brought up to date while a run goes on
(govlaw.analysts.refresh): refreshed in a process of their own as portals
are committed, then updated at the end, they are what an export from
nothing of the same state gives."""
from __future__ import annotations

import datetime as dt
import logging
import re

import pytest

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


def _stop_at(n: int):
    """A checkpoint that stops the export the n-th time it is reached."""
    from govlaw.analysts.refresh import Stopped

    calls = []

    def checkpoint():
        calls.append(1)
        if len(calls) == n:
            raise Stopped
    return checkpoint


def _exports(out) -> dict:
    return {"db": database_contents(out / "govlaw.db"), "ledger.csv": (out / "ledger.csv").read_bytes(),
            "pages": {k: v[1] for k, v in _pages(out / "report").items()},
            "left behind": sorted(p.name for p in out.iterdir() if p.name.startswith("."))}


def test_a_stopped_export_leaves_each_file_whole(tmp_path):
    """Told to stop at a report it would write, an export leaves govlaw.db
    and the HTML report as they were, and nothing half-written beside them."""
    from govlaw.analysts.refresh import Stopped
    from test_analysts import synthetic_options, synthetic_report, write_state

    out = tmp_path / "out"
    out.mkdir()
    options = synthetic_options()
    write_state(out / "state.sqlite", [synthetic_report(i) for i in range(6)])
    analysts.export(out / "state.sqlite", out, options)
    htmlreport.write_report(out)
    before = _exports(out)
    assert len(before["db"]["reports"]) == 6 and len(before["pages"]) == 3 + 1 + 6   # one province
    assert before["left behind"] == []

    # Two new reports and a correction: stopped at the second report written, then at the second page.
    write_state(out / "state.sqlite", [synthetic_report(i, version=2 if i == 3 else 1) for i in range(8)])
    with pytest.raises(Stopped):
        analysts.export(out / "state.sqlite", out, options, checkpoint=_stop_at(2))
    assert _exports(out) == before
    # reports.csv, written before govlaw.db, is the new one, whole.
    newer = tmp_path / "newer"
    newer.mkdir()
    analysts.export(out / "state.sqlite", newer, options)
    assert (out / "reports.csv").read_bytes() == (newer / "reports.csv").read_bytes()
    assert (out / "reports.csv").read_bytes().count(b"\r\n") == 1 + 8
    analysts.export(out / "state.sqlite", out, options)
    with pytest.raises(Stopped):
        htmlreport.write_report(out, checkpoint=_stop_at(2))
    after_db = _exports(out)
    assert after_db["pages"] == before["pages"] and after_db["left behind"] == []
    assert len(after_db["db"]["reports"]) == 8

    # A first export stopped leaves no database at all.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    with pytest.raises(Stopped):
        analysts.export(out / "state.sqlite", fresh, options, checkpoint=_stop_at(1))
    assert not (fresh / "govlaw.db").exists()
    assert sorted(p.name for p in fresh.iterdir() if p.name.startswith(".")) == []


class _Run:
    """What a refresher reads of a run: the state file, the output, the committed portals."""

    def __init__(self, out):
        self.store = type("Store", (), {"path": out / "state.sqlite"})()
        self.output_dir = out
        self.html_report = True
        self.portals = type("Progress", (), {"committed": set()})()


def test_the_end_of_a_run_stops_a_refresh_under_way(tmp_path, caplog):
    """A refresh under way when the run ends is told to stop (its database
    transaction rolled back), and the end's export, in the same process,
    gives what an export from nothing gives."""
    import time

    from govlaw.analysts.refresh import ExportRefresher
    from test_analysts import synthetic_options, synthetic_report, write_state

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    out.mkdir()
    options = synthetic_options()
    write_state(out / "state.sqlite", [synthetic_report(i) for i in range(4)])
    refresher = ExportRefresher(_Run(out), options, interval=0)
    refresher.future = refresher._submit()
    refresher.future.result(timeout=120)
    assert refresher._collect() is True and refresher.finished == 1

    # A corpus whose export takes seconds (long bodies for the full-text index).
    many = []
    for i in range(1500):
        record, versions = synthetic_report(i)
        record["id"] = f"r{i:04d}"
        versions = [(v, seen, body + "依法行政" * 700 + str(i)) for v, seen, body in versions]
        many.append((record, versions))
    write_state(out / "state.sqlite", many)
    refresher.future = refresher._submit()
    deadline = time.monotonic() + 120
    while not (out / "govlaw.db-journal").exists():   # the database's transaction is open
        assert time.monotonic() < deadline and not refresher.future.done()
        time.sleep(0.005)
    with caplog.at_level(logging.INFO, logger="govlaw"):
        assert refresher.finish() is True
    stopped = [r.getMessage() for r in caplog.records if "stopped after" in r.getMessage()]
    assert len(stopped) == 1, [r.getMessage() for r in caplog.records]
    assert refresher.executor is None and refresher.finished == 3

    fresh.mkdir()
    analysts.export(out / "state.sqlite", fresh, options)
    htmlreport.write_report(fresh)
    ours, theirs = _exports(out), _exports(fresh)
    assert len(ours["db"]["reports"]) == 1500 and ours == theirs


def test_a_refresh_waits_its_interval_and_as_long_as_the_last_one_took():
    from govlaw.analysts.refresh import ExportRefresher

    refresher = ExportRefresher(run=None, options=None, interval=10.0)
    refresher.last_started = 100.0                  # the run's start: the first refresh an interval in
    assert [refresher.due(t) for t in (105.0, 109.9, 110.0)] == [False, False, True]
    refresher.last_started, refresher.last_ended, refresher.last_took = 110.0, 116.0, 6.0
    assert [refresher.due(t) for t in (120.0, 121.9, 122.0)] == [False, False, True]   # 6 s more after it ended
    refresher.last_started, refresher.last_ended, refresher.last_took = 130.0, 131.0, 1.0
    assert [refresher.due(t) for t in (139.9, 140.0)] == [False, True]                 # the interval rules
    refresher.future = object()                      # one under way: never two at once
    assert refresher.due(1000.0) is False

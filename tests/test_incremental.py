"""Scheduled runs: state 1, an unchanged re-run, then state 2 (new, corrected
and withdrawn reports) into the same output; kill-and-resume; the lock."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from conftest import FAST, ROOT, crawl, read_jsonl
from govlaw.demo.server import DemoPortals
from govlaw.run import RunContext

NEW_2024 = {"宜春市袁州区人民政府关于2024年度法治政府建设情况的报告", "南通市海门区人民政府关于2024年度法治政府建设工作情况的报告"}
CORRECTED = "汕尾市人民政府2021年法治政府建设年度报告"
WITHDRAWN = "海州区2020年度法治政府建设工作报告"


def summary(output, run_id):
    return json.loads((output / "runs" / f"{run_id}.json").read_text())


def change_files(output):
    return sorted((output / "changes").glob("*.jsonl"))


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    """State 1, state 1 again, state 2 — same ports, same output."""
    output = tmp_path_factory.mktemp("incremental")
    sources = output.parent / "incremental-sources.yaml"
    with DemoPortals() as demo:
        demo.write_sources(sources)
        results = [crawl(sources, output)]
        results.append(crawl(sources, output))
        demo.set_state(2)
        results.append(crawl(sources, output))
    for r in results:
        assert r.returncode == 0, r.stderr[-3000:]
    return output, results


def test_unchanged_rerun_downloads_no_page_in_full(three_runs):
    output, _ = three_runs
    first, second, _ = change_files(output)
    assert read_jsonl(second) == []
    s = summary(output, second.stem)
    for portal, c in s["portals"].items():
        assert (c["listing_pages"], c["detail_pages"], c["errors"], c["flag"]) == (0, 0, 0, None), portal
        assert c["not_modified"] > 0
    assert sum(c["not_modified"] for c in s["portals"].values()) == 19  # 5 listings + 14 report pages (13 reports, one at two addresses)


def test_state2_change_lines_are_exact(three_runs):
    output, _ = three_runs
    lines = read_jsonl(change_files(output)[2])
    got = sorted((l["change"], l["title"], l["version"], l["withdrawn"]) for l in lines)
    assert got == sorted([("new", t, 1, False) for t in NEW_2024]
                         + [("updated", CORRECTED, 2, False), ("withdrawn", WITHDRAWN, 1, True)])


def test_snapshot_keeps_withdrawn_and_history(three_runs):
    output, _ = three_runs
    reports = {r["title"]: r for r in read_jsonl(output / "reports.jsonl")}
    assert len(reports) == 15
    assert [t for t, r in reports.items() if r["withdrawn"]] == [WITHDRAWN]
    corrected = reports[CORRECTED]
    assert corrected["version"] == 2
    assert [h["version"] for h in corrected["history"]] == [1, 2]
    assert corrected["history"][0]["content_hash"] != corrected["history"][1]["content_hash"]
    assert corrected["content_hash"] == corrected["history"][1]["content_hash"]
    assert "专题研究法治政府建设工作5次" in corrected["body"]


def test_every_change_appears_exactly_once_across_runs(three_runs):
    output, _ = three_runs
    all_lines = [l for f in change_files(output) for l in read_jsonl(f)]
    keys = [(l["id"], l["version"], l["change"]) for l in all_lines]
    assert len(keys) == len(set(keys)) == 13 + 2 + 1 + 1


def test_run_summary_per_portal(three_runs):
    output, _ = three_runs
    s = summary(output, change_files(output)[2].stem)
    assert s["changes"] == {"new": 2, "updated": 1, "withdrawn": 1}
    assert s["finish_reason"] == "finished"
    picks = {p: (c["new"], c["updated"], c["withdrawn"]) for p, c in s["portals"].items()}
    assert picks == {"yuanzhou": (1, 0, 0), "haimen": (1, 0, 0), "shanwei": (0, 1, 0), "haizhou": (0, 0, 1),
                     "jxsft": (0, 0, 0)}
    assert s["portals"]["haizhou"]["gone"] == 1


def test_bytes_of_reruns_against_the_first_run(three_runs):
    _, results = three_runs
    sizes = [int(_stat(r.stderr, "downloader/response_bytes")) for r in results]
    assert sizes[1] <= 0.10 * sizes[0]
    assert sizes[2] <= 0.25 * sizes[0]


def _stat(log: str, name: str) -> str:
    import re
    return re.search(rf"'{re.escape(name)}': (\d+)", log).group(1)


def test_full_recrawl_downloads_everything_and_changes_nothing(tmp_path):
    with DemoPortals(state=2) as demo:
        sources = tmp_path / "s.yaml"
        demo.write_sources(sources)
        fresh = tmp_path / "fresh"
        r1 = crawl(sources, fresh)
        r2 = crawl(sources, fresh, "-a", "full=1")
    assert r1.returncode == r2.returncode == 0
    assert _stat(r2.stderr, "downloader/response_status_count/200") == _stat(r1.stderr, "downloader/response_status_count/200")
    assert read_jsonl(change_files(fresh)[-1]) == []


def _snapshot(output):
    return sorted(({k: v for k, v in r.items() if k not in ("first_seen", "last_seen", "history")}
                   for r in read_jsonl(output / "reports.jsonl")), key=lambda r: r["id"])


def _all_changes(output):
    return sorted((l["id"], l["change"], l["version"]) for f in change_files(output) for l in read_jsonl(f))


def test_sigkill_then_rerun_gives_the_uninterrupted_feed(tmp_path):
    """Each kill lands on a crawl that is fetching pages: after a random number
    of the requests an uninterrupted crawl makes, never before the first nor
    after the last, and nothing of the killed run is committed."""
    rng = random.Random(20250401)
    with DemoPortals() as demo:
        sources = tmp_path / "s.yaml"
        demo.write_sources(sources)
        reference = tmp_path / "reference"
        before = demo.requests_served()
        assert crawl(sources, reference).returncode == 0
        total = demo.requests_served() - before
        assert total > 40
        env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings")
        for attempt in range(4):
            output = tmp_path / f"killed{attempt}"
            cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sources={sources}",
                   "-s", f"GOVLAW_OUTPUT_DIR={output}", *FAST, "-s", "DOWNLOAD_DELAY=0.05"]
            start = demo.requests_served()
            target = start + rng.randint(2, int(total * 0.8))
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while demo.requests_served() < target:
                assert proc.poll() is None, "the crawl ended before it could be killed"
                assert time.monotonic() < deadline, "the crawl fetched nothing"
                time.sleep(0.002)
            assert proc.poll() is None  # the kill hits a running crawl…
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            served = demo.requests_served() - start
            assert 2 <= served < total  # …in the middle of its fetching
            assert proc.returncode == -signal.SIGKILL
            assert change_files(output) == [] and not (output / "reports.jsonl").exists()  # nothing committed
            assert crawl(sources, output).returncode == 0
            assert _snapshot(output) == _snapshot(reference)
            assert _all_changes(output) == _all_changes(reference)
            for f in change_files(output):
                for line in f.read_text().splitlines():
                    json.loads(line)  # no half-written line


def test_a_second_run_on_the_same_output_refuses(tmp_path, demo_sources):
    holder = RunContext(tmp_path)
    try:
        result = crawl(demo_sources, tmp_path)
    finally:
        holder.close()
    assert result.returncode == 75
    assert f"govlaw: output directory {tmp_path} is in use by another govlaw run (pid {os.getpid()})" in result.stderr


def test_state_committed_without_files_is_exported_by_the_next_run(tmp_path, demo_sources):
    # A run that died between committing its state and writing its files.
    run = RunContext(tmp_path)
    record = {"id": "0123456789abcdef", "version": 1, "content_hash": "0" * 64, "report_year": 2024,
              "body": "正文", "urls": ["http://127.0.0.1:1/a.html"], "last_seen": "2025-04-01T00:00:00Z",
              "title": "测试报告"}
    line = {"id": record["id"], "change": "new", "version": 1, "at": "2025-04-01T00:00:00Z", "title": "测试报告"}
    run.store.commit_run(run.run_id, [record], [line], "2025-04-01T00:00:00Z")
    died = run.run_id
    run.close()
    assert not (tmp_path / "changes" / f"{died}.jsonl").exists()
    RunContext(tmp_path).close()
    assert read_jsonl(tmp_path / "changes" / f"{died}.jsonl") == [line]
    assert [r["id"] for r in read_jsonl(tmp_path / "reports.jsonl")] == [record["id"]]


# -- revalidation by age ------------------------------------------------------

RECENT_FROM = 2023  # the test's split: reports of 2023 or later (report year or publish date) are recent


def _requested(demo, run):
    """(portal, path) of every request the demo portals served during `run()`."""
    before = {pid: len(server.served) for pid, server in demo._servers.items()}
    result = run()
    assert result.returncode == 0, result.stderr[-3000:]
    return {(pid, path) for pid, server in demo._servers.items() for _, _, path in server.served[before[pid]:]}


def _report_pages(demo, output):
    """Report id → (recent?, its pages as (portal, path), last_seen, withdrawn)."""
    from urllib.parse import urlsplit

    ports = {urlsplit(demo.base_url(p.id)).port: p.id for p in demo.catalog}
    out = {}
    for r in read_jsonl(output / "reports.jsonl"):
        years = [y for y in (r.get("report_year"), int((r.get("publish_date") or "0")[:4]) or None) if y]
        pages = {(ports[urlsplit(u).port], urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else ""))
                 for u in r["urls"]}
        out[r["id"]] = (max(years) >= RECENT_FROM, pages, r["last_seen"], r["withdrawn"])
    return out


def test_old_reports_are_revalidated_on_a_slower_cadence(tmp_path):
    import datetime as dt

    recent_years = dt.datetime.now(dt.timezone.utc).year - RECENT_FROM
    cadence = ["-s", f"GOVLAW_REVALIDATE_RECENT_YEARS={recent_years}"]
    with DemoPortals() as demo:
        sources = tmp_path / "s.yaml"
        demo.write_sources(sources)
        output = tmp_path / "out"
        _requested(demo, lambda: crawl(sources, output))
        first = _report_pages(demo, output)
        old = {p for recent, pages, _, _ in first.values() if not recent for p in pages}
        recent = {p for recent, pages, _, _ in first.values() if recent for p in pages}
        assert (len(old), len(recent)) == (6, 8)  # 14 report pages: 13 reports, one at two addresses

        # Old reports confirmed moments ago rest; recent ones are asked for again. (last_seen has a
        # resolution of one second: the runs are kept a second apart so that a move is visible.)
        time.sleep(1.1)
        asked = _requested(demo, lambda: crawl(sources, output, *cadence, "-s", "GOVLAW_REVALIDATE_OLD_DAYS=30"))
        assert asked & old == set()
        assert recent <= asked
        second = _report_pages(demo, output)
        assert read_jsonl(change_files(output)[-1]) == []  # nothing withdrawn for not being asked
        assert not any(w for _, _, _, w in second.values())
        flags = {p: c["flag"] for p, c in summary(output, change_files(output)[-1].stem)["portals"].items()}
        assert flags == dict.fromkeys(flags, None) and len(flags) == 5  # nor flagged as yielding none
        for rid, (is_recent, _, seen, _) in second.items():
            assert (seen == first[rid][2]) is not is_recent, rid  # only the asked-for moved on

        # Once the cadence has passed (0 days: at once), old ones are asked for too.
        time.sleep(1.1)
        asked = _requested(demo, lambda: crawl(sources, output, *cadence, "-s", "GOVLAW_REVALIDATE_OLD_DAYS=0"))
        assert old | recent <= asked
        third = _report_pages(demo, output)
        assert all(seen != second[rid][2] for rid, (_, _, seen, _) in third.items())
        assert read_jsonl(change_files(output)[-1]) == []

        # full=1 asks for everything whatever the cadence.
        asked = _requested(demo, lambda: crawl(sources, output, *cadence, "-s", "GOVLAW_REVALIDATE_OLD_DAYS=30",
                                               "-a", "full=1"))
        assert old | recent <= asked


def test_revalidation_due_by_age():
    import datetime as dt

    from govlaw.incremental import revalidation_due

    now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    week_ago, year_ago = "2026-05-25T00:00:00Z", "2025-06-01T00:00:00Z"
    assert revalidation_due(2024, "2025-03-01", week_ago, now, 2, 30)      # recent by its year
    assert revalidation_due(2023, "2024-01-10", week_ago, now, 2, 30)      # recent by its publish date
    assert revalidation_due(None, None, week_ago, now, 2, 30)              # cannot be told: always
    assert not revalidation_due(2020, "2021-02-03", week_ago, now, 2, 30)  # old, confirmed a week ago
    assert revalidation_due(2020, "2021-02-03", year_ago, now, 2, 30)      # old, cadence passed
    assert revalidation_due(2020, "2021-02-03", "2026-05-02T00:00:00Z", now, 2, 30)  # exactly 30 days
    assert revalidation_due(2020, "2021-02-03", week_ago, now, 2, 0)       # 0 days: every run
    assert revalidation_due(2020, None, None, now, 2, 30)                  # never confirmed


def test_a_portal_is_flagged_as_yielding_none_only_on_evidence():
    from govlaw.closing import _summary
    from govlaw.incremental import PortalJournal

    flag = "yielded reports before, none now"

    def judged(verdicts, known_before=3):
        return _summary(None, PortalJournal("p"), [], [], known_before, verdicts)["flag"]

    assert judged([]) is None                                    # a listing 304, older reports resting
    assert judged([("a", "gone"), ("b", "gone")]) == flag        # its report pages answer 404
    assert judged([("a", "absent")]) == flag                     # walked to the end, listed no more
    assert judged([("a", "absent")], known_before=0) is None     # nothing to miss

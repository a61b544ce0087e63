"""The analysts' exports, from real crawls: the ledger row by row, the CSVs,
govlaw.db, and full-text search through `govlaw search`, SQLite and Datasette.

The sources are the demo portals (haimen with its own due date, 15 March),
a government whose portal lists no report (a loopback portal), one whose
portal is down (a closed port) and one the runs never crawl. Two runs: the
demo's first document set, then its second (new reports, one taken down).
Every expected row is worked out here from the demo documents' front matter,
not from govlaw's output.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from govlaw.demo.catalog import load_documents, load_portals
from govlaw.demo.server import DemoPortals
from tests.conftest import ROOT, crawl, read_jsonl
from tests.loopback import LoopbackPortal, Reply

TODAY = dt.datetime.now(dt.timezone.utc).date()
YEARS = list(range(2019, TODAY.year + 1))  # this year's report is not due until next April
HAIMEN_DUE = "03-15"
QUIET = {"id": "chengqu", "name": "汕尾市城区人民政府", "region_code": "441502"}   # lists no report
DOWN = {"id": "haifeng", "name": "海丰县人民政府", "region_code": "441521"}       # nothing listens
IDLE = {"id": "lufeng", "name": "陆丰市人民政府", "region_code": "441581"}        # never crawled
FAST_FAILURE = ["-s", "RETRY_TIMES=1", "-s", "GOVLAW_RETRY_BASE_DELAY=0.05"]

QUIET_LISTING = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>法治政府建设年度报告</title></head>
<body><div class="list"><ul>
<li><a href="/col/fzzfjsbg/art_1.html">关于开展春季植树活动的通知</a><span>2024-05-06</span></li>
</ul></div><div class="page">共1页</div></body></html>"""


def _quiet_route(path, headers, seen):
    if path.startswith("/col/fzzfjsbg/index"):
        return Reply(200, QUIET_LISTING)
    return Reply(404, "not found")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Run 1 on the demo's first documents, run 2 on its second; the ledger
    accounts for every entry of the sources (GOVLAW_LEDGER_SOURCES) though the
    runs crawl all but one."""
    output = tmp_path_factory.mktemp("analysts")
    sources = output.parent / "analysts-sources.yaml"
    with DemoPortals() as demo, LoopbackPortal(_quiet_route) as quiet:
        entries = [dict(p, due=HAIMEN_DUE) if p["id"] == "haimen" else dict(p) for p in demo.portals]
        entries += [dict(QUIET, start_urls=[quiet.base + "/col/fzzfjsbg/index.html"]),
                    dict(DOWN, start_urls=[f"http://127.0.0.1:{_closed_port()}/xxgk/fzzfjsbg/"]),
                    dict(IDLE, start_urls=["http://127.0.0.1:9/never/"])]
        sources.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
        crawled = ",".join(e["id"] for e in entries if e["id"] != IDLE["id"])
        extra = ["-a", f"portals={crawled}", "-s", f"GOVLAW_LEDGER_SOURCES={sources}",
                 "-s", f"GOVLAW_LEDGER_YEARS={YEARS[0]}-{YEARS[-1]}", *FAST_FAILURE]
        results = [crawl(sources, output, *extra)]
        demo.set_state(2)
        results.append(crawl(sources, output, *extra))
    for r in results:
        assert r.returncode == 0, r.stderr[-3000:]
    return output, sources, entries


# -- what the ledger must say, from the documents themselves ---------------------------

def _reports_by(state: int) -> dict[tuple[str, int], object]:
    """(portal id, report year) → the demo document a government published itself on its portal."""
    names = {p.id: p.name for p in load_portals()}
    out = {}
    for d in load_documents(state=state):
        for portal in d.portals:
            if d.is_report and d.publisher == names[portal]:
                out[(portal, d.report_year)] = d
    return out


def _due(year: int, month_day: str) -> dt.date:
    month, day = map(int, month_day.split("-"))
    return dt.date(year + 1, month, day)


def expected_ledger(entries: list[dict], records: list[dict]) -> dict[tuple[str, int], tuple]:
    """(source id, year) → (status, days_late, report id, publish date)."""
    first, now = _reports_by(1), _reports_by(2)
    id_of = {(r["publisher"], r["report_year"]): r["id"] for r in records}
    out = {}
    for e in entries:
        for year in YEARS:
            due = _due(year, e.get("due", "04-01"))
            doc, gone = now.get((e["id"], year)), first.get((e["id"], year))
            if doc is not None:
                late = (doc.publish_date - due).days
                out[e["id"], year] = ("late" if late > 0 else "on_time", max(late, 0),
                                      id_of[doc.publisher, year], doc.publish_date.isoformat())
            elif gone is not None:
                out[e["id"], year] = ("withdrawn", None, id_of[gone.publisher, year], gone.publish_date.isoformat())
            elif TODAY <= due:
                out[e["id"], year] = ("not_due", None, None, None)
            elif e["id"] in (DOWN["id"], IDLE["id"]):
                out[e["id"], year] = ("unknown", None, None, None)
            else:
                out[e["id"], year] = ("missing", None, None, None)
    return out


def _ledger_rows(output: Path) -> list[dict]:
    with open(output / "ledger.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_ledger_rows_are_exact(two_runs):
    output, _, entries = two_runs
    records = read_jsonl(output / "reports.jsonl")
    expected = expected_ledger(entries, records)
    code_of = {"yuanzhou": "360902", "haimen": "320614", "haizhou": "320706", "shanwei": "441500",
               "jxsft": "jxsft", "chengqu": "441502", "haifeng": "441521", "lufeng": "441581"}
    source_of = {v: k for k, v in code_of.items()}
    rows = _ledger_rows(output)
    got = {(source_of[r["government_code"]], int(r["year"])):
           (r["status"], int(r["days_late"]) if r["days_late"] else None, r["report_id"] or None,
            r["publish_date"] or None) for r in rows}
    assert len(rows) == len(entries) * len(YEARS)
    assert got == expected
    # The cases the sources were written for, spelled out.
    assert got["haimen", 2022][:2] == ("late", 9)       # 2023-03-24 against its own 15 March
    assert got["haimen", 2023][:2] == ("on_time", 0)    # published on the due day itself
    assert got["haimen", 2024][:2] == ("late", 6)       # run 2's new report, 2025-03-21
    assert got["haizhou", 2020][0] == "withdrawn"       # gone from its portal in run 2
    assert got["chengqu", YEARS[-2]][0] == "missing"
    assert got["haifeng", YEARS[-2]][0] == got["lufeng", YEARS[-2]][0] == "unknown"
    assert {got[e["id"], YEARS[-1]][0] for e in entries} == {"not_due"}
    by_key = {(r["government_code"], int(r["year"])): r for r in rows}
    assert "listing unreachable" in by_key["441521", 2020]["reason"]
    assert by_key["441581", 2020]["reason"] == "portal not crawled"
    # Not the province's or the county's: the department's and the township's reports count for themselves.
    assert by_key["jxsft", 2024]["government_name"] == "江西省司法厅"
    assert by_key["jxsft", 2024]["level"] == "department" and by_key["jxsft", 2024]["province"] == "江西省"


def test_reports_csv_has_bom_and_columns(two_runs):
    output, _, _ = two_runs
    raw = (output / "reports.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and (output / "ledger.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with open(output / "reports.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["id", "report_year", "publisher", "title", "government_code", "region_code",
                                 "admin_level", "publish_date", "signed_date", "doc_number", "url", "portal",
                                 "version", "first_seen", "last_seen", "withdrawn", "missing_parts", "parts_present"]
    records = {r["id"]: r for r in read_jsonl(output / "reports.jsonl")}
    assert sorted(r["id"] for r in rows) == sorted(records)
    for row in rows:
        rec = records[row["id"]]
        assert (row["title"], row["publisher"], row["url"]) == (rec["title"], rec["publisher"], rec["url"])
        assert json.loads(row["missing_parts"]) == rec["missing_parts"]
        assert int(row["parts_present"]) == 5 - len(rec["missing_parts"])
        assert row["withdrawn"] == str(int(rec["withdrawn"]))
    jdz = next(r for r in rows if r["publisher"] == "中共景德镇市委 景德镇市人民政府")
    assert jdz["government_code"] == ""   # 景德镇 is not in the sources
    baochang = next(r for r in rows if r["publisher"] == "南通市海门区包场镇人民政府")
    assert baochang["government_code"] == ""   # a township's report is not 海门区's


def test_database_tables_and_views(two_runs):
    output, _, _ = two_runs
    db = sqlite3.connect(output / "govlaw.db")
    records = {r["id"]: r for r in read_jsonl(output / "reports.jsonl")}
    assert db.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == len(records)
    assert db.execute("SELECT COUNT(*) FROM governments").fetchone()[0] == 8
    assert db.execute("SELECT code, level, parent_code, portal FROM governments WHERE code = 'jxsft'").fetchone() == (
        "jxsft", "department", "360000", "jxsft")
    rid = next(r["id"] for r in records.values() if r["withdrawn"])
    assert db.execute("SELECT withdrawn FROM reports WHERE id = ?", (rid,)).fetchone() == (1,)
    sections = json.loads(db.execute("SELECT sections FROM reports WHERE id = ?", (rid,)).fetchone()[0])
    assert [s["part"] for s in sections] == [s["part"] for s in records[rid]["sections"]]
    corrected = next(r for r in records.values() if r["version"] == 2)
    assert db.execute("SELECT COUNT(*) FROM versions WHERE report_id = ?", (corrected["id"],)).fetchone() == (2,)
    assert db.execute("SELECT change FROM changes WHERE report_id = ? ORDER BY at", (rid,)).fetchall() == [
        ("new",), ("withdrawn",)]
    ledger = {(r[0], r[1]): r[2] for r in db.execute("SELECT government_code, year, status FROM ledger")}
    missing_gd = sum(1 for (code, year), s in ledger.items() if s == "missing" and code.startswith("44"))
    assert sum(n for (n,) in db.execute("SELECT missing FROM missing_by_province WHERE province = '广东省'")) \
        == missing_gd
    lacking = {r["id"] for r in records.values() if "other" in r["missing_parts"] and not r["withdrawn"]}
    assert 0 < len(lacking) < len(records)
    assert {r for (r,) in db.execute("SELECT report_id FROM reports_missing_part WHERE part = 'other'")} == lacking
    late = db.execute("SELECT published, late, most_days_late FROM days_late_by_level WHERE level = 'county' "
                      "AND year = 2022").fetchone()
    assert late == (2, 1, 9)   # 袁州 on time, 海门 9 days late; 海州 and 城区 missing do not count


# -- full-text search -------------------------------------------------------------------

def _containing(output: Path, phrase: str) -> set[str]:
    return {r["id"] for r in read_jsonl(output / "reports.jsonl")
            if phrase in (r["title"] or "") or phrase in (r["body"] or "")}


# Two characters (no trigram: read from the texts) and longer (through the index).
PHRASES = ["陶瓷", "述法", "家纺", "行政复议体制改革", "法治化营商环境", "诉前调解", "行政复议"]


def test_phrases_chosen_to_tell_reports_apart(two_runs):
    output, _, _ = two_runs
    total = len(read_jsonl(output / "reports.jsonl"))
    for phrase in PHRASES[:-1]:
        assert 0 < len(_containing(output, phrase)) < total, phrase
    assert len(_containing(output, PHRASES[-1])) == total   # one that every report has


def test_search_command_prints_exactly_the_reports(two_runs):
    output, _, _ = two_runs
    records = {r["id"]: r for r in read_jsonl(output / "reports.jsonl")}
    for phrase in PHRASES:
        result = subprocess.run([sys.executable, "-m", "govlaw.cli", "search", phrase, "--output", str(output)],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        lines = [line.split("\t") for line in result.stdout.splitlines()]
        expected = sorted(_containing(output, phrase), key=lambda i: (-records[i]["report_year"],
                                                                       records[i]["publisher"], i))
        assert [line[3] for line in lines] == [records[i]["url"] for i in expected], phrase
        assert [line[1] for line in lines] == [records[i]["publisher"] for i in expected]
    short = subprocess.run([sys.executable, "-m", "govlaw.cli", "search", "瓷", "--output", str(output)],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (short.returncode, short.stdout) == (2, "")
    assert short.stderr.count("\n") == 1 and "two characters or more" in short.stderr


def test_sqlite_full_text(two_runs):
    output, _, _ = two_runs
    from govlaw.analysts.search import SEARCH_SQL, search

    db = sqlite3.connect(output / "govlaw.db")
    for phrase in PHRASES:
        assert {r["id"] for r in search(output / "govlaw.db", phrase)} == _containing(output, phrase)
        assert {i for (i, *_) in db.execute(SEARCH_SQL, {"q": phrase})} == _containing(output, phrase)
    # Three characters or more go through the trigram index itself.
    hits = {i for (i,) in db.execute("SELECT r.id FROM reports_fts f JOIN reports r ON r.rowid = f.rowid "
                                     "WHERE reports_fts MATCH ?", ('"法治化营商环境"',))}
    assert hits == _containing(output, "法治化营商环境")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str, deadline: float):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_datasette_serves_the_database_and_search(two_runs):
    output, _, _ = two_runs
    port = _free_port()
    datasette = Path(sys.executable).with_name("datasette")
    proc = subprocess.Popen([str(datasette), "serve", str(output / "govlaw.db"), "-p", str(port), "-h", "127.0.0.1",
                             "--metadata", str(output / "govlaw.metadata.json")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}/govlaw"
        deadline = time.monotonic() + 60
        for phrase in PHRASES:
            rows = _get_json(f"{base}/search.json?_shape=array&q={urllib.parse.quote(phrase)}", deadline)
            assert {r["id"] for r in rows} == _containing(output, phrase), phrase
        ledger = _get_json(f"{base}/ledger.json?_shape=array&government_code=320614&year=2022", deadline)
        assert [(r["status"], r["days_late"]) for r in ledger] == [("late", 9)]
        meta = _get_json(f"http://127.0.0.1:{port}/-/metadata.json", deadline)
        assert ":q" in meta["databases"]["govlaw"]["queries"]["search"]["sql"]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# -- rebuilt without crawling ----------------------------------------------------------

def test_ledger_command_rebuilds_with_other_settings(two_runs, tmp_path):
    output, sources, entries = two_runs
    copy = tmp_path / "output"
    shutil.copytree(output, copy)
    result = subprocess.run([sys.executable, "-m", "govlaw.cli", "ledger", "--output", str(copy), "--sources",
                             str(sources), "--years", "2022", "--due", "03-01", "--csv-bodies"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = {r["government_code"]: r for r in _ledger_rows(copy)}
    assert len(rows) == len(entries)
    # 海门 keeps its own 15 March; 袁州's 2023-02-14 is on time against 1 March; 汕尾 published none for 2022.
    assert (rows["320614"]["status"], rows["320614"]["days_late"]) == ("late", "9")
    assert (rows["360902"]["due_date"], rows["360902"]["status"]) == ("2023-03-01", "on_time")
    assert rows["441500"]["status"] == "missing"
    db = sqlite3.connect(copy / "govlaw.db")
    assert db.execute("SELECT COUNT(*), MIN(year), MAX(year) FROM ledger").fetchone() == (len(entries), 2022, 2022)
    with open(copy / "reports.csv", encoding="utf-8-sig", newline="") as fh:
        bodies = {row["id"]: row["body"] for row in csv.DictReader(fh)}
    assert bodies == {r["id"]: r["body"] for r in read_jsonl(copy / "reports.jsonl")}
    bad = subprocess.run([sys.executable, "-m", "govlaw.cli", "ledger", "--output", str(copy), "--sources",
                          str(sources), "--years", "twenty"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "GOVLAW_LEDGER_YEARS" in bad.stderr
    assert _ledger_rows(copy) == list(rows.values())   # the bad setting wrote nothing


# -- the rules at their edges, and the switches -------------------------------------------

def test_status_rules_at_their_edges():
    from govlaw.analysts.ledger import judge
    from govlaw.analysts.statefile import PortalRun

    due = dt.date(2025, 4, 1)
    undated = {"id": "a", "publish_date": None, "first_seen": "2025-04-03T08:00:00Z", "withdrawn": False}
    verdict = judge(due, dt.date(2025, 6, 1), [undated], None)
    assert (verdict.status, verdict.days_late) == ("late", 2)
    assert verdict.reason == "no publish date: first seen 2025-04-03 taken as published"
    # Of two reports for the year, the first published counts.
    early = {"id": "b", "publish_date": "2025-03-30", "withdrawn": False}
    assert judge(due, dt.date(2025, 6, 1), [undated, early], None).report["id"] == "b"
    reached = {"listing_pages": 2, "listing_failures": [], "flag": None}
    assert judge(due, dt.date(2025, 6, 1), [], PortalRun("p", "20250402T000000Z", reached)).status == "missing"
    # A crawl on the due day itself cannot show the report was not published by then.
    before = judge(due, dt.date(2025, 6, 1), [], PortalRun("p", "20250401T235959Z", reached))
    assert (before.status, before.reason) == ("unknown", "portal last crawled in run 20250401T235959Z, not after "
                                                         "the due date")
    blocked = {"listing_pages": 0, "blocked": 3, "listing_failures": [], "flag": None}
    assert judge(due, dt.date(2025, 6, 1), [], PortalRun("p", "20250502T000000Z", blocked)).status == "unknown"
    partial = dict(reached, listing_failures=["404 http://127.0.0.1/list_3.html"])
    assert judge(due, dt.date(2025, 6, 1), [], PortalRun("p", "20250502T000000Z", partial)).status == "unknown"
    unchanged = {"listing_pages": 0, "not_modified": 4, "listing_failures": [], "flag": None}
    assert judge(due, dt.date(2025, 6, 1), [], PortalRun("p", "20250502T000000Z", unchanged)).status == "missing"
    assert judge(due, due, [], None).status == "not_due"


def test_due_in_sources_is_checked(tmp_path):
    from govlaw import sources

    path = tmp_path / "s.yaml"
    path.write_text('- id: a\n  name: 海丰县人民政府\n  start_urls: [http://127.0.0.1:1/x/]\n  due: "3-31"\n',
                    encoding="utf-8")
    with pytest.raises(sources.SourcesError) as info:
        sources.load(path)
    assert str(info.value) == (f"{path} line 1, entry 1 (id a): due '3-31' must be a month and day written MM-DD "
                               'in quotes, e.g. due: "03-31"')
    path.write_text('- id: a\n  name: 海丰县人民政府\n  start_urls: [http://127.0.0.1:1/x/]\n  due: "03-31"\n',
                    encoding="utf-8")
    assert sources.load(path)[0].due == "03-31"


def test_exports_can_be_turned_off(demo_sources, tmp_path):
    output = tmp_path / "output"
    result = crawl(demo_sources, output, "-s", "GOVLAW_ANALYST_EXPORTS=0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (output / "reports.jsonl").exists()
    assert not any((output / name).exists() for name in ("ledger.csv", "reports.csv", "govlaw.db"))


# -- exported again: only what changed is rewritten ----------------------------------------

def _governments(n: int = 4):
    from govlaw import registry

    return [e for e in registry.load().entries if e.level in ("city", "county")][:n]


def synthetic_report(i: int, version: int = 1, last_seen: str = "2026-05-01T00:00:00Z") -> tuple[dict, list]:
    """Report i of a synthetic state (a record as the crawler stores it, its
    body in its versions), and its versions as (version, seen at, body)."""
    gov = _governments()[i % 4]
    year = 2021 + i // 4
    versions = []
    for v in range(1, version + 1):
        body = (f"{gov.full_name}{year}年度法治政府建设情况。\n\n一、主要举措和成效\n\n"
                f"深化行政复议体制改革第{i}项，第{v}版。\n\n二、存在的不足和原因\n\n基层执法力量不足。")
        versions.append((v, f"2026-0{v}-01T00:00:00Z", body))
    body = versions[-1][2]
    head = "一、主要举措和成效"
    start = body.index(head) + len(head) + 2
    record = {"id": f"r{i:02d}", "version": version, "content_hash": hashlib.sha256(body.encode()).hexdigest(),
              "report_year": year, "publish_date": f"{year + 1}-03-{10 + i:02d}", "publisher": gov.full_name,
              "region_code": gov.code, "admin_level": gov.level, "title": f"{gov.full_name}关于{year}年度法治政府建设情况的报告",
              "sections": [{"heading": head, "part": "measures", "start": start, "end": body.index("\n\n二、")}],
              "missing_parts": ["shortcomings", "other"], "url": f"http://gov.example/{i}.html",
              "urls": [f"http://gov.example/{i}.html"], "portal": f"p{i % 4}", "first_seen": "2026-01-01T00:00:00Z",
              "last_seen": last_seen, "withdrawn": False, "history": []}
    return record, versions


def write_state(path: Path, reports: list[tuple[dict, list]], runs=("20260101T000000Z",)) -> None:
    """A state file (made anew) holding `reports`, and every government's portal crawled in each of `runs`."""
    from govlaw.state.packing import pack
    from govlaw.state.sqlite import SQLiteStore

    path.unlink(missing_ok=True)
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    with db:
        for seq, (rec, versions) in enumerate(reports):
            db.execute("INSERT INTO reports (id, version, content_hash, report_year, folded, record, withdrawn) "
                       "VALUES (?, ?, ?, ?, '', ?, 0)", (rec["id"], rec["version"], rec["content_hash"],
                                                         rec["report_year"], json.dumps(rec, ensure_ascii=False)))
            for v, seen, body in versions:
                db.execute("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?)",
                           (rec["id"], v, hashlib.sha256(body.encode()).hexdigest(), seen, rec["title"], pack(body)))
            db.execute("INSERT INTO addresses (url, report_id, portal) VALUES (?, ?, ?)",
                       (rec["url"].split("//", 1)[1], rec["id"], rec["portal"]))
            db.execute("INSERT INTO changes VALUES (?, ?, ?, 'new', ?)", (runs[0], seq, rec["id"], json.dumps(
                {"id": rec["id"], "change": "new", "title": rec["title"], "at": rec["first_seen"]}, ensure_ascii=False)))
        for run in runs:
            for g in range(4):
                db.execute("INSERT INTO portal_runs VALUES (?, ?, ?)",
                           (run, f"p{g}", json.dumps({"listing_pages": 2, "listing_failures": [], "flag": None})))
    db.close()


def synthetic_options(today: str = "2026-06-01"):
    from govlaw import analysts
    from govlaw.sources import Portal

    portals = [Portal(id=f"p{g}", name=gov.full_name, start_urls=(f"http://gov.example/{g}/",), region_code=gov.code)
               for g, gov in enumerate(_governments())]
    return analysts.Options(portals=portals, today=dt.date.fromisoformat(today))


def database_contents(path: Path) -> dict:
    """Every table of govlaw.db as sorted rows (row ids aside), the full-text
    index checked against its table, and what it finds."""
    db = sqlite3.connect(path)
    try:
        db.execute("INSERT INTO reports_fts (reports_fts, rank) VALUES ('integrity-check', 1)")
        out = {t: sorted(db.execute(f"SELECT * FROM {t}"), key=repr)
               for t in ("reports", "versions", "addresses", "ledger", "governments", "changes", "report_digests")}
        out["fts"] = {q: sorted(i for (i,) in db.execute(
            "SELECT r.id FROM reports_fts f JOIN reports r ON r.rowid = f.rowid WHERE reports_fts MATCH ?", (q,)))
            for q in ('"行政复议"', '"第2版"', '"第3项"', '"基层执法"')}
        return out
    finally:
        db.close()


def _rowids(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT id, rowid FROM reports"))
    finally:
        db.close()


def _export_both(reports, out: Path, fresh: Path, options, runs=("20260101T000000Z",)) -> None:
    """Export the state `reports` into `out` (over its last export) and into
    `fresh` (from nothing); both must be the same."""
    from govlaw import analysts

    write_state(out / "state.sqlite", reports, runs)
    analysts.export(out / "state.sqlite", out, options)
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    analysts.export(out / "state.sqlite", fresh, options)
    assert database_contents(out / "govlaw.db") == database_contents(fresh / "govlaw.db")
    for name in ("reports.csv", "ledger.csv", "govlaw.metadata.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


def test_export_again_rewrites_only_what_changed(tmp_path):
    from govlaw import analysts

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    out.mkdir()
    options = synthetic_options()
    reports = [synthetic_report(i) for i in range(6)]
    write_state(out / "state.sqlite", reports)
    analysts.export(out / "state.sqlite", out, options)
    first = _rowids(out / "govlaw.db")
    assert sorted(first) == [f"r{i:02d}" for i in range(6)]
    digests = database_contents(out / "govlaw.db")["report_digests"]

    # Run again, nothing new: every report seen again, the portals crawled again.
    again = [synthetic_report(i, last_seen="2026-05-20T00:00:00Z") for i in range(6)]
    runs = ("20260101T000000Z", "20260520T000000Z")
    _export_both(again, out, fresh, options, runs)
    assert _rowids(out / "govlaw.db") == first             # no row written again: only their last sighting moved
    contents = database_contents(out / "govlaw.db")
    assert [d[2:] for d in contents["report_digests"]] == [d[2:] for d in digests]
    assert {r[13] for r in contents["reports"]} == {"2026-05-20T00:00:00Z"}

    # Report 3 corrected: its row, full-text entry and versions alone are written again.
    again[3] = synthetic_report(3, version=2, last_seen="2026-05-20T00:00:00Z")
    _export_both(again, out, fresh, options, runs)
    now = _rowids(out / "govlaw.db")
    assert {rid for rid in now if now[rid] != first[rid]} == {"r03"}
    assert now["r03"] == max(first.values()) + 1
    contents = database_contents(out / "govlaw.db")
    assert contents["fts"]['"第2版"'] == ["r03"] and contents["fts"]['"第3项"'] == ["r03"]
    assert [(v[0], v[1]) for v in contents["versions"] if v[0] == "r03"] == [("r03", 1), ("r03", 2)]

    # Report 5 gone from the state: gone from every table and from the index.
    del again[5]
    _export_both(again, out, fresh, options, runs)
    contents = database_contents(out / "govlaw.db")
    assert sorted(_rowids(out / "govlaw.db")) == [f"r{i:02d}" for i in range(5)]
    assert "r05" not in {v[0] for v in contents["versions"]} | {d[0] for d in contents["report_digests"]}
    assert contents["fts"]['"行政复议"'] == [f"r{i:02d}" for i in range(5)]


def test_export_again_on_another_day_judges_the_ledger_again(tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    out.mkdir()
    reports = [synthetic_report(i) for i in range(6)]
    _export_both(reports, out, fresh, synthetic_options("2026-03-01"))
    before = {(r["government_code"], r["year"]): r["status"] for r in _ledger_rows(out)}
    # Same state, two months on: the 2025 reports' due day (1 April 2026) has passed.
    _export_both(reports, out, fresh, synthetic_options("2026-06-01"))
    after = {(r["government_code"], r["year"]): r["status"] for r in _ledger_rows(out)}
    codes = [g.code for g in _governments()]
    assert {before[c, "2025"] for c in codes} == {"not_due"}
    # Crawled on 1 January, before the due day: no evidence of absence.
    assert {after[c, "2025"] for c in codes} == {"unknown"}
    assert {k: v for k, v in before.items() if k[1] != "2025"} == {k: v for k, v in after.items() if k[1] != "2025"}
    assert [after[c, "2021"] for c in codes] == ["on_time"] * 4 and after[codes[0], "2022"] == "on_time"
    assert [after[c, "2023"] for c in codes] == ["missing"] * 4

"""Time and peak memory of the exports that end a run: the analysts'
exports (ledger, CSVs, govlaw.db with its trigram index) and the HTML
report written from govlaw.db, for a national-size state; then the same
again on an unchanged state (only last-seen times and a new run's portal
summaries moved), and after k reports got a new version.

A state of N synthetic reports (default 2,750; one per government of the
national registry, then further years of the same governments), stored as
the crawler stores them (lean records, bodies packed in their version's
row, sections as offsets into the body), with a portal summary for every
government; the ledger covers them all, 2019 to last year.

Each step runs in a child process of its own, so its peak resident memory
is the step's alone (reported as the growth over the process after its
imports); --profile STEP prints its cProfile top functions instead.

    .venv/bin/python benchmarks/analysts.py [--reports 2750] [--body-chars 10000] [--changed 20]
    .venv/bin/python benchmarks/analysts.py --reports 2750 --profile full
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARA = "本年度，我市深入推进依法行政，加快建设法治政府，各项工作取得新进展。"
HEADINGS = ["一、主要举措和成效", "二、存在的不足和原因", "三、党政主要负责人履行推进法治建设第一责任人职责情况",
            "四、下一年度工作安排", "五、其他需要报告的情况"]


def _body(i: int, body_chars: int, version: int = 1) -> tuple[str, list[dict]]:
    """A body of about `body_chars` in five sections, and the sections as offsets into it."""
    from govlaw.extract.sections import MANDATED_PARTS

    per = body_chars // len(HEADINGS)
    parts, sections, at = [], [], 0
    for k, (heading, part) in enumerate(zip(HEADINGS, MANDATED_PARTS)):
        text = (f"第{i}号报告第{k}节，第{version}版。行政复议{i % 7}。" + PARA * (per // len(PARA) + 1))[:per]
        block = f"{heading}\n\n{text}"
        sections.append({"heading": heading, "part": part, "start": at + len(heading) + 2, "end": at + len(block)})
        parts.append(block)
        at += len(block) + 2
    return "\n\n".join(parts), sections


def make_state(path: Path, n: int, body_chars: int):
    """The state file, and the sources' portals (one per government)."""
    from govlaw import registry
    from govlaw.sources import Portal
    from govlaw.state.packing import pack
    from govlaw.state.sqlite import SQLiteStore

    govs = [e for e in registry.load().entries if e.level != "department"][:n]
    store = SQLiteStore(path)
    with store.db:
        store.db.execute("BEGIN IMMEDIATE")
        for i in range(n):
            g = i % len(govs)
            gov = govs[g]
            rid = hashlib.sha1(str(i).encode()).hexdigest()[:16]
            year = 2019 + (i + i // len(govs)) % 6   # further rounds: other years of the same governments
            body, sections = _body(i, body_chars)
            rec = {"id": rid, "version": 1, "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                   "report_year": year, "publish_date": f"{year + 1}-0{2 + i % 3}-1{i % 10}",
                   "publisher": gov.full_name, "region_code": gov.code, "admin_level": gov.level,
                   "title": f"{gov.full_name}关于{year}年度法治政府建设情况的报告",
                   "sections": sections, "missing_parts": ["other"], "url": f"http://gov.example/{i}.html",
                   "urls": [f"http://gov.example/{i}.html"], "portal": f"p{g}",
                   "first_seen": "2025-01-01T00:00:00Z", "last_seen": "2025-01-01T00:00:00Z",
                   "withdrawn": False, "history": []}
            store.db.execute("INSERT INTO reports (id, version, content_hash, report_year, folded, record, withdrawn)"
                             " VALUES (?, 1, ?, ?, '', ?, 0)", (rid, rec["content_hash"], year,
                                                               json.dumps(rec, ensure_ascii=False, sort_keys=True)))
            store.db.execute("INSERT INTO versions (id, version, content_hash, seen_at, title, body) VALUES "
                             "(?, 1, ?, ?, ?, ?)", (rid, rec["content_hash"], rec["first_seen"], rec["title"],
                                                    pack(body)))
            store.db.execute("INSERT INTO addresses (url, report_id, portal) VALUES (?, ?, ?)",
                             (f"gov.example/{i}.html", rid, f"p{g}"))
            store.db.execute("INSERT INTO changes (run_id, seq, report_id, change, line) VALUES (?, ?, ?, 'new', ?)",
                             ("20260501T000000Z", i, rid, json.dumps({"id": rid, "change": "new", "title": rec["title"],
                                                                      "at": rec["first_seen"]}, ensure_ascii=False)))
        for g in range(len(govs) if n >= len(govs) else n):
            summary = {"listing_pages": 1 + g % 3, "listing_failures": [] if g % 10 else ["timeout"], "flag": None}
            store.db.execute("INSERT INTO portal_runs (run_id, portal, summary) VALUES (?, ?, ?)",
                             ("20260501T000000Z", f"p{g}", json.dumps(summary)))
    store.close()
    return [Portal(id=f"p{g}", name=gov.full_name, start_urls=(f"http://gov.example/{g}/",), region_code=gov.code)
            for g, gov in enumerate(govs)]


def rerun_state(path: Path, run_id: str, changed: int, body_chars: int) -> None:
    """What a later run leaves: every report seen again (last_seen), every
    portal summarised again, and `changed` reports with a new version."""
    import sqlite3

    from govlaw.state.packing import pack

    db = sqlite3.connect(path)
    seen = f"{run_id[:4]}-{run_id[4:6]}-{run_id[6:8]}T00:00:00Z"
    with db:
        rows = db.execute("SELECT id, record FROM reports ORDER BY id").fetchall()
        step = max(1, len(rows) // changed) if changed else 0
        for i, (rid, record) in enumerate(rows):
            rec = json.loads(record)
            rec["last_seen"] = seen
            if changed and i % step == 0 and i // step < changed:
                body, rec["sections"] = _body(i, body_chars, version=rec["version"] + 1)
                rec["version"] += 1
                rec["content_hash"] = hashlib.sha256(body.encode()).hexdigest()
                db.execute("INSERT INTO versions (id, version, content_hash, seen_at, title, body) VALUES "
                           "(?, ?, ?, ?, ?, ?)", (rid, rec["version"], rec["content_hash"], seen, rec["title"],
                                                  pack(body)))
                db.execute("INSERT INTO changes (run_id, seq, report_id, change, line) VALUES (?, ?, ?, 'updated', ?)",
                           (run_id, i, rid, json.dumps({"id": rid, "change": "updated", "title": rec["title"],
                                                        "at": seen, "diff": {"paragraphs_changed": 5}})))
            db.execute("UPDATE reports SET record = ?, version = ?, content_hash = ? WHERE id = ?",
                       (json.dumps(rec, ensure_ascii=False, sort_keys=True), rec["version"], rec["content_hash"], rid))
        db.execute("INSERT INTO portal_runs (run_id, portal, summary) SELECT ?, portal, summary FROM portal_runs "
                   "WHERE run_id = '20260501T000000Z'", (run_id,))
    db.close()


CHILD = """
import json, pickle, resource, sys, time
def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 // 1024
from govlaw import analysts, htmlreport
out, today, profile = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
import datetime as dt
options = analysts.Options(portals=pickle.load(open(out + "/portals.pickle", "rb")),
                           today=dt.date.fromisoformat(today))
base = rss()
if profile:
    import cProfile, pstats
    prof = cProfile.Profile()
    prof.enable()
started = time.perf_counter()
analysts.export(out + "/state.sqlite", __import__("pathlib").Path(out), options)
exported = time.perf_counter()
htmlreport.write_report(out)
done = time.perf_counter()
if profile:
    prof.disable()
    pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
print(json.dumps([exported - started, done - exported, base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))
"""


def step(out: Path, today: str, name: str, profile: str) -> None:
    child = subprocess.run([sys.executable, "-c", CHILD, str(out), today, "1" if profile == name else "0"],
                           capture_output=True, text=True, cwd=ROOT)
    if child.returncode:
        sys.exit(child.stderr)
    if profile == name:
        sys.stdout.write(child.stderr)
    export_s, report_s, base_kb, peak_kb = json.loads(child.stdout.splitlines()[-1])
    print(f"{name:>10}: export {export_s:5.2f} s + HTML report {report_s:5.2f} s = {export_s + report_s:5.2f} s; "
          f"peak RSS {peak_kb / 1024:.0f} MiB (+{(peak_kb - base_kb) / 1024:.0f} MiB over the process after imports)")


def main() -> None:
    import pickle

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=2750)
    parser.add_argument("--body-chars", type=int, default=10000)
    parser.add_argument("--changed", type=int, default=20, help="reports given a new version for the third step")
    parser.add_argument("--profile", choices=["full", "unchanged", "changed"], help="print this step's profile")
    args = parser.parse_args()

    from govlaw.analysts.search import search

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        portals = make_state(out / "state.sqlite", args.reports, args.body_chars)
        (out / "portals.pickle").write_bytes(pickle.dumps(portals))
        print(f"state of {args.reports} reports ({(out / 'state.sqlite').stat().st_size / 2**20:.0f} MiB) made in "
              f"{time.perf_counter() - started:.1f} s")
        step(out, "2026-06-01", "full", args.profile)
        print(f"govlaw.db {(out / 'govlaw.db').stat().st_size / 2**20:.0f} MiB, report/ "
              f"{sum(p.stat().st_size for p in (out / 'report').rglob('*')) / 2**20:.0f} MiB")
        for phrase in ("行政复议3", "复议"):
            started = time.perf_counter()
            hits = len(search(out / "govlaw.db", phrase))
            print(f"search {phrase}: {hits} reports in {1000 * (time.perf_counter() - started):.0f} ms")
        rerun_state(out / "state.sqlite", "20260502T000000Z", 0, args.body_chars)
        step(out, "2026-06-01", "unchanged", args.profile)
        rerun_state(out / "state.sqlite", "20260503T000000Z", args.changed, args.body_chars)
        step(out, "2026-06-01", "changed", args.profile)
        print(f"({args.changed} reports with a new version in the last step)")


if __name__ == "__main__":
    main()

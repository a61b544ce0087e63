"""Time, size and peak memory of writing the HTML report for the whole
country: every government of the national registry (3,210) × 7 report
years in the ledger, a report for 60% of them (bodies of about 12,000
characters in five sections), a second version for one report in twenty.

The database is made once with the analysts' schema (govlaw.analysts.database);
the report is then written from it as after a run (govlaw.htmlreport.write_report), in a
child process whose peak resident memory is measured, then written again from the same
database (its pages kept, not rendered: the database has no report_digests, so each
report's texts are read and hashed to tell).

    .venv/bin/python benchmarks/html_report.py [--share 0.6] [--body-chars 12000]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import sys
import tempfile
import time
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = range(2019, 2026)
from govlaw.extract.sections import MANDATED_PARTS as PARTS  # noqa: E402
HEADINGS = ["一、主要举措和成效", "二、存在的不足和原因", "三、党政主要负责人履行推进法治建设第一责任人职责情况",
            "四、下一年度工作安排", "五、其他需要报告的情况"]


def make_database(path: Path, share: float, body_chars: int) -> dict:
    from govlaw import registry
    from govlaw.analysts.database import SCHEMA

    reg = registry.load()
    rng = random.Random(7)
    para = "本年度，我市深入推进依法行政，加快建设法治政府，各项工作取得新进展。"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    govs = [e for e in reg.entries if e.level in ("province", "city", "county")]
    counts = {"governments": len(govs), "ledger": 0, "reports": 0, "versions": 0}
    with db:
        for e in govs:
            province = (reg.ancestors(e) or [e])[-1].name
            db.execute("INSERT INTO governments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (e.code, e.full_name, e.level, province, e.parent, None, e.home_url, None))
            for year in YEARS:
                due = f"{year + 1}-04-01"
                rid = status = days = published = None
                if year == YEARS[-1]:
                    status = "not_due"
                elif rng.random() < share:
                    rid = hashlib.sha1(f"{e.code}-{year}".encode()).hexdigest()[:16]
                    offset = int(rng.gauss(-20, 25))
                    published = f"{year + 1}-{4 if offset > 0 else 3:02d}-{min(28, max(1, abs(offset) % 28 + 1)):02d}"
                    days = max(0, offset)
                    status = "late" if offset > 0 else "on_time"
                    per = body_chars // len(PARTS)
                    sections = [{"heading": h, "part": p, "text": (f"{e.name}{year}年。" + para * (per // len(para) + 1))[:per]}
                                for h, p in zip(HEADINGS, PARTS)]
                    body = "\n\n".join(f"{s['heading']}\n\n{s['text']}" for s in sections)
                    title = f"{e.full_name}关于{year}年度法治政府建设情况的报告"
                    versions = 2 if rng.random() < 0.05 else 1
                    db.execute(f"INSERT INTO reports VALUES ({', '.join('?' * 20)})",
                               (rid, title, year, e.full_name, e.code, e.level, published, None, None,
                                f"http://gov.example/{rid}.html", e.code, versions, "2025-01-01T00:00:00Z",
                                "2025-06-01T00:00:00Z", 0, "[]", 5, json.dumps(sections, ensure_ascii=False), body,
                                e.code))
                    for v in range(1, versions + 1):
                        text = body if v == versions else body.replace("新进展", "新成效", 3)
                        db.execute("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?)",
                                   (rid, v, f"h{v}", f"2025-0{v}-01T00:00:00Z", title, text))
                        counts["versions"] += 1
                    db.execute("INSERT INTO addresses VALUES (?, ?, ?)", (rid, f"http://gov.example/{rid}.html", e.code))
                    if versions == 2:
                        db.execute("INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?)",
                                   ("r2", "2025-02-01T00:00:00Z", rid, "updated", title,
                                    json.dumps({"paragraphs_added": 0, "paragraphs_removed": 0, "paragraphs_changed": 1})))
                    counts["reports"] += 1
                else:
                    status = rng.choice(["missing", "unknown"])
                db.execute(f"INSERT INTO ledger VALUES ({', '.join('?' * 13)})",
                           (e.code, e.full_name, e.level, province, year, due, status, days, rid, None, published,
                            "[]", None))
                counts["ledger"] += 1
    db.close()
    return counts


CHILD = """
import json, resource, sys, time
from govlaw.htmlreport import write_report
started = time.perf_counter()
write_report(sys.argv[1])
print(json.dumps([time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--share", type=float, default=0.6, help="share of government-years with a report")
    parser.add_argument("--body-chars", type=int, default=12000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        counts = make_database(out / "govlaw.db", args.share, args.body_chars)
        print(f"database: {counts} in {time.perf_counter() - started:.1f}s, "
              f"{(out / 'govlaw.db').stat().st_size / 1e6:.0f} MB")
        # In a child process: its peak resident memory is the report's alone.
        child = subprocess.run([sys.executable, "-c", CHILD, str(out)], capture_output=True, text=True, check=True)
        seconds, peak_kb = json.loads(child.stdout.splitlines()[-1])
        index = out / "report" / "index.html"
        pages = sorted(index.parent.rglob("*.html"), key=lambda p: p.stat().st_size)
        total = sum(p.stat().st_size for p in pages)
        province = [p for p in pages if p.name.startswith("province-")]
        print(f"report: {len(pages)} pages, {total / 1e6:.0f} MB in {seconds:.1f}s, peak resident memory "
              f"{peak_kb / 1e3:.0f} MB")
        print(f"index.html {(index.parent / 'index.html').stat().st_size / 1e3:.0f} kB; largest province page "
              f"{province[-1].name} {province[-1].stat().st_size / 1e3:.0f} kB; largest page {pages[-1].name} "
              f"{pages[-1].stat().st_size / 1e3:.0f} kB")
        # Again from the same database: every report's page is kept (a hard link), none rendered.
        child = subprocess.run([sys.executable, "-c", CHILD, str(out)], capture_output=True, text=True, check=True)
        seconds, peak_kb = json.loads(child.stdout.splitlines()[-1])
        print(f"report again, nothing changed: {seconds:.1f}s, peak resident memory {peak_kb / 1e3:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

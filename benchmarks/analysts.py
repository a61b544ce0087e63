"""Time and peak memory of the analysts' exports (ledger, CSVs, govlaw.db
with its trigram index) for a national-size state, and the time of a
full-text search by the index (4 characters) and by the texts (2).

A state of N synthetic reports (default 3,210, one per government of the
national registry, bodies of about 12,000 characters) is made once, with a
portal summary for every government; the ledger covers them all, 2019 to
last year.

    .venv/bin/python benchmarks/analysts.py [--reports 3210] [--body-chars 12000]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
import tracemalloc
from pathlib import Path


def make_state(path: Path, n: int, body_chars: int):
    from govlaw import registry
    from govlaw.sources import Portal
    from govlaw.state.sqlite import SQLiteStore

    govs = [e for e in registry.load().entries if e.level != "department"][:n]
    store = SQLiteStore(path)
    para = "本年度，我市深入推进依法行政，加快建设法治政府，各项工作取得新进展。"
    portals = []
    with store.db:
        store.db.execute("BEGIN IMMEDIATE")
        for i, gov in enumerate(govs):
            rid = hashlib.sha1(str(i).encode()).hexdigest()[:16]
            year = 2019 + i % 6
            body = (f"第{i}号报告。行政复议{i % 7}。" + para * (body_chars // len(para) + 1))[:body_chars]
            rec = {"id": rid, "version": 1, "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                   "report_year": year, "publish_date": f"{year + 1}-0{2 + i % 3}-1{i % 10}",
                   "publisher": gov.full_name, "region_code": gov.code, "admin_level": gov.level,
                   "title": f"{gov.full_name}关于{year}年度法治政府建设情况的报告", "body": body,
                   "sections": [], "missing_parts": ["other"], "url": f"http://gov.example/{i}.html",
                   "urls": [f"http://gov.example/{i}.html"], "portal": f"p{i}",
                   "first_seen": "2025-01-01T00:00:00Z", "last_seen": "2025-01-01T00:00:00Z",
                   "withdrawn": False, "history": []}
            store.db.execute("INSERT INTO reports (id, version, content_hash, report_year, folded, record, withdrawn)"
                             " VALUES (?, 1, ?, ?, '', ?, 0)", (rid, rec["content_hash"], year,
                                                               json.dumps(rec, ensure_ascii=False)))
            summary = {"listing_pages": 1 + i % 3, "listing_failures": [] if i % 10 else ["timeout"], "flag": None}
            store.db.execute("INSERT INTO portal_runs (run_id, portal, summary) VALUES (?, ?, ?)",
                             ("20260501T000000Z", f"p{i}", json.dumps(summary)))
            portals.append(Portal(id=f"p{i}", name=gov.full_name, start_urls=(f"http://gov.example/{i}/",),
                                  region_code=gov.code))
    store.close()
    return portals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=3210)
    parser.add_argument("--body-chars", type=int, default=12000)
    args = parser.parse_args()

    from govlaw import analysts
    from govlaw.analysts.search import search

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        portals = make_state(out / "state.sqlite", args.reports, args.body_chars)
        options = analysts.Options(portals=portals)
        tracemalloc.start()
        started = time.perf_counter()
        written = analysts.export(out / "state.sqlite", out, options)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"reports {written['reports.csv']}, ledger rows {written['ledger.csv']}: export {seconds:.1f} s, "
              f"peak Python memory {peak / 2**20:.0f} MiB, govlaw.db {(out / 'govlaw.db').stat().st_size / 2**20:.0f} "
              f"MiB, state {(out / 'state.sqlite').stat().st_size / 2**20:.0f} MiB")
        for phrase in ("行政复议3", "复议"):
            started = time.perf_counter()
            hits = len(search(out / "govlaw.db", phrase))
            print(f"search {phrase}: {hits} reports in {1000 * (time.perf_counter() - started):.0f} ms")


if __name__ == "__main__":
    main()

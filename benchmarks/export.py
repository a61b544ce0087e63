"""Peak memory of writing the snapshot (reports.jsonl) of a large state:
the whole file built as one string, then written (as before), against each
record's line written as it is read from the state (feed.export).

A state of N synthetic reports (default 5,000, each with a body of about
12,000 characters, the size of a typical report) is made once; each way of
writing it runs in its own process, where tracemalloc gives the peak of
Python's allocations during the write. Both files must be the same bytes.

    .venv/bin/python benchmarks/export.py [--reports 5000] [--body-chars 12000]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_state(path: Path, n: int, body_chars: int) -> None:
    from govlaw.state.sqlite import SQLiteStore

    store = SQLiteStore(path)
    para = "本年度，我市深入推进依法行政，加快建设法治政府，各项工作取得新进展。"
    with store.db:
        store.db.execute("BEGIN IMMEDIATE")
        for i in range(n):
            rid = hashlib.sha1(str(i).encode()).hexdigest()[:16]
            body = (f"第{i}号报告。" + para * (body_chars // len(para) + 1))[:body_chars]
            rec = {"id": rid, "version": 1, "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                   "report_year": 2015 + i % 10, "publish_date": f"{2016 + i % 10}-03-01",
                   "title": f"某市人民政府关于{2015 + i % 10}年度法治政府建设情况的报告（{i}）", "body": body,
                   "url": f"http://gov.example/{i}.html", "urls": [f"http://gov.example/{i}.html"],
                   "first_seen": "2025-01-01T00:00:00Z", "last_seen": "2025-01-01T00:00:00Z",
                   "withdrawn": False, "history": [{"version": 1, "content_hash": "0" * 64}]}
            store.db.execute("INSERT INTO reports (id, version, content_hash, report_year, folded, record, withdrawn)"
                             " VALUES (?, ?, ?, ?, '', ?, 0)", (rid, 1, rec["content_hash"], rec["report_year"],
                                                               json.dumps(rec, ensure_ascii=False, sort_keys=True)))
    store.close()


def child(mode: str, state: Path, out: Path) -> None:
    import tracemalloc

    from govlaw import feed
    from govlaw.state.sqlite import SQLiteStore

    store = SQLiteStore(state)
    tracemalloc.start()
    if mode == "whole":
        feed.atomic_write(out, feed.jsonl(store.all_reports()))
    else:
        feed.atomic_write(out, feed.jsonl_lines(store.all_reports()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    print(json.dumps({"peak": peak, "bytes": out.stat().st_size,
                      "sha256": hashlib.sha256(out.read_bytes()).hexdigest()}))


def measure(mode: str, state: Path, out: Path) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", mode, str(state), str(out)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=5000)
    ap.add_argument("--body-chars", type=int, default=12000)
    ap.add_argument("--child", nargs=3, metavar=("MODE", "STATE", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        mode, state, out = args.child
        child(mode, Path(state), Path(out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_state(tmp / "state.sqlite", args.reports, args.body_chars)
        whole = measure("whole", tmp / "state.sqlite", tmp / "whole.jsonl")
        stream = measure("stream", tmp / "state.sqlite", tmp / "stream.jsonl")
    assert whole["sha256"] == stream["sha256"], "the two snapshots differ"
    mib = 1024 * 1024
    print(f"{args.reports} reports, snapshot {whole['bytes'] / mib:.1f} MiB (same bytes both ways)")
    print(f"whole file in memory: peak {whole['peak'] / mib:.1f} MiB")
    print(f"streamed:             peak {stream['peak'] / mib:.2f} MiB")
    print(f"ratio whole/streamed: {whole['peak'] / max(1, stream['peak']):.0f}x")


if __name__ == "__main__":
    main()

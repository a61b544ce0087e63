"""Requests and bytes of scheduled re-runs, as ratios to the first run.

Runs the real spider against the demo portals, all into one output:
  1. first run (state 1)
  2. re-run, nothing changed (every known report revalidated)
  2b. the same with the default revalidation by age: reports of the last
     GOVLAW_REVALIDATE_RECENT_YEARS years only, the older ones confirmed
     less than GOVLAW_REVALIDATE_OLD_DAYS ago rest
  3. re-run after state 2: two new reports, one corrected, one withdrawn
  4. the same as 3 with -a full=1 — what a crawl without incremental state
     (a stock Scrapy crawl of the same columns) downloads

    .venv/bin/python benchmarks/incremental.py
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govlaw.demo.server import DemoPortals

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"]
EVERY_REPORT = ["-s", "GOVLAW_REVALIDATE_OLD_DAYS=0"]


def crawl(sources, output, *extra):
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sources={sources}",
                           "-s", f"GOVLAW_OUTPUT_DIR={output}", *FAST, *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started

    def stat(name):
        m = re.search(rf"'{re.escape(name)}': (\d+)", proc.stderr)
        return int(m.group(1)) if m else 0

    return {"requests": stat("downloader/request_count"), "bytes": stat("downloader/response_bytes"),
            "full_pages": stat("downloader/response_status_count/200"),
            "not_modified": stat("downloader/response_status_count/304"), "seconds": seconds}


def main():
    with tempfile.TemporaryDirectory() as tmp, DemoPortals() as demo:
        sources, output = Path(tmp) / "sources.yaml", Path(tmp) / "out"
        demo.write_sources(sources)
        rows = [("first run (state 1)", crawl(sources, output)),
                ("re-run, unchanged, every report revalidated", crawl(sources, output, *EVERY_REPORT)),
                ("re-run, unchanged, revalidation by age (default)", crawl(sources, output))]
        demo.set_state(2)
        rows.append(("re-run, state 2 (2 new, 1 corrected, 1 withdrawn)", crawl(sources, output, *EVERY_REPORT)))
        rows.append(("state 2 with -a full=1 (no incremental state)", crawl(sources, output, "-a", "full=1")))
    base = rows[0][1]
    print(f"{'run':52} {'requests':>8} {'ratio':>6} {'bytes':>9} {'ratio':>6} {'200s':>5} {'304s':>5} {'s':>5}")
    for name, r in rows:
        print(f"{name:52} {r['requests']:8d} {r['requests'] / base['requests']:6.1%} {r['bytes']:9d} "
              f"{r['bytes'] / base['bytes']:6.1%} {r['full_pages']:5d} {r['not_modified']:5d} {r['seconds']:5.1f}")
    print("(200s include the five robots.txt files, fetched in full by every run)")


if __name__ == "__main__":
    main()

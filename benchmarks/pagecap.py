"""Time and peak memory of a crawl that meets a 50 MB page, with the page cap
(the default: GOVLAW_MAX_PAGE_BYTES 4 MiB, GOVLAW_MAX_PAGE_CHARS 400,000)
and without it.

One loopback portal lists one page: 汕尾's 2020 report followed by filler
paragraphs up to 50 MB, announced by its Content-Length (or, with
--stream, without one: the crawler only learns the size by receiving it).
Each crawl runs in its own process; its peak resident memory is that
process's ru_maxrss. A crawl of the same portal with nothing on it is the
baseline: what the engine itself takes.

    .venv/bin/python benchmarks/pagecap.py [--size-mb 50] [--stream] [--no-uncapped]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from govlaw.demo.catalog import load_documents
from govlaw.demo.reposter import RepostPortal, oversized_page

ROOT = Path(__file__).resolve().parent.parent

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO"]
UNCAPPED = ["-s", "GOVLAW_MAX_PAGE_BYTES=0", "-s", "GOVLAW_MAX_PAGE_CHARS=0", "-s", "DOWNLOAD_MAXSIZE=0",
            "-s", "DOWNLOAD_TIMEOUT=600"]


def crawl(sources: Path, output: Path, *extra: str) -> dict:
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings")
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sources={sources}",
           "-s", f"GOVLAW_OUTPUT_DIR={output}", *FAST, *extra]
    started = time.perf_counter()
    with open(output.parent / f"{output.name}.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"crawl failed: see {output.parent / (output.name + '.log')}")
    run = json.loads(sorted((output / "runs").glob("*.json"))[-1].read_text())["portals"]["mmxsfj"]
    longest = max((len(r["body"]) for r in map(json.loads, (output / "reports.jsonl").read_text().splitlines())),
                  default=0)
    return {"seconds": seconds, "peak_mib": usage.ru_maxrss / 1024, "reports": run["reports"],
            "not_read": run["not_read"], "longest_body": longest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--stream", action="store_true", help="serve the page without Content-Length")
    parser.add_argument("--no-uncapped", action="store_true", help="skip the (slow) crawl without the cap")
    args = parser.parse_args()
    doc = next(d for d in load_documents() if d.slug == "shanwei-report-2020")
    page = oversized_page(doc, args.size_mb * 1024 * 1024)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, RepostPortal() as site:
        tmp = Path(tmp)
        sources = tmp / "sources.yaml"
        sources.write_text(yaml.safe_dump([site.portal], allow_unicode=True), encoding="utf-8")
        rows.append(("baseline: the portal lists nothing", crawl(sources, tmp / "base")))
        site.add_page("/xxgk/fzzf/content/huge.html", doc.title, page, content_length=not args.stream)
        rows.append((f"{len(page) / 2**20:.0f} MiB page, capped (default)", crawl(sources, tmp / "capped")))
        if not args.no_uncapped:
            rows.append((f"{len(page) / 2**20:.0f} MiB page, no cap", crawl(sources, tmp / "uncapped", *UNCAPPED)))
    print(f"{'crawl':40} {'seconds':>8} {'peak MiB':>9} {'reports':>8} {'longest body':>13}  not_read")
    for name, r in rows:
        print(f"{name:40} {r['seconds']:8.1f} {r['peak_mib']:9.0f} {r['reports']:8d} {r['longest_body']:13d}  "
              f"{r['not_read'] or ''}")


if __name__ == "__main__":
    main()

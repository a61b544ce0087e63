"""What finding the reports from a home page costs: the demo governments
given by home page only (govlaw.demo.homes), crawled in their first state
and again in their second (one column moved, one new report each).

    .venv/bin/python benchmarks/discovery.py

Prints per government how its reports were found and how many pages
discovery fetched in each run, and the averages, beside the pages the whole
run fetched (discovery's share of the crawl).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govlaw.demo.homes import HomePortals  # noqa: E402

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]


def crawl(sources: Path, output: Path) -> dict:
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings")
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sources={sources}",
                    "-s", f"GOVLAW_OUTPUT_DIR={output}", *FAST], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    latest = sorted((output / "runs").glob("*.json"))[-1]
    return json.loads(latest.read_text(encoding="utf-8"))["portals"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, HomePortals() as homes:
        sources = Path(tmp) / "sources.yaml"
        homes.write_sources(sources)
        runs = []
        for state in (1, 2):
            homes.set_state(state)
            homes.clear_requests()
            portals = crawl(sources, Path(tmp) / "out")
            served = {p["id"]: len(homes.requests(p["id"])) for p in homes.portals}
            runs.append((portals, served))
    print(f"{'government':10} {'found via (1st)':16} {'disc. 1st':>9} {'all 1st':>8} {'found via (2nd)':16} "
          f"{'disc. 2nd':>9} {'all 2nd':>8}")
    for pid in sorted(runs[0][0]):
        a, b = runs[0][0][pid], runs[1][0][pid]
        print(f"{pid:10} {str(a['found_via']):16} {a['discovery_requests']:9d} {runs[0][1][pid]:8d} "
              f"{str(b['found_via']):16} {b['discovery_requests']:9d} {runs[1][1][pid]:8d}")
    for i, label in enumerate(("first run", "second run")):
        disc = [c["discovery_requests"] for c in runs[i][0].values()]
        total = sum(runs[i][1].values())
        print(f"{label}: {sum(disc) / len(disc):.1f} discovery pages per government on average "
              f"(max {max(disc)}), {sum(disc)} of {total} requests served = {sum(disc) / total:.0%} of the crawl")


if __name__ == "__main__":
    main()

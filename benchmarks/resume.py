"""SIGKILL at random moments of a crawl of N farm portals: what the runs that
resume it fetch again, and whether the final feed equals an uninterrupted
run's.

    .venv/bin/python benchmarks/resume.py [--portals 400] [--kills 3] [--seed 1]

The reference is the same crawl run once without interruption, in the same
run of this script. Every crawl is the real `scrapy crawl reports` in its own
process, with the project's settings but no politeness delays (loopback).
Printed: requests of the uninterrupted run; for each killed run, requests
served to it and how many of them the later runs asked for again; the share
refetched; whether the feeds (snapshot and change lines, timestamps aside)
are equal.
"""
from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # this folder's incremental.py would shadow the package Twisted imports
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import argparse
import random
import signal
import subprocess
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portals", type=int, default=400)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shim = work / "shim"
        shim.mkdir()
        (shim / "farm.py").symlink_to(_HERE / "farm.py")
        sys.path.insert(0, str(shim))
        import farm
        import yaml

        with farm.FarmServer(args.portals) as server:
            sources = work / "sources.yaml"
            sources.write_text(yaml.safe_dump([server.farm.source(k) for k in range(args.portals)],
                                              allow_unicode=True), encoding="utf-8")
            crawl = Crawl(server, sources, shim)
            whole = crawl.run(work / "whole")
            print(f"{args.portals} portals; uninterrupted run: {len(whole):,} requests")
            rng = random.Random(args.seed)
            out = work / "killed"
            fetched: set = set()
            killed_total = again = 0
            for i in range(args.kills):
                at = int(len(whole) * rng.uniform(0.1, 0.9) / (i + 1))
                served = crawl.run(out, kill_after=at)
                keys = {(k, a) for k, a, _ in served if not a.endswith("/robots.txt")}
                repeat = len(keys & fetched)
                again += repeat
                killed_total += len(keys)
                fetched |= keys
                print(f"  run {i + 1} killed after {len(served):,} requests ({repeat:,} asked again)")
            served = crawl.run(out)
            keys = {(k, a) for k, a, _ in served if not a.endswith("/robots.txt")}
            repeat = len(keys & fetched)
            again += repeat
            print(f"  final run: {len(served):,} requests ({repeat:,} asked again)")
            print(f"refetched: {again:,} of {killed_total:,} pages the killed runs fetched "
                  f"= {again / max(killed_total, 1):.1%}")
            from govlaw.feed import without_run_times
            same = without_run_times(out) == without_run_times(work / "whole")
            print(f"final feed equals the uninterrupted run's: {'yes' if same else 'NO'}")


class Crawl:
    def __init__(self, server, sources: Path, shim: Path):
        from scrapy.settings import default_settings
        resolver = "TWISTED_DNS_RESOLVER" if hasattr(default_settings, "TWISTED_DNS_RESOLVER") else "DNS_RESOLVER"
        self.server = server
        self.cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sources={sources}",
                    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"{resolver}=farm.FarmResolver",
                    "-s", "LOG_LEVEL=WARNING"]
        self.env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings",
                        PYTHONPATH=os.pathsep.join([str(shim), str(ROOT)]))

    def run(self, output: Path, kill_after: int | None = None) -> list:
        self.server.reset()
        proc = subprocess.Popen(self.cmd + ["-s", f"GOVLAW_OUTPUT_DIR={output}"], cwd=ROOT, env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        if kill_after is None:
            if proc.wait() != 0:
                raise SystemExit(f"crawl into {output} exited {proc.returncode}")
        else:
            while self.server.requests < kill_after and proc.poll() is None:
                time.sleep(0.01)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        return list(self.server.served)


if __name__ == "__main__":
    main()

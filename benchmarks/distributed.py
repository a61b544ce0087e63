"""One and two workers of a distributed run over N farm portals: pages/s,
the Redis memory of the queues (portals, requests, fingerprints), the
PostgreSQL bytes per report.

    .venv/bin/python benchmarks/distributed.py [--portals 200]

Private Redis and PostgreSQL servers are started for the run (as the tests
start them). Each worker is the real `scrapy crawl reports` in its own
process with GOVLAW_REDIS_URL and GOVLAW_STATE_URL. The references, in the
same run of this script over the same farm: one process with the same
PostgreSQL state and no Redis (Scrapy's own scheduler), and one worker.
Redis is sampled while the workers run: the requests queued and fingerprints
kept per portal (scrapy-redis' sorted sets and sets), and their memory by
MEMORY USAGE.
"""
from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # this folder's incremental.py would shadow the package Twisted imports
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import argparse
import subprocess
import tempfile
import threading
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent


class RedisSampler(threading.Thread):
    """The largest number of queued requests and of fingerprints seen at
    once in a run's per-portal keys, with the bytes they took then."""

    def __init__(self, r, prefix: str):
        super().__init__(daemon=True)
        self.r, self.prefix, self.stop = r, prefix, threading.Event()
        self.most = {"requests": (0, 0), "seen": (0, 0)}

    def run(self):
        while not self.stop.wait(0.2):
            for kind, count in (("requests", self.r.zcard), ("seen", self.r.scard)):
                keys = list(self.r.scan_iter(f"{self.prefix}:portal:*:{kind}", count=1000))
                entries = sum(count(k) for k in keys)
                size = sum(self.r.memory_usage(k, samples=0) or 0 for k in keys)
                if entries > self.most[kind][0]:
                    self.most[kind] = (entries, size)

    def figures(self) -> str:
        (requests, rbytes), (seen, sbytes) = self.most["requests"], self.most["seen"]
        return (f"Redis at most {requests:,} requests queued at once, {rbytes / max(requests, 1):.0f} bytes each; "
                f"{seen:,} fingerprints, {sbytes / max(seen, 1):.0f} bytes each")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portals", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import psycopg
    import redis
    import yaml

    from tests.servers import postgres_server, redis_server

    with tempfile.TemporaryDirectory() as tmp, postgres_server() as pg, redis_server() as (rurl, _):
        work = Path(tmp)
        shim = work / "shim"
        shim.mkdir()
        (shim / "farm.py").symlink_to(_HERE / "farm.py")
        sys.path.insert(0, str(shim))
        import farm

        from scrapy.settings import default_settings
        resolver = "TWISTED_DNS_RESOLVER" if hasattr(default_settings, "TWISTED_DNS_RESOLVER") else "DNS_RESOLVER"
        r = redis.Redis.from_url(rurl)
        with farm.FarmServer(args.portals) as server:
            sources = work / "sources.yaml"
            sources.write_text(yaml.safe_dump([server.farm.source(k) for k in range(args.portals)],
                                              allow_unicode=True), encoding="utf-8")
            env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings",
                       PYTHONPATH=os.pathsep.join([str(shim), str(ROOT)]))
            print(f"{args.portals} farm portals; no delays; 16 requests at a time, 2 per host, in each worker")
            common = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"{resolver}=farm.FarmResolver",
                      "-s", "LOG_LEVEL=WARNING", "-s", "GOVLAW_HTML_REPORT=0", "-s", "GOVLAW_ANALYST_EXPORTS=0"]
            rates = {}
            for workers in (0, 1, 2):  # 0: one process, no Redis
                name = f"w{workers}"
                with psycopg.connect(pg, autocommit=True) as admin:
                    admin.execute(f"CREATE DATABASE {name}")
                state = pg.rsplit("/", 1)[0] + "/" + name
                settings = ["-s", f"GOVLAW_STATE_URL={state}"]
                queued = 0
                if workers:
                    settings += ["-s", f"GOVLAW_REDIS_URL={rurl}", "-s", f"GOVLAW_REDIS_PREFIX={name}"]
                    subprocess.run([sys.executable, "-m", "govlaw.cli", "queue", "-a", f"sources={sources}",
                                    *settings], cwd=ROOT, env=env, check=True, capture_output=True)
                    queued = r.memory_usage(f"{name}:queue", samples=0)
                sampler = RedisSampler(r, name)
                sampler.start()
                server.reset()
                started = time.monotonic()
                own = [] if workers else ["-a", f"sources={sources}"]
                procs = [subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "reports", *own, *settings, *common,
                                           "-s", f"GOVLAW_OUTPUT_DIR={work / name / str(i)}"],
                                          cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                         for i in range(max(workers, 1))]
                for p in procs:
                    if p.wait() != 0:
                        raise SystemExit(f"a worker exited {p.returncode}")
                sampler.stop.set()
                sampler.join()
                wall = time.monotonic() - started
                span = server.last - server.first
                rates[workers] = server.requests / span
                with psycopg.connect(state) as db:
                    size = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
                    reports = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
                    empty = db.execute("SELECT pg_database_size('template1')").fetchone()[0]
                who = {0: "one process, no Redis", 1: "1 worker", 2: "2 workers"}[workers]
                print(f"{who}: {server.requests:,} requests in {span:.1f} s = {rates[workers]:.1f} pages/s"
                      f"{f' ({rates[workers] / rates[0]:.2f}x the process without Redis)' if workers else ''}"
                      f" (wall {wall:.1f} s); {reports} reports; "
                      f"PostgreSQL {(size - empty) / max(reports, 1) / 1024:.1f} KiB per report"
                      + (f"; Redis {queued / args.portals:.0f} bytes per queued portal; {sampler.figures()}"
                         if workers else ""))
            print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")

if __name__ == "__main__":
    main()

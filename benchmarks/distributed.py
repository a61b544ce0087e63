"""One and two workers of a distributed run over N farm portals: pages/s,
the Redis memory of the queue, the PostgreSQL bytes per report.

    .venv/bin/python benchmarks/distributed.py [--portals 200]

Private Redis and PostgreSQL servers are started for the run (as the tests
start them). Each worker is the real `scrapy crawl reports` in its own
process with GOVLAW_REDIS_URL and GOVLAW_STATE_URL; the reference is one
worker over the same farm in the same run of this script.
"""
from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # this folder's incremental.py would shadow the package Twisted imports
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent


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
            for workers in (1, 2):
                name = f"w{workers}"
                with psycopg.connect(pg, autocommit=True) as admin:
                    admin.execute(f"CREATE DATABASE {name}")
                state = pg.rsplit("/", 1)[0] + "/" + name
                settings = ["-s", f"GOVLAW_REDIS_URL={rurl}", "-s", f"GOVLAW_REDIS_PREFIX={name}",
                            "-s", f"GOVLAW_STATE_URL={state}"]
                before = r.info("memory")["used_memory"]
                subprocess.run([sys.executable, "-m", "govlaw.cli", "queue", "-a", f"sources={sources}", *settings],
                               cwd=ROOT, env=env, check=True, capture_output=True)
                queued = r.info("memory")["used_memory"] - before
                server.reset()
                started = time.monotonic()
                procs = [subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "reports", *settings,
                                           "-s", f"GOVLAW_OUTPUT_DIR={work / name / str(i)}", "-s", "DOWNLOAD_DELAY=0",
                                           "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"{resolver}=farm.FarmResolver",
                                           "-s", "LOG_LEVEL=WARNING", "-s", "GOVLAW_HTML_REPORT=0"],
                                          cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                         for i in range(workers)]
                for p in procs:
                    if p.wait() != 0:
                        raise SystemExit(f"a worker exited {p.returncode}")
                wall = time.monotonic() - started
                span = server.last - server.first
                with psycopg.connect(state) as db:
                    size = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
                    reports = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
                    empty = db.execute("SELECT pg_database_size('template1')").fetchone()[0]
                print(f"{workers} worker{'s' if workers > 1 else ''}: {server.requests:,} requests in {span:.1f} s"
                      f" = {server.requests / span:.1f} pages/s (wall {wall:.1f} s); {reports} reports; "
                      f"PostgreSQL {(size - empty) / max(reports, 1) / 1024:.1f} KiB per report; "
                      f"Redis {queued / args.portals:.0f} bytes per queued portal")


if __name__ == "__main__":
    main()

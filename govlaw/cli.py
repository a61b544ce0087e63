"""govlaw's command line.

    govlaw extract PAGE...          saved HTML pages or text dumps → one JSON line each
    govlaw demo serve               serve the bundled demo portals on loopback
    govlaw demo crawl [--output D]  serve them and crawl them into D (default output/)
    govlaw crawl [-a/-s …]          `scrapy crawl reports` with govlaw's settings, from anywhere
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from govlaw.extract import extract_html, extract_text
from govlaw.extract.html import decode

def extract_file(path: str) -> dict:
    """One saved page, text dump or report file → one JSON-able dict."""
    from govlaw.extract.saved import extract_saved

    return extract_saved(path)


def cmd_extract(args) -> int:
    failures = 0
    for path in args.paths:
        result = extract_file(path)
        failures += "error" in result
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 1 if failures else 0


def scrapy_env() -> dict:
    env = dict(os.environ)
    env.setdefault("SCRAPY_SETTINGS_MODULE", "govlaw.settings")
    return env


def run_crawl(sources: str | None, output: str, extra: list[str] | None = None) -> int:
    """`scrapy crawl reports` in a child process: the Twisted reactor runs
    once per process, and a child keeps the feed safe if it is killed."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-s", f"GOVLAW_OUTPUT_DIR={output}"]
    if sources:
        cmd += ["-a", f"sources={sources}"]
    cmd += extra or []
    return subprocess.call(cmd, env=scrapy_env())


# Loopback demo portals need no politeness delay; real portals keep the defaults.
DEMO_SETTINGS = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


def cmd_demo(args) -> int:
    from govlaw.demo.server import DemoPortals

    try:
        hostile = None
        if args.hostile:
            from govlaw.demo.hostile import Hostile

            hostile = Hostile(rate=args.hostile)
        demo = DemoPortals(host=args.host, base_port=args.base_port, state=args.state, hostile=hostile).start()
    except OSError as exc:
        sys.stderr.write(f"govlaw: cannot serve the demo portals on {args.host}:{args.base_port}…: {exc.strerror}; "
                         "try --base-port 0 (any free ports)\n")
        return 2
    with demo:
        output = Path(args.output)
        output.mkdir(parents=True, exist_ok=True)
        sources = output / "demo-sources.yaml"
        demo.write_sources(sources)
        for p in demo.portals:
            print(f"{p['id']:10} {p['name']}  {p['start_urls'][0]}")
        if args.action == "serve":
            print(f"sources written to {sources}; Ctrl-C to stop")
            try:
                import time
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
        return run_crawl(str(sources), str(output), DEMO_SETTINGS + [a for kv in args.set for a in ("-s", kv)])


def cmd_crawl(args) -> int:
    return subprocess.call([sys.executable, "-m", "scrapy", "crawl", "reports", *args.scrapy_args], env=scrapy_env())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govlaw", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract saved pages or text dumps, one JSON line per file")
    p.add_argument("paths", nargs="+")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("demo", help="serve the bundled demo portals, and crawl them")
    p.add_argument("action", choices=["serve", "crawl"])
    p.add_argument("--output", default="output")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--base-port", type=int, default=8701,
                   help="first port (default 8701; the same ports each time keep the demo's addresses, so a second "
                        "`make demo` is an incremental run); 0 for any free ports")
    p.add_argument("--state", type=int, default=1, help="document state to serve (2: new, corrected, withdrawn)")
    p.add_argument("--hostile", type=float, default=0.0, metavar="RATE",
                   help="hostile mode: fault this share of requests (e.g. 0.2) and serve the traps")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting for the crawl (repeatable)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("crawl", help="scrapy crawl reports with govlaw's settings")
    p.add_argument("scrapy_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_crawl)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

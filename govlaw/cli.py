"""govlaw's command line.

    govlaw extract PAGE...          saved HTML pages or text dumps → one JSON line each
    govlaw demo serve               serve the bundled demo portals on loopback
    govlaw demo crawl [--output D]  serve them and crawl them into D (default output/)
    govlaw crawl [-a/-s …]          `scrapy crawl reports` with govlaw's settings, from anywhere
    govlaw state check|restore      verify the state, list its backups; put back the last good one
    govlaw registry stats|show|export   the national registry of governments; a sources file from it
    govlaw search PHRASE            reports containing a phrase, from <output>/govlaw.db
    govlaw ledger [--sources FILE]  write the ledger, the CSVs and govlaw.db again from the state
    govlaw report [--output D]      the HTML report (D/report/) from D/govlaw.db
    govlaw --debug …                tracebacks behind error messages
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
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


# A crawl asked to stop finishes the requests under way and closes the run; if
# it has not ended this long after the signal, it is killed.
STOP_GRACE_SECONDS = 30.0


def run_child(cmd: list[str], env: dict | None = None) -> int:
    """Run `cmd` and wait for it, taking it down with us: SIGINT, SIGTERM and
    SIGHUP are passed on to it (in its own process group, so a terminal's
    Ctrl-C reaches it once, through us) and we wait until it has stopped.
    Returns its exit status, or 128 + the signal when we were asked to stop."""
    own_group = {"process_group": 0} if sys.version_info >= (3, 11) else {"start_new_session": True}
    proc = subprocess.Popen(cmd, env=env, **own_group)
    received: list[int] = []

    def forward(signum, frame):
        received.append(signum)
        try:
            proc.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)
        except ProcessLookupError:
            pass

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, forward) for s in handled}
    deadline = None
    try:
        while True:
            try:
                code = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if received and deadline is None:
                    deadline = time.monotonic() + STOP_GRACE_SECONDS
                if deadline is not None and time.monotonic() > deadline:
                    proc.kill()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 + received[0] if received else code


def run_crawl(sources: str | None, output: str, extra: list[str] | None = None) -> int:
    """`scrapy crawl reports` in a child process: the Twisted reactor runs
    once per process, and a child keeps the feed safe if it is killed."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-s", f"GOVLAW_OUTPUT_DIR={output}"]
    if sources:
        cmd += ["-a", f"sources={sources}"]
    cmd += extra or []
    return run_child(cmd, env=scrapy_env())


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
        from govlaw.errors import GovlawError, report
        from govlaw.run import check_output_dir

        try:
            output = check_output_dir(args.output, "pass --output <a directory you can write to>")
        except GovlawError as exc:
            return report(exc, args.debug)
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


def cmd_crawl(scrapy_args: list[str], debug: bool = False) -> int:
    """`scrapy crawl reports` with the arguments as given (-a, -s, -L, -o …),
    run with govlaw's settings whatever the working directory."""
    args = list(scrapy_args)
    if args[:1] == ["--"]:
        args = args[1:]
    if args[:1] == ["reports"]:
        args = args[1:]
    if debug and "--debug" not in args:
        args.append("--debug")
    return run_child([sys.executable, "-m", "scrapy", "crawl", "reports", *args], env=scrapy_env())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = False
    while argv[:1] == ["--debug"]:
        debug, argv = True, argv[1:]
    if argv[:1] == ["crawl"] and not set(argv[1:2]) & {"-h", "--help"}:
        # Everything after `crawl` is scrapy's (-a, -s, -L …): argparse would
        # take those options for its own.
        return cmd_crawl(argv[1:], debug)

    parser = argparse.ArgumentParser(prog="govlaw", description=__doc__.split("\n")[0])
    parser.add_argument("--debug", action="store_true", help="show the traceback behind an error message")
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

    p = sub.add_parser("crawl", help="scrapy crawl reports with govlaw's settings, from any folder",
                       description="govlaw crawl [-a sources=FILE] [-a portals=ID,…] [-a full=1] [-s NAME=VALUE …] "
                                   "[-L LEVEL] [--debug]: every argument is passed to `scrapy crawl reports`")
    p.add_argument("scrapy_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=lambda a: cmd_crawl(a.scrapy_args, a.debug))

    from govlaw import statecmd

    statecmd.add_parser(sub)  # govlaw state check | restore | versions

    from govlaw import exportcmd

    exportcmd.add_parser(sub)  # govlaw export: the feed files from a state

    from govlaw.distributed import cli as distributedcmd

    distributedcmd.add_parser(sub)  # govlaw queue | status: a run shared by several workers

    from govlaw.registry import cli as registrycmd

    registrycmd.add_parser(sub)  # govlaw registry stats | show | export

    from govlaw.analysts import cli as analystscmd

    analystscmd.add_parser(sub)  # govlaw search PHRASE | govlaw ledger

    from govlaw.htmlreport import cli as reportcmd

    reportcmd.add_parser(sub)  # govlaw report: the HTML report from govlaw.db

    args = parser.parse_args(argv)
    args.debug = args.debug or debug
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

"""`govlaw queue` puts a run's portals in the queue; `govlaw status` shows it."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("queue", help="begin a distributed run: its portals in the Redis queue",
                       description="govlaw queue -a sources=FILE | --registry [--province P] [--level L] "
                                   "-s GOVLAW_REDIS_URL=URL -s GOVLAW_STATE_URL=URL")
    p.add_argument("-a", dest="args", action="append", default=[], metavar="sources=FILE")
    p.add_argument("--registry", action="store_true",
                   help="the portals of the national registry (as `govlaw registry export` writes them)")
    p.add_argument("--province", metavar="NAME", help="with --registry: one province")
    p.add_argument("--level", metavar="LEVEL", help="with --registry: one level")
    p.add_argument("-s", dest="set", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--force", action="store_true", help="replace a run whose portals are not all done")
    p.set_defaults(func=cmd_queue)
    p = sub.add_parser("status", help="the portals of a distributed run: queued, leased, done",
                       description="govlaw status -s GOVLAW_REDIS_URL=URL")
    p.add_argument("-s", dest="set", action="append", default=[], metavar="NAME=VALUE")
    p.set_defaults(func=cmd_status)


def _pairs(items: list[str], what: str) -> dict:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"{what} {item}: give NAME=VALUE")
        out[name] = value
    return out


def _settings(items: list[str]):
    from scrapy.settings import Settings

    return Settings(_pairs(items, "-s"))


def cmd_queue(args) -> int:
    from govlaw.distributed.worker import open_queue, sources_from_text
    from govlaw.errors import GovlawError
    from govlaw.state import StateError, open_store
    from govlaw.state.url import state_location

    try:
        options, settings = _pairs(args.args, "-a"), _settings(args.set)
        if not settings.get("GOVLAW_REDIS_URL") or bool(options.get("sources")) == bool(args.registry):
            raise ValueError("give -a sources=FILE or --registry, and -s GOVLAW_REDIS_URL=redis://HOST:PORT/DB")
        text = _registry_sources(args) if args.registry else Path(options["sources"]).read_text(encoding="utf-8")
        portals = sources_from_text(text)
        queue = open_queue(settings)
        if queue.run_id() and not queue.finished() and not args.force:
            raise ValueError(f"run {queue.run_id()} still has portals queued or leased (see `govlaw status`); "
                             "wait for it, or pass --force to replace it")
        store = open_store(state_location(settings, settings.get("GOVLAW_OUTPUT_DIR", "output")))
    except (ValueError, OSError, GovlawError, StateError) as exc:
        sys.stderr.write(f"govlaw: {exc}\n")
        return 2
    try:
        moment = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        while store.later_run(run_id := moment.strftime("%Y%m%dT%H%M%SZ")):
            moment += dt.timedelta(seconds=1)
        store.begin_run(run_id, moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    finally:
        store.close()
    queue.fill(run_id, text, [p.id for p in portals])
    print(f"run {run_id}: {len(portals)} portals queued")
    return 0


def _registry_sources(args) -> str:
    from govlaw.registry import cli as registry_cli
    from govlaw.registry.lookup import load

    return registry_cli.export(load(), province=args.province, level=args.level)


def cmd_status(args) -> int:
    import time

    from govlaw.distributed.worker import open_queue

    try:
        settings = _settings(args.set)
        if not settings.get("GOVLAW_REDIS_URL"):
            raise ValueError("give -s GOVLAW_REDIS_URL=redis://HOST:PORT/DB")
        status = open_queue(settings).status()
    except Exception as exc:  # a usage error or redis' connection errors
        sys.stderr.write(f"govlaw: {exc}\n")
        return 2
    now = time.time()
    print(f"run {status['run'] or '(none)'}: {len(status['queued'])} queued, {len(status['leased'])} leased, "
          f"{len(status['done'])} done, {len(status['failed'])} failed")
    for portal, lease in sorted(status["leased"].items()):
        late = " (lease expired)" if lease["expires"] < now else ""
        print(f"  {portal}: leased by {lease['worker']} for {now - lease['since']:.0f} s{late}; "
              f"{lease['requests']} requests queued, {lease['seen']} seen")
    if status["failed"]:
        print(f"  failed (their workers died {GIVE_UP}): {', '.join(status['failed'])}")
    return 0


GIVE_UP = "GOVLAW_MAX_LEASES times"

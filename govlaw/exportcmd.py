"""`govlaw export`: the feed files written from a state, with no crawl.

For a state several workers share (GOVLAW_STATE_URL=postgresql://…), one
machine runs this after the workers have finished, or on its own schedule;
the files are those a single-process run writes, derived from the state the
same way (govlaw.feed), written atomically."""
from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="write the feed files (snapshot, change files, Atom) from a state",
                       description="govlaw export [-s GOVLAW_STATE_URL=URL] [-s GOVLAW_OUTPUT_DIR=DIR]")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="GOVLAW_STATE_URL (or GOVLAW_STATE_PATH) and GOVLAW_OUTPUT_DIR, as for a crawl")
    p.set_defaults(func=cmd_export)


def cmd_export(args) -> int:
    import sys

    from govlaw import analysts, feed
    from govlaw.errors import GovlawError
    from govlaw.run import check_output_dir
    from govlaw.state import StateError, open_store
    from govlaw.state.url import state_location

    settings = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.startswith("GOVLAW_"):
            sys.stderr.write(f"govlaw: -s {item}: give a govlaw setting as NAME=VALUE, e.g. "
                             "-s GOVLAW_OUTPUT_DIR=output\n")
            return 2
        settings[name] = value
    try:
        output = check_output_dir(settings.get("GOVLAW_OUTPUT_DIR", "output"))
        where = state_location(settings, output)
        if isinstance(where, Path) and not where.exists():
            sys.stderr.write(f"govlaw: no state at {where}; give -s GOVLAW_STATE_URL=… of a crawled state\n")
            return 2
        store = open_store(where)
    except (GovlawError, StateError) as exc:
        sys.stderr.write(f"govlaw: {exc}\n")
        return getattr(exc, "exit_code", 2)
    try:
        done = feed.export(store, output)
        analysts.export_all(store, output, None)
        count = store.report_count()
    finally:
        store.close()
    print(f"wrote the feed of {count} reports to {output}"
          + (f" (change files of runs {', '.join(done)})" if done else ""))
    return 0

"""`govlaw search` and `govlaw ledger`.

    govlaw search PHRASE [--output D] [--json]     reports containing a phrase (two characters or more)
    govlaw ledger [--output D] [--sources FILE] [--years 2019-2024] [--due MM-DD]
                                                   write the analysts' exports again from the state
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

EX_USAGE = 2


def add_parser(sub) -> None:
    p = sub.add_parser("search", help="full-text search of the reports in <output>/govlaw.db",
                       description="Print the reports whose title or body contains PHRASE (two characters or "
                                   "more): year, publisher, title, address.")
    p.add_argument("phrase", metavar="PHRASE")
    p.add_argument("--output", default="output", help="the output directory (default: output)")
    p.add_argument("--json", action="store_true", help="one JSON line per report instead of a table")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ledger", help="write ledger.csv, reports.csv and govlaw.db again from the state",
                       description="Rebuild the analysts' exports from an existing state, without crawling.")
    p.add_argument("--output", default="output", help="the output directory (default: output)")
    p.add_argument("--state", help="the state file, when not <output>/state.sqlite")
    p.add_argument("--sources", help="the sources file whose governments the ledger accounts for "
                                     "(default: GOVLAW_LEDGER_SOURCES, else the starter registry)")
    p.add_argument("--years", help="report years, e.g. 2019-2024, 2021- or 2022,2024 (default: GOVLAW_LEDGER_YEARS)")
    p.add_argument("--due", help="the due date, MM-DD of the next year (default: GOVLAW_REPORT_DUE)")
    p.add_argument("--csv-bodies", action="store_true", help="include report bodies in reports.csv")
    p.set_defaults(func=cmd_ledger)


def _fail(message: str, code: int = 1) -> int:
    sys.stderr.write(f"govlaw: {message}\n")
    return code


def cmd_search(args) -> int:
    from govlaw.analysts import DB_NAME
    from govlaw.analysts.search import SearchError, search

    try:
        found = search(Path(args.output) / DB_NAME, args.phrase)
    except SearchError as exc:
        return _fail(str(exc), EX_USAGE)
    for r in found:
        if args.json:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(f"{r['report_year'] or '----'}\t{r['publisher'] or ''}\t{r['title'] or ''}\t{r['url'] or ''}\n")
    if not args.json:
        n = len(found)
        sys.stderr.write(f"{n} report{' contains' if n == 1 else 's contain'} {args.phrase.strip()}\n")
    return 0


def _settings():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("govlaw.settings", priority="project")
    return settings


def cmd_ledger(args) -> int:
    from govlaw import analysts
    from govlaw import sources as sources_mod
    from govlaw.analysts.ledger import LedgerSettingError

    settings = _settings()
    output = Path(args.output)
    state = Path(args.state) if args.state else output / "state.sqlite"
    if not state.is_file():
        return _fail(f"no state at {state}; crawl first (govlaw crawl …), or pass --state FILE")
    try:
        portals = sources_mod.load(args.sources or settings.get("GOVLAW_LEDGER_SOURCES"))
    except sources_mod.SourcesError as exc:
        return _fail(str(exc), EX_USAGE)
    options = analysts.Options.from_settings(settings, portals)
    options.enabled = True
    if args.years:
        options.years = args.years
    if args.due:
        options.due = args.due
    options.csv_bodies = options.csv_bodies or args.csv_bodies
    try:
        written = analysts.export(state, output, options)
    except LedgerSettingError as exc:
        return _fail(str(exc), EX_USAGE)
    for name, rows in written.items():
        print(f"{output / name}: {rows} rows")
    return 0

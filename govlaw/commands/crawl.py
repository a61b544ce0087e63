"""`scrapy crawl` for govlaw: the stock command, with what a user can get
wrong checked before the crawler starts and answered in one line.

    scrapy crawl reports -a sources=portals.yaml [-s NAME=VALUE …] [--debug]

Errors in settings, spider arguments, the sources file, the output directory
and the state are printed as ``govlaw: <message>`` (no traceback unless
--debug or -L DEBUG) and the command exits with the error's status: 2 for a
usage error.
"""
from __future__ import annotations

import asyncio
import logging
import sys
import traceback

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from govlaw import errors, preflight

SPIDER = "reports"


class Command(ScrapyCrawl):
    debug = False

    def short_desc(self) -> str:
        return "Run a spider (govlaw: reports), with its settings and sources checked first"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--debug", action="store_true",
                            help="show the traceback behind a govlaw error message")

    def process_options(self, args, opts) -> None:
        self.debug = bool(opts.debug) or _is_debug(opts.loglevel)
        try:
            super().process_options(args, opts)
        except UsageError as exc:
            if not str(exc):
                raise
            # Scrapy would print its usage and the error: one line, naming the value, is enough.
            sys.exit(errors.report(preflight.SettingsError(_malformed(opts) or str(exc)), self.debug))
        self.debug = bool(opts.debug) or _is_debug(self.settings.get("LOG_LEVEL"))
        if args[:1] == [SPIDER]:
            try:
                preflight.check(self.settings, opts.spargs)
            except errors.user_error_types() as exc:
                sys.exit(errors.report(exc, self.debug))

    def run(self, args, opts) -> None:
        if len(args) != 1:
            super().run(args, opts)
            return
        assert self.crawler_process
        failures: list = []
        result = self.crawler_process.crawl(self._create_crawler(args[0]), **opts.spargs)
        _collect_failure(result, failures)
        self.crawler_process.start()
        if failures:
            exc, text = failures[0]
            if isinstance(exc, errors.user_error_types()):
                self.exitcode = errors.report(exc, self.debug)
                return
            # Not a user's mistake: a bug, shown in full.
            sys.stderr.write(text)
            self.exitcode = 1
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1


def _malformed(opts) -> str | None:
    for flag, values, example in (("-s", opts.set, "GOVLAW_OUTPUT_DIR=/srv/govlaw"),
                                  ("-a", opts.spargs, "sources=portals.yaml")):
        for value in values if isinstance(values, list) else []:
            if "=" not in value:
                return f"{flag} {value!r} is not NAME=VALUE; write it as {flag} NAME=VALUE, e.g. {flag} {example}"
    return None


def _is_debug(level) -> bool:
    return str(level or "").strip().upper() in ("DEBUG", str(logging.DEBUG))


def _collect_failure(result, failures: list) -> None:
    """Take the crawl's exception as soon as it happens, so asyncio does not
    print it as 'Task exception was never retrieved'."""
    if isinstance(result, asyncio.Future):
        def done(task):
            if not task.cancelled() and task.exception() is not None:
                exc = task.exception()
                failures.append((exc, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))))
        result.add_done_callback(done)
    elif hasattr(result, "addErrback"):  # a Twisted Deferred (a non-asyncio reactor)
        def errback(failure):
            failures.append((failure.value, failure.getTraceback()))
        result.addErrback(errback)

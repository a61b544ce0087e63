"""Hands the analysts' exports what a run's end does not know by itself:
the settings that shape the ledger and the sources' entries; and keeps
them up to date while the run goes on (govlaw.analysts.refresh).

Wired by EXTENSIONS; when the spider opens, it leaves an Options on the
run (govlaw.run.RunContext), which govlaw.closing passes to export_all after
the feed is written, and the refresher, which govlaw.closing lets settle first.
"""
from __future__ import annotations

import logging

from scrapy import signals

from govlaw import sources as sources_mod
from govlaw.analysts import Options
from govlaw.analysts.ledger import LedgerSettingError
from govlaw.analysts.refresh import ExportRefresher

logger = logging.getLogger(__name__)


class AnalystExports:
    def __init__(self, crawler):
        self.crawler = crawler
        self.settings = crawler.settings

    @classmethod
    def from_crawler(cls, crawler):
        # Installed even when GOVLAW_ANALYST_EXPORTS is off: the run must be
        # told so, or the end of the run would export with the defaults.
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    def spider_opened(self, spider):
        run = getattr(spider, "run", None)
        if run is None:
            return
        # The ledger accounts for every entry of the sources the run was given
        # (all of them unless -a portals= chose some), or of GOVLAW_LEDGER_SOURCES.
        portals = getattr(spider, "portals", [])
        path = self.settings.get("GOVLAW_LEDGER_SOURCES")
        if path:
            try:
                portals = sources_mod.load(path)
            except sources_mod.SourcesError as exc:
                logger.error("GOVLAW_LEDGER_SOURCES: %s; the ledger covers the crawled portals instead", exc)
        options = Options.from_settings(self.settings, portals)
        run.analyst_options = options
        if not options.enabled:
            return
        try:
            options.check()
        except LedgerSettingError as exc:
            logger.error("%s; the analysts' exports will not be written this run", exc)
            return
        run.analyst_refresh = ExportRefresher.start(run, options, self.settings)
        if run.analyst_refresh is not None:  # a run that ends without finishing still stops it
            self.crawler.signals.connect(run.analyst_refresh.settle, signal=signals.spider_closed)

"""Progress a person can follow on a long run, in the log at INFO:

    progress: portals 37/3210, pages 4120 (310/min), reports 29, errors 3, time left about 6h12m
    portal 37/3210 finished: yuanzhou 宜春市袁州区人民政府 — 2 listing pages, 3 detail pages, 1 new, 0 updated, 0 withdrawn, 0 errors
    run finished (finished) in 1h02m: portals 3210/3210, pages 52113, reports 2950 (120 new, 4 updated, 1 withdrawn),
        errors 41; output in output: reports.jsonl (2950 reports), changes/, govlaw.db, HTML report output/report/index.html

One `progress:` line every GOVLAW_PROGRESS_INTERVAL seconds (0: none), one
line per portal as its part of the run is committed (govlaw.signals.
portal_finished), one line at the end. It takes the place of Scrapy's
LogStats line (switched off in govlaw.settings): pages per minute are in it.
Per-request lines stay at DEBUG.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from govlaw import signals as govlaw_signals

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 30.0


def duration(seconds: float) -> str:
    """12s, 4m05s, 6h12m: the two largest units a person reads at a glance."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = interval
        self.task = None
        self.started = time.monotonic()
        self.total = 0
        self.done = 0
        self.finished: dict[str, dict] = {}  # portal → its summary, as the signal gave it
        self.pages_before = 0
        self.reason: str | None = None
        self.names: dict | None = None  # portal id → name, from the spider's sources

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("GOVLAW_PROGRESS_INTERVAL", DEFAULT_INTERVAL)
        if interval < 0:
            raise NotConfigured("GOVLAW_PROGRESS_INTERVAL is negative")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(ext.portal_finished, signal=govlaw_signals.portal_finished)
        return ext

    # -- what the run knows -----------------------------------------------------
    def _spider(self):
        return getattr(self.crawler, "spider", None)

    def _portal_total(self) -> int:
        portals = getattr(self._spider(), "portals", None)
        return len(portals) if portals is not None else self.total

    def _portal_name(self, portal: str) -> str | None:
        if self.names is None:
            self.names = {getattr(p, "id", None): getattr(p, "name", None)
                          for p in getattr(self._spider(), "portals", None) or []}
        return self.names.get(portal)

    def errors(self) -> int:
        """Pages that failed (errors and blocked answers): the finished
        portals' summaries, and the counts of the portals still running."""
        total = sum(int(s.get("errors") or 0) + int(s.get("blocked") or 0) for s in self.finished.values())
        journal = getattr(self._spider(), "journal", None)
        for portal, counts in dict(getattr(journal, "counts", None) or {}).items():
            if portal not in self.finished:
                total += int(getattr(counts, "errors", 0) or 0) + int(getattr(counts, "blocked", 0) or 0)
        return total

    def pages(self) -> int:
        return int(self.stats.get_value("response_received_count", 0) or 0)

    def reports(self) -> int:
        return int(self.stats.get_value("item_scraped_count", 0) or 0)

    def time_left(self, elapsed: float) -> str:
        """From the pace of the portals finished so far; unknown until one has."""
        if self.done <= 0 or self.total <= 0:
            return "unknown"
        if self.done >= self.total:
            return "none"
        return "about " + duration(elapsed / self.done * (self.total - self.done))

    # -- signals ----------------------------------------------------------------
    def spider_opened(self, spider):
        self.started = time.monotonic()
        self.total = self._portal_total()
        if self.interval > 0:
            self.task = create_looping_call(self.log_progress)
            self.task.start(self.interval, now=False)

    def log_progress(self) -> None:
        elapsed = time.monotonic() - self.started
        pages = self.pages()
        rate = (pages - self.pages_before) * 60.0 / self.interval if self.interval else 0.0
        self.pages_before = pages
        logger.info("progress: portals %d/%d, pages %d (%d/min), reports %d, errors %d, time left %s",
                    self.done, self.total, pages, round(rate), self.reports(), self.errors(), self.time_left(elapsed))

    def portal_finished(self, portal, summary, done, total):
        summary = dict(summary or {})
        self.finished[portal] = summary
        self.done = max(self.done, int(done or 0), len(self.finished))
        self.total = max(int(total or 0), self.total)
        name = self._portal_name(portal)
        flag = f" — FLAG: {summary['flag']}" if summary.get("flag") else ""
        # Numbered in the order the lines come (portals closed together at the
        # end of a run all count as done at once, but each has its own line).
        logger.info("portal %d/%d finished: %s%s — %d listing pages, %d detail pages, %d new, %d updated, "
                    "%d withdrawn, %d errors%s", len(self.finished), self.total, portal, f" {name}" if name else "",
                    *(int(summary.get(k) or 0) for k in ("listing_pages", "detail_pages", "new", "updated",
                                                         "withdrawn", "errors")), flag)

    def spider_closed(self, spider, reason):
        if self.task is not None and self.task.running:
            self.task.stop()
        self.reason = reason
        if reason == "finished":
            # Every portal's requests have drained, whether or not each one said so.
            self.done = self.total

    def engine_stopped(self):
        """The last line, once every spider_closed receiver (the run's commit
        and its feed among them) has done its work."""
        if self.reason is None:
            return
        changes = {k: int(self.stats.get_value(f"govlaw/changes/{k}", 0) or 0) for k in ("new", "updated", "withdrawn")}
        output = Path(self.crawler.settings.get("GOVLAW_OUTPUT_DIR") or "output")
        logger.info("run finished (%s) in %s: portals %d/%d, pages %d, reports %d (%d new, %d updated, %d withdrawn), "
                    "errors %d; output in %s: %s", self.reason, duration(time.monotonic() - self.started), self.done,
                    self.total, self.pages(), self.reports(), changes["new"], changes["updated"], changes["withdrawn"],
                    self.errors(), output, holdings(output))


def holdings(output: Path) -> str:
    """What the output directory holds that a person opens."""
    out = []
    feed = output / "reports.jsonl"
    if feed.is_file():
        with feed.open("rb") as fh:
            out.append(f"reports.jsonl ({sum(1 for _ in fh)} reports)")
    out += [name for name in ("changes/", "govlaw.db") if (output / name).exists()]
    index = output / "report" / "index.html"
    if index.is_file():
        out.append(f"HTML report {index}")
    return ", ".join(out) or "nothing yet"

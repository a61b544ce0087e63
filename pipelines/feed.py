from __future__ import annotations

import logging
import time

from scrapy import signals
from twisted.internet import task

from govlaw import closing, feed
from govlaw.run import RunContext
from govlaw.signals import portal_finished

logger = logging.getLogger(__name__)

# What the commit needs of a copy's text, carried beside the copy rather
# than in it: computed once where the text was read, never kept in a record.
_TEXT_KEYS = ("match_key", "signature", "shingle_count")


class FeedPipeline:
    """Gather each portal's copies by report, and commit a portal as soon as
    its requests have drained (govlaw.portals), looked for every
    GOVLAW_COMMIT_INTERVAL seconds; the feed files are brought up to date
    from the state every GOVLAW_FEED_INTERVAL seconds meanwhile. What is
    left is committed when the spider closes, then the run is finished and
    the feed written (govlaw.closing). Nothing of a committed portal is kept."""

    def __init__(self, crawler, run: RunContext):
        self.crawler = crawler
        self.run = run
        self.copies: dict[str, dict[str, list[dict]]] = {}   # portal → report id → copies
        self.texts: dict[str, dict[str, tuple]] = {}         # portal → content hash → (key, signature, shingles)
        self.interval = crawler.settings.getfloat("GOVLAW_COMMIT_INTERVAL", 0.5)
        self.feed_interval = crawler.settings.getfloat("GOVLAW_FEED_INTERVAL", 300.0)
        self.last_feed = time.monotonic()
        self.loop = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, RunContext.of(crawler))

    def process_item(self, item, spider=None):
        copy = {k: v for k, v in dict(item).items() if k not in _TEXT_KEYS}
        portal = item.get("portal")
        self.copies.setdefault(portal, {}).setdefault(item["id"], []).append(copy)
        self.texts.setdefault(portal, {})[item["content_hash"]] = tuple(item.get(k) for k in _TEXT_KEYS)
        return item

    def spider_opened(self, spider):
        if self.interval > 0:
            self.loop = task.LoopingCall(self.commit_drained)
            self.loop.start(self.interval, now=False)

    def commit_drained(self) -> None:
        drained = self.run.portals.drained(self.crawler)
        for portal in drained or ():
            try:
                self._commit(portal)
            except Exception as exc:  # the state unreachable (a dropped connection): tried again next round
                self.crawler.stats.inc_value("govlaw/commit_retries")
                self._warn_not_committed(portal, exc)
                return
        if drained and self.feed_interval > 0 and time.monotonic() - self.last_feed >= self.feed_interval:
            # The snapshot, streamed from the state: readers see the portals
            # committed so far without waiting for the run's end.
            feed.export(self.run.store, self.run.output_dir)
            self.last_feed = time.monotonic()

    @staticmethod
    def _warn_not_committed(portal: str, exc: Exception) -> None:
        logger.warning("portal %s could not be committed (%s); trying again", portal,
                       str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)

    def _commit(self, portal: str, cut_short: bool = False) -> None:
        copies = self.copies.pop(portal, {})
        texts = self.texts.pop(portal, {})
        try:
            summary = closing.commit_portal(self.run, portal, copies, texts, cut_short)
        except BaseException:
            self.copies[portal], self.texts[portal] = copies, texts
            raise
        self.run.portals.committed.add(portal)
        self.crawler.stats.inc_value("govlaw/portals_committed")
        self.crawler.signals.send_catch_log(
            portal_finished, portal=portal, summary=summary, done=self.run.portals.done,
            total=self.run.portals.total, report_ids=sorted(copies))

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        stats = self.crawler.stats
        try:
            # Portals not drained by the close (a stop, a cap) are committed as
            # far as they got, their walks counted incomplete: nothing of them
            # is judged withdrawn.
            progress = self.run.portals
            for portal in [p for p in progress.portals if p in progress.opened - progress.committed]:
                self._commit(portal, cut_short=reason != "finished")
            for portal in list(self.copies):  # copies of a portal outside the run's list
                self._commit(portal)
            source = getattr(spider, "portal_source", None)
            if source is not None and not getattr(source, "may_finish_run", lambda: True)():
                # A worker of a distributed run whose portals are done while
                # others still work: the last one finishes the run.
                logger.info("run %s: this worker's portals are committed; the run goes on", self.run.run_id)
                return
            summary = closing.finish_run(self.run, reason)
        finally:
            self.run.close()
        stats.set_value("govlaw/run_id", summary["run_id"])
        for kind, n in summary["changes"].items():
            stats.set_value(f"govlaw/changes/{kind}", n)

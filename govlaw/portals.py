"""Which portals of a run are still at work, and which have drained.

A portal has drained when the spider has issued all its start requests and
none of its requests is anywhere in the crawl: in the scheduler (counted by
`govlaw.scheduler.PortalScheduler`), in the downloader, waiting for its
retry time (`govlaw.middleware.DelayMiddleware`), or in the scraper (a
response whose callback, follow-up requests and items are not done; Scrapy
keeps a request in the scraper's active set until its items have left the
pipelines). Every request of the spider names its portal in
`meta["govlaw_portal"]`.
"""
from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

PORTAL = "govlaw_portal"
# A portal source's answer when it has no portal now but may have one soon.
WAIT = object()


def portal_source(crawler, spider):
    """Where the spider's portals come from: the sources file, in order; with
    GOVLAW_REDIS_URL set, a queue of portals shared by several workers."""
    if crawler.settings.get("GOVLAW_REDIS_URL"):
        from govlaw.distributed.worker import LeasedPortals

        return LeasedPortals.from_crawler(crawler, spider)
    return ListedPortals(spider.portals, spider.run.portals.committed)


class ListedPortals:
    """The portals of the sources file, in order, but those the run being
    resumed already committed."""
    wait_seconds = 0.0

    def __init__(self, portals: list, committed: set[str]):
        self._next = (p for p in portals if p.id not in committed)

    def next_portal(self):
        return next(self._next, None)


class PortalProgress:
    def __init__(self, portals: list[str], committed: set[str] | None = None):
        self.portals = list(portals)
        self.opened: set[str] = set()       # all start requests issued
        self.committed: set[str] = set(committed or ())

    @property
    def total(self) -> int:
        return len(self.portals)

    @property
    def open_count(self) -> int:
        """Portals opened and not yet committed."""
        return len(self.opened - self.committed)

    @property
    def done(self) -> int:
        return len(self.committed)

    def drained(self, crawler) -> list[str] | None:
        """Opened portals with no request left anywhere, in the run's order;
        None when the engine cannot tell (a scheduler that does not count
        per portal), in which case everything is committed at the end."""
        busy = busy_portals(crawler)
        if busy is None:
            return None
        return [p for p in self.portals if p in self.opened and p not in self.committed and p not in busy]


def busy_portals(crawler) -> set[str] | None:
    engine = crawler.engine
    slot = getattr(engine, "_slot", None)
    held = getattr(getattr(slot, "scheduler", None), "held", None)
    if held is None:
        return None
    busy = {p for p, n in held.items() if n > 0}
    busy.update(_portal(r) for r in engine.downloader.active)
    scraper = engine.scraper.slot
    if scraper is not None:
        busy.update(_portal(r) for r in scraper.active)
        busy.update(_portal(request) for _, request, _ in scraper.queue)
    for mw in engine.downloader.middleware.middlewares:
        for request in getattr(mw, "waiting_requests", lambda: ())():
            busy.add(_portal(request))
    return busy


def _portal(request) -> str | None:
    return request.meta.get(PORTAL)

"""Scrapy's scheduler, counting the requests it holds per portal; in a
distributed run, scrapy-redis' (govlaw.distributed.scheduler)."""
from __future__ import annotations

from collections import Counter

from scrapy.core.scheduler import Scheduler

from govlaw.portals import PORTAL

LOCAL = "govlaw.scheduler.PortalScheduler"
DISTRIBUTED = "govlaw.distributed.scheduler.RedisPortalScheduler"


def choose(settings) -> None:
    """A worker of a distributed run (GOVLAW_REDIS_URL set) queues its requests
    in Redis, unless SCHEDULER names a scheduler of the user's own."""
    if settings.get("GOVLAW_REDIS_URL") and settings.get("SCHEDULER") == LOCAL:
        settings.set("SCHEDULER", DISTRIBUTED, priority="spider")


class PortalScheduler(Scheduler):
    """The stock scheduler (same queues, priorities and duplicate filter),
    which also counts the requests it holds for each portal: a portal with
    none here, in the downloader or in the scraper has drained, and its part
    of the run can be committed (govlaw.portals)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held: Counter = Counter()

    def enqueue_request(self, request) -> bool:
        accepted = super().enqueue_request(request)
        if accepted and request.meta.get(PORTAL):
            self.held[request.meta[PORTAL]] += 1
        return accepted

    def next_request(self):
        request = super().next_request()
        if request is not None and request.meta.get(PORTAL):
            portal = request.meta[PORTAL]
            self.held[portal] -= 1
            if self.held[portal] <= 0:
                del self.held[portal]
        return request

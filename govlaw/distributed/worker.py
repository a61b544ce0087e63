"""A worker of a distributed run: the spider's portals leased from Redis.

With GOVLAW_REDIS_URL set, `scrapy crawl reports` takes no portals of its
own: it reads the run's sources from the queue (`govlaw queue` put them
there), leases portals one at a time as its window of open portals frees,
renews its leases every third of GOVLAW_LEASE_SECONDS, reaps the leases of
workers that stopped renewing (their portals go back to the queue, and
whoever leases them next resumes them from the state's journal of fetched
responses), and marks each portal done when its commit is in the state.
It exits when nothing is queued and nothing is leased by anyone; with
GOVLAW_WAIT_FOR_PORTALS it waits for the next run instead.
"""
from __future__ import annotations

import logging
import os
import socket
import tempfile

from twisted.internet import task

from govlaw import sources as sources_mod
from govlaw.distributed.queue import PortalQueue
from govlaw.errors import GovlawError
from govlaw.portals import WAIT
from govlaw.signals import portal_finished

try:
    from redis.exceptions import ConnectionError as RedisDown
except ImportError:  # the redis package is only needed in distributed mode
    RedisDown = OSError

logger = logging.getLogger(__name__)


class QueueError(GovlawError):
    """The portal queue cannot be used."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def open_queue(settings) -> PortalQueue:
    return PortalQueue(settings.get("GOVLAW_REDIS_URL"), settings.get("GOVLAW_REDIS_PREFIX", "govlaw"),
                       settings.getfloat("GOVLAW_LEASE_SECONDS", 60.0), settings.getint("GOVLAW_MAX_LEASES", 3))


def queued_run(settings) -> tuple[str, list]:
    """The run id and the portals of the run in the queue."""
    queue = open_queue(settings)
    try:
        run_id, text = queue.run_id(), queue.sources_text()
    except Exception as exc:  # redis' connection errors
        raise QueueError(f"the portal queue at {settings.get('GOVLAW_REDIS_URL')} cannot be reached: {exc}") from exc
    if not run_id or text is None:
        raise QueueError(f"no run in the portal queue at {settings.get('GOVLAW_REDIS_URL')}; fill it first with "
                         "`govlaw queue -a sources=FILE`")
    return run_id, sources_from_text(text)


def sources_from_text(text: str) -> list:
    """The portals of a sources file's text, as the queue keeps it."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8", delete=False) as fh:
        fh.write(text)
    try:
        return sources_mod.load(fh.name)
    finally:
        os.unlink(fh.name)


class LeasedPortals:
    def __init__(self, crawler, spider, queue: PortalQueue, wait_forever: bool):
        self.crawler = crawler
        self.spider = spider
        self.queue = queue
        self.worker = worker_name()
        self.by_id = {p.id: p for p in spider.portals}
        self.wait_forever = wait_forever
        self.unreported: set[str] = set()  # portals committed while the queue could not be told
        self.wait_seconds = max(0.2, min(2.0, queue.lease_seconds / 6))
        self.loop = task.LoopingCall(self._renew)
        self.loop.start(max(0.5, queue.lease_seconds / 3), now=False)
        crawler.signals.connect(self.portal_finished, signal=portal_finished)

    @classmethod
    def from_crawler(cls, crawler, spider):
        return cls(crawler, spider, open_queue(crawler.settings),
                   crawler.settings.getbool("GOVLAW_WAIT_FOR_PORTALS", False))

    def next_portal(self):
        try:
            return self._next_portal()
        except RedisDown as exc:
            logger.warning("the portal queue cannot be reached (%s); trying again", exc)
            return WAIT

    def _next_portal(self):
        portal_id = self.queue.lease(self.worker)
        if portal_id is None:
            back = self.queue.reap()
            if back:
                logger.warning("leases of %d portals expired (a worker stopped): back in the queue: %s",
                               len(back), ", ".join(back[:10]))
                return WAIT
            return WAIT if self.wait_forever or not self.queue.finished() else None
        portal = self.by_id.get(portal_id)
        if portal is None:  # not in this run's sources: a queue filled for another run
            logger.error("portal %s is in the queue but not in the run's sources; marked done", portal_id)
            self.queue.done(self.worker, portal_id)
            return WAIT
        if self.spider.run.store.portal_committed(self.spider.run.run_id, portal_id):
            # Committed by a worker whose "done" never reached the queue (it
            # died, or Redis was down): the state is the truth.
            self.queue.done(self.worker, portal_id)
            return WAIT
        tries = self.queue.tries(portal_id)
        logger.info("leased portal %s%s", portal_id, f" (lease {tries}: resumed)" if tries > 1 else "")
        self.crawler.stats.inc_value("govlaw/distributed/leased")
        return portal

    def _renew(self):
        progress = self.spider.run.portals
        held = sorted(progress.opened - progress.committed)
        try:
            if held:
                self.queue.renew(self.worker, held)
            for portal in sorted(self.unreported):
                self.queue.done(self.worker, portal)
                self.unreported.discard(portal)
        except RedisDown as exc:
            logger.warning("the portal queue cannot be reached (%s); leases renewed when it is back", exc)

    def portal_finished(self, portal):
        try:
            self.queue.done(self.worker, portal)
        except RedisDown:
            self.unreported.add(portal)  # told again by the next renewal

    def may_finish_run(self) -> bool:
        """Whether this worker finishes the run: the last portal is done and
        no other worker has claimed the run's end."""
        if self.loop.running:
            self.loop.stop()
        self._renew()
        try:
            return self.queue.finished() and self.queue.claim_finish(self.worker)
        except RedisDown:
            return False  # the run is finished by a worker that can tell

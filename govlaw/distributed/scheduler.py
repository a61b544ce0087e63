"""The scheduler of a distributed worker: scrapy-redis' request queue and
duplicate filter, one of each per portal, in Redis.

A worker leases whole portals (govlaw.distributed.queue), so that no two
workers crawl one host at once; a portal's requests are therefore pushed and
popped by its leaseholder only, from keys named after the portal:

  <prefix>:portal:<id>:requests   scrapy_redis.queue.PriorityQueue (pickled requests)
  <prefix>:portal:<id>:seen       scrapy_redis.dupefilter.RFPDupeFilter (fingerprints)

The worker keeps no queue of its own: its memory does not grow with the
requests waiting, and `govlaw status` counts them in Redis.

What does not travel: a request's cb_kwargs hold live objects that several
requests share (a listing walk, a discovery plan, the page an attachment
belongs to), and pickling would copy them apart. They stay parked in the
worker, under a number the request carries in its meta, and are handed back
when the request leaves the queue. So a portal whose worker died is started
again by its next leaseholder, who drops the dead worker's queue; the state's
journal of fetched responses replays what was fetched (govlaw.replay), so
nothing is asked of the portal twice.

Redis unreachable: a request that cannot be pushed waits in the worker and
is served first; a pop that fails gives nothing this time (the engine asks
again). Requests lost from Redis (a restart without its append-only file)
are counted and logged, and their portal drains without them.
"""
from __future__ import annotations

import itertools
import logging
import os
import time
from collections import Counter, deque

from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as ScrapyRedisScheduler

from govlaw.distributed.queue import portal_keys
from govlaw.portals import PORTAL
from govlaw.signals import portal_finished

logger = logging.getLogger(__name__)

PARKED = "govlaw_parked"
NO_PORTAL = "-"  # requests that belong to no portal (none are made today) share one queue
_WARN_EVERY = 10.0  # seconds between two warnings that Redis cannot be reached

try:
    from redis.exceptions import RedisError as RedisDown
except ImportError:  # the redis package is only needed in distributed mode
    RedisDown = OSError


class PortalRequestQueue(PriorityQueue):
    """scrapy-redis' priority queue, naming a request's callbacks without
    Request.to_dict's scan of every attribute of the spider (inspect.getmembers,
    once per request), which costs more than the rest of the push."""

    def _encode_request(self, request):
        data = request.replace(callback=None, errback=None).to_dict()
        data["callback"] = self._method_name(request.callback)
        data["errback"] = self._method_name(request.errback)
        return self.serializer.dumps(data)

    def _method_name(self, method):
        if method is None:
            return None
        name = getattr(method, "__name__", None)
        own = getattr(self.spider, name, None) if name else None
        if own is None or getattr(own, "__func__", None) is not getattr(method, "__func__", method):
            raise ValueError(f"{method!r} is not a method of the spider: its request cannot be queued in Redis")
        return name


class RedisPortalScheduler(ScrapyRedisScheduler):
    """scrapy-redis' scheduler with a queue and a duplicate filter per portal,
    served in turn, and the count per portal that govlaw.portals reads to see
    a portal drained (`held`, as govlaw.scheduler.PortalScheduler keeps)."""

    def __init__(self, server, prefix: str, queue_cls=PortalRequestQueue, stats=None):
        super().__init__(server, persist=True, queue_cls=queue_cls, serializer=picklecompat)
        self.prefix = prefix
        self.stats = stats
        self.held: Counter = Counter()
        self.turn: deque = deque()      # portals with requests, served one request each in turn
        self.queues: dict = {}          # portal → (queue, duplicate filter)
        self.waiting: dict = {}         # portal → requests not pushed while Redis was unreachable
        self.parked: dict = {}          # number → (portal, cb_kwargs)
        # Parked numbers name this worker too: a request another worker queued
        # (left in Redis when it died) can never take this worker's arguments.
        self.numbers = (f"{os.getpid():x}.{time.time_ns():x}.{n}" for n in itertools.count(1))
        self._warned = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        import redis
        from scrapy.utils.misc import load_object

        settings = crawler.settings
        server = redis.Redis.from_url(settings.get("GOVLAW_REDIS_URL"), socket_timeout=30,
                                      socket_connect_timeout=10)
        queue_cls = load_object(settings.get("GOVLAW_REDIS_QUEUE_CLASS") or PortalRequestQueue)
        scheduler = cls(server, settings.get("GOVLAW_REDIS_PREFIX", "govlaw"), queue_cls, crawler.stats)
        crawler.signals.connect(scheduler.portal_finished, signal=portal_finished)
        return scheduler

    # Scrapy's scheduler interface ------------------------------------------------
    def open(self, spider):
        self.spider = spider  # a portal's queue is opened at its first request

    def close(self, reason):
        self.flush()  # whatever this worker still holds: its portals are committed, or resumed by another

    def __len__(self):
        return sum(self.held.values())

    def has_pending_requests(self) -> bool:
        return bool(self.held)

    def enqueue_request(self, request) -> bool:
        portal = request.meta.get(PORTAL) or NO_PORTAL
        queue, seen = self._open(portal)
        number = None
        try:
            if not request.dont_filter and seen.request_seen(request):
                seen.log(request, self.spider)
                self._inc("dupefilter/filtered")
                return False
            number = next(self.numbers)
            self.parked[number] = (portal, request.cb_kwargs)
            queue.push(request.replace(cb_kwargs={}, meta={**request.meta, PARKED: number}))
            self._inc("scheduler/enqueued/redis")
        except RedisDown as exc:
            self.parked.pop(number, None)
            self.waiting.setdefault(portal, deque()).append(request)
            self._inc("scheduler/enqueued/worker")
            self._unreachable(exc)
        self.held[portal] += 1
        if self.held[portal] == 1:
            self.turn.append(portal)
        return True

    def next_request(self):
        for _ in range(len(self.turn)):
            portal = self.turn[0]
            self.turn.rotate(-1)
            request = self._pop(portal)
            if request is not None:
                self.held[portal] -= 1
                if self.held[portal] <= 0:
                    self._emptied(portal)
                return request
        return None

    def flush(self):
        """Every portal's queue and fingerprints this worker opened (scrapy-redis' flush is per spider)."""
        for portal in list(self.queues):
            self._drop(portal)

    # portals -----------------------------------------------------------------------
    def portal_finished(self, portal):
        """A committed portal: its keys and whatever was parked for it go."""
        self._drop(portal)

    def _open(self, portal: str):
        if portal not in self.queues:
            requests_key, seen_key = portal_keys(self.prefix, portal)
            queue = self.queue_cls(server=self.server, spider=self.spider, key=requests_key,
                                   serializer=self.serializer)
            seen = RFPDupeFilter(self.server, key=seen_key, debug=self.spider.settings.getbool("DUPEFILTER_DEBUG"))
            try:
                # Newly leased: whatever is there was queued by a worker that died
                # (its parked arguments died with it), so the portal starts afresh.
                stale = queue.server.delete(requests_key, seen_key)
                if stale:
                    logger.info("portal %s: a stopped worker's queue dropped; the portal starts again", portal)
            except RedisDown as exc:
                self._unreachable(exc)
            self.queues[portal] = (queue, seen)
        return self.queues[portal]

    def _pop(self, portal: str):
        waiting = self.waiting.get(portal)
        if waiting:
            request = waiting.popleft()
            if not waiting:
                del self.waiting[portal]
            return request
        queue, _ = self.queues[portal]
        while True:
            try:
                request = queue.pop()
            except RedisDown as exc:
                self._unreachable(exc)
                return None
            if request is None:
                self._lost(portal)
                return None
            self._inc("scheduler/dequeued/redis")
            parked = self.parked.pop(request.meta.pop(PARKED, None), None)
            if parked is not None:
                request.cb_kwargs.update(parked[1])
                return request
            # Queued by a worker that died while Redis could not be told to drop
            # its queue: its arguments are gone, and this worker queues its own.
            logger.warning("portal %s: a request another worker queued is dropped: %s", portal, request)
            self._inc("govlaw/distributed/requests_unknown")

    def _lost(self, portal: str) -> None:
        """Redis holds none of the requests counted for `portal`: they were lost."""
        lost = self.held.pop(portal, 0)
        logger.warning("%d requests of portal %s were lost from Redis (restarted without its data?); "
                       "the portal is committed without them", lost, portal)
        self._inc("govlaw/distributed/requests_lost", lost)
        self._emptied(portal)
        self._unpark_all(portal)

    def _unpark_all(self, portal: str) -> None:
        for number in [n for n, (owner, _) in self.parked.items() if owner == portal]:
            del self.parked[number]

    def _emptied(self, portal: str) -> None:
        self.held.pop(portal, None)
        if portal in self.turn:
            self.turn.remove(portal)

    def _drop(self, portal: str) -> None:
        entry = self.queues.pop(portal, None)
        self.waiting.pop(portal, None)
        self._unpark_all(portal)
        if entry is not None:
            try:
                self.server.delete(*portal_keys(self.prefix, portal))
            except RedisDown as exc:
                self._unreachable(exc)

    def _unreachable(self, exc) -> None:
        now = time.monotonic()
        if now - self._warned >= _WARN_EVERY:
            self._warned = now
            logger.warning("Redis cannot be reached (%s): requests wait in the worker until it is back", exc)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)

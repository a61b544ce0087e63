"""Downloader middlewares: being a good citizen on slow, flaky portals.

BackoffRetryMiddleware replaces Scrapy's RetryMiddleware: the same retryable
statuses and exceptions, but each retry waits — exponentially longer each
time, or as long as the server's Retry-After asks (capped) — so a portal that
is struggling is not hammered. A waiting retry holds nothing: DelayMiddleware
keeps it out of the scheduler and the downloader until its time, so other
portals' requests take the download places meanwhile.

AddressGuardMiddleware refuses requests to private, loopback and link-local
addresses unless the portal itself lives there (a public page that links into
an intranet is not an invitation), and strips session ids from URLs with
govlaw.urls.strip_session, the first step of the canonical form the state and
dedupe key addresses by.
"""
from __future__ import annotations

import email.utils
import ipaddress
import logging
import random
import time
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured

from govlaw.urls import strip_session

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


NOT_BEFORE = "govlaw_not_before"  # a retry's earliest start (epoch seconds), in its meta


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("GOVLAW_RETRY_BASE_DELAY", 2.0)
        self.cap = settings.getfloat("GOVLAW_RETRY_MAX_DELAY", 300.0)

    def delay_for(self, request, response=None) -> float:
        retries = request.meta.get("retry_times", 0)  # retries already made
        asked = retry_after_seconds(response.headers.get(b"Retry-After")) if response is not None else None
        if asked is not None:
            return min(asked, self.cap)
        # Exponential with jitter, so many requests to one host do not retry in step.
        return min(self.cap, self.base * (2 ** retries) * random.uniform(0.8, 1.2))

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False):
            return response
        if response.status in self.retry_http_codes:
            reason = f"{response.status}"
            retry = get_retry_request(request, reason=reason, spider=spider or self.crawler.spider,
                                      max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
                                      priority_adjust=self.priority_adjust, stats_base_key="retry")
            if retry is not None:
                retry.meta[NOT_BEFORE] = time.time() + self.delay_for(request, response)
                return retry
        return response

    def process_exception(self, request, exception, spider=None):
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            retry = get_retry_request(request, reason=exception, spider=spider or self.crawler.spider,
                                      max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
                                      priority_adjust=self.priority_adjust, stats_base_key="retry")
            if retry is not None:
                retry.meta[NOT_BEFORE] = time.time() + self.delay_for(request)
            return retry
        return None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw


class DelayMiddleware:
    """Keeps a retry out of the crawl until its not-before time.

    A retry comes back to the engine at once, as any request a middleware
    returns; when the engine schedules it, this holds it back (the
    request_scheduled signal drops it from the scheduler) and puts it back
    with `engine.crawl` once its time has come. Meanwhile it holds no download
    slot and no place among CONCURRENT_REQUESTS, and the crawl is kept open
    while any retry waits. After its wait it goes through the scheduler and
    its host's slot (DOWNLOAD_DELAY, AutoThrottle) like any request."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.waiting: dict = {}  # id of a waiting request -> the reactor's call that puts it back
        self.held: dict = {}     # id of a waiting request -> the request

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def request_scheduled(self, request, spider=None):
        not_before = request.meta.get(NOT_BEFORE)
        if not_before is None:
            return
        wait = not_before - time.time()
        if wait <= 0:
            del request.meta[NOT_BEFORE]
            return
        from twisted.internet import reactor  # the one Scrapy installed: import late

        self.waiting[id(request)] = reactor.callLater(wait, self._release, request)
        self.held[id(request)] = request
        raise IgnoreRequest("waiting for its retry time")  # not scheduled now; no errback runs

    def waiting_requests(self):
        """The requests waiting for their time: their portals are not done."""
        return list(self.held.values())

    def _release(self, request):
        self.waiting.pop(id(request), None)
        self.held.pop(id(request), None)
        if self.crawler.engine is not None and self.crawler.engine.spider is not None:
            self.crawler.engine.crawl(request)

    def spider_idle(self, spider=None):
        if self.waiting:
            raise DontCloseSpider

    def spider_closed(self, spider=None, reason=None):
        if self.waiting:
            logger.info("%d retries still waiting when the crawl closed (%s)", len(self.waiting), reason)
        for call in self.waiting.values():
            if call.active():
                call.cancel()
        self.waiting.clear()
        self.held.clear()


def _is_private_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified


class AddressGuardMiddleware:
    """Private addresses are reachable only when a portal of the registry is
    itself at that address (a local test portal); redirects and robots.txt
    requests are checked too, since every request passes here."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _local_hosts(self) -> set:
        spider = self.crawler.spider
        portals = getattr(spider, "portals", [])
        extra = getattr(spider, "extra_hosts", {})
        local = set()
        for p in portals:
            own = {h for h in p.hosts if _is_private_host(urlsplit("//" + h).hostname or "")}
            local |= own
            if own:  # a local portal's discovered hosts (its justice bureau's site) are local too
                local |= set(extra.get(p.id, ()))
        return local

    def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        if _is_private_host(parts.hostname or "") and parts.netloc.lower() not in self._local_hosts():
            raise IgnoreRequest(f"refused: {request.url} is a private or loopback address and no portal is")
        cleaned = strip_session(request.url)
        if cleaned != request.url:
            return request.replace(url=cleaned)
        return None

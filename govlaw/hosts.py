"""What Scrapy keeps per host, let go when the run is done with the host.

A national run visits some 3,000 hosts, each once, in a burst: its portal's
pages, then never again. Scrapy keeps, per host, for the whole run or long
after the burst:
  - a robots.txt parser (RobotsTxtMiddleware, for the whole run);
  - a download slot (the Downloader's, until idle for a minute);
  - keep-alive connections (Twisted's HTTPConnectionPool: four minutes,
    also for a connection its server has already closed, whose objects
    then wait for the timer).
Together most of what the crawling process of a 3,000-portal run gained
as it went (docs/scale.md). So:

  FinishedHostsRelease   an extension: once every portal that declares a
                         host (its `hosts`, by default its start URLs'
                         hosts) is committed, the host's robots.txt parser
                         and idle download slot are dropped. A host still
                         declared by a portal not yet committed keeps
                         them: its robots.txt is not fetched twice, its
                         delay between requests holds.
  PortalHTTPDownloadHandler
                         Scrapy's HTTP/1.1 handler whose idle connections
                         are closed after GOVLAW_IDLE_CONNECTION_TIMEOUT
                         seconds (default 15), not 240: a portal's
                         requests follow one another within seconds.
"""
from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from twisted.internet.defer import Deferred

from govlaw import signals as govlaw_signals


class FinishedHostsRelease:
    def __init__(self, crawler):
        self.crawler = crawler
        # Portals not yet committed that declare a netloc (robots.txt is per
        # host and port), and a host name (the Downloader's slots are per name).
        self.by_netloc: Counter = Counter()
        self.by_name: Counter = Counter()
        self.hosts_of: dict[str, frozenset] = {}      # portal → the netlocs it declares

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.portal_finished, signal=govlaw_signals.portal_finished)
        return ext

    def spider_opened(self, spider):
        for portal in getattr(spider, "portals", None) or ():
            netlocs = frozenset(h.lower() for h in getattr(portal, "hosts", ()) or ())
            self.hosts_of[portal.id] = netlocs
            self.by_netloc.update(netlocs)
            self.by_name.update({_name(n) for n in netlocs})

    def portal_finished(self, portal, summary=None, done=None, total=None):
        netlocs = self.hosts_of.pop(portal, frozenset())
        self.by_netloc.subtract(netlocs)
        names = {_name(n) for n in netlocs}
        self.by_name.subtract(names)
        self.release(sorted(_done_with(self.by_netloc, netlocs)), sorted(_done_with(self.by_name, names)))

    def release(self, netlocs: list[str], names: list[str]) -> None:
        """Drop the robots.txt parsers of `netlocs` and the idle download slots of host `names`."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            return
        parsers_dropped = slots_dropped = 0
        for mw in downloader.middleware.middlewares:
            # RobotsTxtMiddleware keys its parsers by netloc; one still being fetched (a Deferred) stays.
            parsers = getattr(mw, "_parsers", None)
            if isinstance(parsers, dict):
                for netloc in netlocs:
                    if netloc in parsers and not isinstance(parsers[netloc], Deferred):
                        del parsers[netloc]
                        parsers_dropped += 1
        for name in names:
            slot = downloader.slots.get(name)
            # As the Downloader's own clean-up: only a slot with nothing under way.
            if slot is not None and not slot.active and not slot.queue and not slot.transferring:
                downloader.slots.pop(name).close()
                slots_dropped += 1
        stats = self.crawler.stats
        if parsers_dropped:
            stats.inc_value("govlaw/hosts/robots_parsers_dropped", parsers_dropped)
        if slots_dropped:
            stats.inc_value("govlaw/hosts/download_slots_dropped", slots_dropped)


def _name(netloc: str) -> str | None:
    return urlsplit("//" + netloc).hostname


def _done_with(counter: Counter, keys) -> list:
    """The keys no portal still declares, taken out of `counter`."""
    done = [k for k in keys if counter[k] <= 0]
    for k in done:
        del counter[k]
    return done


class PortalHTTPDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        # The pool is the handler's own attribute (Scrapy sets no timeout on it);
        # cachedConnectionTimeout is Twisted's public knob for idle connections.
        self._pool.cachedConnectionTimeout = crawler.settings.getfloat("GOVLAW_IDLE_CONNECTION_TIMEOUT", 15.0)

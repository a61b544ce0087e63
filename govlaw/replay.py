"""Responses kept until their portal is committed, so that a killed run's
successor does not fetch again what was already fetched.

A portal's part of a run is committed once its requests have drained
(govlaw.closing). Until then, every response fetched for it is kept in the
state's journal, in small batches (GOVLAW_JOURNAL_BATCH responses or
GOVLAW_JOURNAL_INTERVAL seconds, whichever comes first), and dropped in the
portal's commit. A run that is killed leaves the responses of its unfinished
portals there; the next run resumes the killed one (govlaw.run) and this
middleware answers those requests from the journal instead of the network —
the spider then reads exactly what it would have read, and the feed comes
out as an uninterrupted run's.

It sits where Scrapy's HTTP cache sits (900): below redirects and retries,
so a redirect is kept and replayed as the redirect it was.
"""
from __future__ import annotations

import json
import logging
import struct
import time
import zlib

from scrapy import signals
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from twisted.internet import task

from govlaw.portals import PORTAL
from govlaw.run import RunContext

logger = logging.getLogger(__name__)

FLAG = "journal"


def pack_response(response) -> bytes:
    head = json.dumps({"url": response.url, "status": response.status,
                       "headers": [[k.decode("latin-1"), [v.decode("latin-1") for v in vs]]
                                   for k, vs in response.headers.items()]}).encode("utf-8")
    # Level 1: kept for minutes, read at most once; compressing is on the reactor thread.
    return zlib.compress(struct.pack(">I", len(head)) + head + response.body, 1)


def unpack_response(blob: bytes, request):
    raw = zlib.decompress(blob)
    (size,) = struct.unpack(">I", raw[:4])
    head = json.loads(raw[4:4 + size].decode("utf-8"))
    body = raw[4 + size:]
    headers = Headers({k: vs for k, vs in head["headers"]})
    cls = responsetypes.from_args(headers=headers, url=head["url"], body=body)
    return cls(url=head["url"], status=head["status"], headers=headers, body=body, request=request, flags=[FLAG])


class ResponseJournalMiddleware:
    def __init__(self, crawler, run: RunContext):
        self.crawler = crawler
        self.run = run
        settings = crawler.settings
        self.batch_size = settings.getint("GOVLAW_JOURNAL_BATCH", 10)
        self.interval = settings.getfloat("GOVLAW_JOURNAL_INTERVAL", 0.5)
        self.buffer: list[tuple[str, str, bytes]] = []
        self.last_flush = time.monotonic()
        self.replayable: set[str] = set()
        self.loaded: set[str] = set()  # portals whose kept responses were looked up
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler, RunContext.of(crawler))
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider):
        self.loop = task.LoopingCall(self._flush_if_due)
        self.loop.start(max(self.interval, 0.1), now=False)

    def _fingerprint(self, request) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    def _load(self, portal: str) -> None:
        """The responses kept for a portal, the first time it asks: a resumed
        run's, or a portal another worker leased before and left unfinished."""
        self.loaded.add(portal)
        if self.run.resumed:
            kept = self.run.store.fetched_fingerprints(self.run.run_id, portal)
            if kept:
                logger.info("portal %s: %d responses kept from before are replayed, not fetched", portal, len(kept))
                self.replayable |= kept

    def process_request(self, request, spider=None):
        portal = request.meta.get(PORTAL)
        if portal is None:
            return None
        if portal not in self.loaded:
            self._load(portal)
        if not self.replayable:
            return None
        fp = self._fingerprint(request)
        if fp not in self.replayable:
            return None
        self.replayable.discard(fp)
        blob = self.run.store.fetched_response(self.run.run_id, fp)
        if blob is None:
            return None
        try:
            response = unpack_response(blob, request)
        except (zlib.error, ValueError, struct.error, KeyError) as exc:
            logger.warning("a kept response for %s cannot be read (%s); fetching it again", request.url, exc)
            return None
        self.crawler.stats.inc_value("govlaw/journal/replayed")
        return response

    def process_response(self, request, response, spider=None):
        portal = request.meta.get(PORTAL)
        if portal and FLAG not in response.flags:
            self.buffer.append((self._fingerprint(request), portal, pack_response(response)))
            if len(self.buffer) >= self.batch_size:
                self.flush()
        return response

    def _flush_if_due(self):
        if self.buffer and time.monotonic() - self.last_flush >= self.interval:
            self.flush()

    def flush(self) -> None:
        batch, self.buffer = self.buffer, []
        self.last_flush = time.monotonic()
        if not batch:
            return
        committed = self.run.portals.committed
        batch = [entry for entry in batch if entry[1] not in committed]
        if batch:
            self.run.store.keep_fetched(self.run.run_id, batch)
            self.crawler.stats.inc_value("govlaw/journal/kept", len(batch))

    def spider_closed(self, spider, reason=None):
        # Nothing to keep: the run is being committed whole.
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.buffer = []

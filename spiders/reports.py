"""The `reports` spider: portal columns → listing pages → report pages → items.

Thin by design: which links are documents and how a listing pages on is
govlaw.discovery's business, what a page says is govlaw.extract's, and what
the run has learned about pages is recorded in the run's journal
(govlaw.incremental), committed with the items at the end of the run.

    scrapy crawl reports -a sources=portals.yaml [-a full=1] [-a portals=id1,id2]
"""
from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import scrapy
from scrapy.http import FormRequest, Request, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from govlaw import pagecap, scheduler
from govlaw import sources as sources_mod
from govlaw.dedupe import address_key
from govlaw.discovery import Entry, ListingPage, parse_listing
from govlaw.extract import Hints
from govlaw.extract import reading as reading_of
from govlaw.extract.blocked import classify as blocked_page
from govlaw.extract.page import attachment_order
from govlaw.extract.pool import ExtractionPool, ReadingFailed
from govlaw.incremental import (
    FINAL_REJECTIONS,
    ListingWalk,
    PageRecord,
    data_to_listing,
    entries_to_data,
    revalidation_due,
)
from govlaw.portals import WAIT, PortalProgress, portal_source
from govlaw.run import RunContext
from govlaw.signals import portal_finished
from govlaw.state import OutputLocked
from govlaw.vocab import CANDIDATE_TITLE
from spiders import responses
from spiders.discovery import DiscoveryMixin
from spiders.parts import DocumentPartsMixin

EX_TEMPFAIL = 75


def user_agent(contact: str | None) -> str:
    from govlaw import __version__

    return f"govlaw/{__version__} (+{contact or 'no contact given'}; annual law-based government reports)"
# Statuses the spider reads itself: revalidation, removal, and the answers
# of anti-bot layers (after retries), which are reported, not parsed.
_STATUSES = [304, 401, 403, 404, 410, 412, 429, 503, 521]


class ReportsSpider(DiscoveryMixin, DocumentPartsMixin, scrapy.Spider):
    name = "reports"

    def __init__(self, sources: str | None = None, full: str | None = None, portals: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.portals = sources_mod.load(sources)
        if portals is not None:  # an id the file does not have is an error, not an empty run
            self.portals = sources_mod.select(self.portals, portals, sources)
        self.full = full not in (None, "", "0", "false", "no")

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        if not settings.get("USER_AGENT"):
            settings.set("USER_AGENT", user_agent(settings.get("GOVLAW_CONTACT")), priority="spider")
        scheduler.choose(settings)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_pages = settings.getint("GOVLAW_MAX_LISTING_PAGES", 200)
        spider.prefilter = settings.getbool("GOVLAW_PREFILTER_TITLES", True)
        spider.margin = settings.getint("GOVLAW_KNOWN_MARGIN", 10)
        spider.recent_years = settings.getint("GOVLAW_REVALIDATE_RECENT_YEARS", 2)
        spider.old_days = settings.getint("GOVLAW_REVALIDATE_OLD_DAYS", 30)
        try:
            spider.run = RunContext.of(crawler)
        except OutputLocked as exc:
            # Nothing has started yet: say why plainly and leave with
            # EX_TEMPFAIL, which schedulers read as "try again later".
            spider.logger.error("%s", exc)
            sys.stderr.write(f"govlaw: {exc}\n")
            sys.stderr.flush()
            os._exit(EX_TEMPFAIL)
        if settings.get("GOVLAW_REDIS_URL"):  # a worker of a distributed run: its sources are the queue's
            from govlaw.distributed.worker import queued_run

            spider.portals = queued_run(settings)[1]
        spider.run.crawled_portals = [p.id for p in spider.portals]
        spider.run.portals = PortalProgress(spider.run.crawled_portals, spider.run.committed_before)
        spider.open_portals = max(1, settings.getint("GOVLAW_OPEN_PORTALS", 64))
        spider.portal_source = portal_source(crawler, spider)
        spider.known, spider.resting = {}, {}
        spider.run.portal_names = {p.id: (p.name, p.region_code) for p in spider.portals}
        spider.page_cap = pagecap.PageCap.install(crawler)
        spider.max_chars = settings.getint("GOVLAW_MAX_PAGE_CHARS", pagecap.DEFAULT_CHARS)
        spider.journal = spider.run.journal
        spider.extraction = ExtractionPool.from_crawler(crawler)
        spider._init_discovery(settings)
        return spider

    async def start(self):
        # Portals are opened a window at a time (GOVLAW_OPEN_PORTALS): each is
        # committed once drained, so what a run holds in memory follows the
        # open portals, not the run's size. They come from the sources file,
        # or, in distributed mode, are leased one by one from a queue.
        from twisted.internet import reactor  # the one Scrapy installed: import late

        self.crawler.signals.connect(self._forget_portal, signal=portal_finished)
        while True:
            while self.run.portals.open_count >= self.open_portals:
                await maybe_deferred_to_future(deferLater(reactor, 0.1))
            portal = self.portal_source.next_portal()
            if portal is None:
                break
            if portal is WAIT:  # others hold the last portals: one may come back
                await maybe_deferred_to_future(deferLater(reactor, self.portal_source.wait_seconds))
                continue
            for request in self._open_portal(portal):
                yield request
            self.run.portals.opened.add(portal.id)

    def _open_portal(self, portal):
        # What the state knows of a portal is read when its turn comes, and
        # forgotten when it is committed.
        self.known[portal.id] = self.run.store.pages_of(portal.id)
        self.resting[portal.id] = self._resting_pages(portal.id)
        return self._portal_requests(portal)

    def _forget_portal(self, portal):
        """A committed portal has no request left: what was kept for it goes."""
        for per_portal in (self.known, self.resting, self.plans, self.column_walks, self.extra_hosts):
            per_portal.pop(portal, None)

    def _portal_requests(self, portal):
        for url in portal.start_urls:
            walk = ListingWalk(portal.id, url, self.margin, self.full, self.max_pages)
            yield self._listing_request(portal, walk, url)
        yield from self.column_requests(portal)  # remembered or discovered columns of a home_url portal
        # Every report this portal is known to hold is asked for again,
        # conditionally: a correction changes its validators, a
        # withdrawal answers 404/410, and an unchanged page costs a 304 —
        # recent reports on every run, older ones on a slower cadence.
        for key, record in self.known[portal.id].items():
            if record.kind == "document" and not self._final(record) and not self._rests(portal, key):
                yield self._document_request(portal, record.url, _hints_entry(record))

    def _resting_pages(self, portal_id: str) -> set[str]:
        """Pages of older reports confirmed too recently to be asked for
        again this run. Not asking is not evidence of anything: the report
        keeps its record, its last_seen and its validators."""
        if self.full:
            return set()
        import datetime as dt

        now = dt.datetime.now(dt.timezone.utc)
        return {key for key, (year, published, seen) in self.run.store.report_pages_of(portal_id).items()
                if not revalidation_due(year, published, seen, now, self.recent_years, self.old_days)}

    def _rests(self, portal, key: str) -> bool:
        if key in getattr(self, "resting", {}).get(portal.id, ()):
            self.crawler.stats.inc_value(f"govlaw/{portal.id}/not_due_for_revalidation")
            return True
        return False

    # requests ------------------------------------------------------------------
    def _conditional(self, url: str, portal) -> dict:
        record = None if self.full else self.known[portal.id].get(address_key(url))
        headers = {}
        if record and record.outcome not in ("gone", "error"):
            if record.etag:
                headers["If-None-Match"] = record.etag
            if record.last_modified:
                headers["If-Modified-Since"] = record.last_modified
        return headers

    def _listing_request(self, portal, walk, url, follow=None):
        meta = {"govlaw_portal": portal.id, "handle_httpstatus_list": _STATUSES}
        kwargs = {"portal": portal, "walk": walk, "kind": follow.kind if follow else "html",
                  "page": follow.page if follow else 0}
        if follow is not None and follow.method == "POST":
            return FormRequest(url, formdata=dict(follow.formdata), callback=self.parse_listing,
                               errback=self.listing_failed, cb_kwargs=kwargs, meta=meta)
        return Request(url, callback=self.parse_listing, errback=self.listing_failed, cb_kwargs=kwargs,
                       meta=meta, headers=self._conditional(url, portal))

    def _document_request(self, portal, url, entry):
        return Request(url, callback=self.parse_document, errback=self.document_failed,
                       cb_kwargs={"portal": portal, "entry": entry},
                       meta={"govlaw_portal": portal.id, "handle_httpstatus_list": _STATUSES},
                       headers=self._conditional(url, portal))

    # listings ------------------------------------------------------------------
    def parse_listing(self, response, portal, walk, kind, page):
        counts = self.journal.count(portal.id)
        asked = responses.asked_url(response)
        if response.status == 304:
            # An unchanged listing page: nothing was added above what it
            # lists, so the walk ends here; its entries are replayed so the
            # known documents on it are still asked for (conditionally).
            counts.not_modified += 1
            listing = data_to_listing(self.known[portal.id][address_key(asked)].data or {})
            walk.stopped = True
        else:
            text = responses.page_text(response) or response.body.decode("utf-8", "replace")
            reason = blocked_page(response.status, text) or (f"http:{response.status}" if response.status >= 400 else None)
            if reason:
                counts.errors += 1
                self.journal.count_reason(portal.id, reason)
                self.logger.warning("listing page not readable (%s): %s (portal %s)", reason, asked, portal.id)
                self.journal.listing_failures.setdefault(portal.id, []).append(f"{reason} {asked}")
                walk.failed = True
                self._end_walk_if_done(portal, walk)
                if page == 0:  # the column's own page: the column is gone
                    yield from self.column_lost(portal, walk, f"answered {reason}")
                return
            if page == 0 and responses.moved_elsewhere(response):
                walk.failed = True
                self._end_walk_if_done(portal, walk)
                yield from self.column_lost(portal, walk, f"moved to {response.url}")
                return
            counts.listing_pages += 1
            listing = parse_listing(ListingPage(responses.with_fragment(response), text, kind, page), portal.template,
                                    self.max_pages)
            listing.follow = [f for f in listing.follow if self._own(portal, f.url)]
            self.journal.record(PageRecord(asked, portal.id, "listing", *responses.validators(response),
                                           outcome="listing", data=entries_to_data(listing, listing.follow)))
        entries = [e for e in listing.entries if self._own(portal, e.url)]
        if page == 0 and response.status != 304 and not entries and not listing.follow:
            yield from self.column_lost(portal, walk, "lists nothing")
        known = self.known[portal.id]
        walk.add_follows(listing.follow)
        walk.see_entries(entries, set(known))
        for entry in entries:
            record = known.get(address_key(entry.url))
            if record is not None and self._final(record) and not self.full:
                counts.skipped_known += 1
                continue
            if record is not None and self._rests(portal, address_key(entry.url)):
                continue
            if self.prefilter and entry.title and not CANDIDATE_TITLE.search(entry.title) and record is None:
                self.crawler.stats.inc_value(f"govlaw/{portal.id}/skipped_by_title")
                continue
            yield self._document_request(portal, entry.url, entry)
        follow = walk.next_follow()
        if follow is not None:
            yield self._listing_request(portal, walk, follow.url, follow)
        else:
            self._end_walk_if_done(portal, walk)

    def _end_walk_if_done(self, portal, walk):
        if walk.trap:
            self.journal.count_reason(portal.id, walk.trap)
            self.logger.warning("listing walk stopped (%s) after %d pages: %s (portal %s)", walk.trap, walk.pages,
                                walk.start_url, portal.id)
        if walk.complete:
            self.journal.complete_walks.setdefault(portal.id, set()).update(walk.entries)
        else:
            self.journal.incomplete_portals.add(portal.id)

    def listing_failed(self, failure):
        kwargs = failure.request.cb_kwargs
        portal, walk = kwargs["portal"], kwargs["walk"]
        self.journal.count(portal.id).errors += 1
        if pagecap.too_large(failure):
            self.journal.count_reason(portal.id, pagecap.REASON)
        self.logger.debug("%s", failure.getTraceback())
        self.logger.warning("listing request failed for portal %s: %s (%s)", portal.id, failure.request.url,
                            failure.getErrorMessage())
        self.journal.listing_failures.setdefault(portal.id, []).append(
            f"{failure.getErrorMessage()} {failure.request.url}")
        walk.failed = True
        self._end_walk_if_done(portal, walk)
        if kwargs["page"] == 0:
            return list(self.column_lost(portal, walk, f"failed ({failure.getErrorMessage()})"))
        return None

    # documents -----------------------------------------------------------------
    async def parse_document(self, response, portal, entry):
        counts = self.journal.count(portal.id)
        asked = responses.asked_url(response)
        key = address_key(asked)
        if response.status == 304:
            counts.not_modified += 1
            self.journal.mark_seen(portal.id, key)
            return
        if self.page_cap.over(response):  # decompressed past the cap: refused before decoding
            counts.errors += 1
            self.journal.count_reason(portal.id, pagecap.REASON)
            self.logger.warning("page too large (%d bytes): %s (portal %s)", len(response.body), asked, portal.id)
            return
        hints = Hints(listing_title=entry.title, listing_date=entry.date, region_code=portal.region_code,
                      portal=portal.id, portal_name=portal.name)
        try:  # decoding, the blocked-page check and extraction: in a worker process (govlaw.extract.pool)
            reading = await self.extraction.read(
                reading_of.read_document, response.body, response.url, response.status,
                response.headers.get(b"Content-Type", b"").decode("latin-1"),
                response.headers.get(b"Content-Disposition"), isinstance(response, TextResponse), hints)
        except ReadingFailed as exc:
            counts.detail_pages += 1
            self.logger.warning("page not read (%s): %s (portal %s)", exc, asked, portal.id)
            self.journal.count_reason(portal.id, exc.reason)
            self._reject(portal, asked, response, entry, exc.reason)
            return
        blocked = reading.blocked
        if response.status in (404, 410) or blocked == "page:soft_404":
            counts.gone += 1
            self.journal.count_reason(portal.id, blocked or f"http:{response.status}")
            self.journal.mark_gone(portal.id, key)
            self.journal.record(PageRecord(asked, portal.id, "document", outcome="gone", data=_hints_data(entry)))
            return
        if blocked or response.status >= 400:
            # Not the page: never read, never a withdrawal, tried again next run.
            counts.blocked += 1
            self.journal.count_reason(portal.id, blocked or f"http:{response.status}")
            self.logger.warning("not a document page (%s): %s (portal %s)", blocked or response.status, asked,
                                portal.id)
            return
        counts.detail_pages += 1
        if not reading.readable:
            self._reject(portal, asked, response, entry, "page:not_a_document")
            return
        more = [u for u in reading.more if self._own(portal, u)]
        if more:  # an article split over pages: its parts first, then the rest
            yield self._part_request(portal, asked, response, entry, reading.ex, [], more)
            return
        for out in self._finish_document(portal, asked, response, entry, reading.ex, reading.fingerprint):
            yield out

    def _finish_document(self, portal, asked, response, entry, ex, fingerprint=None):
        if ex.reason == "attachment:pending":
            yield from self._next_attachment(portal, asked, response, entry, ex, attachment_order(ex))
            return
        yield from self._emit(portal, asked, response, entry, ex, fingerprint)

    def _emit(self, portal, asked, response, entry, ex, fingerprint=None):
        key = address_key(asked)
        counts = self.journal.count(portal.id)
        if not ex.is_report:
            self._reject(portal, asked, response, entry, ex.reason)
            return
        if self.max_chars and len(ex.body or "") > self.max_chars:
            # Far longer than any report: filler around one, or many run together.
            self.journal.count_reason(portal.id, pagecap.REASON)
            self._reject(portal, asked, response, entry, pagecap.REASON)
            return
        self.journal.mark_seen(portal.id, key)
        self.journal.record(PageRecord(asked, portal.id, "document", *responses.validators(response), outcome="report",
                                       data=_hints_data(entry)))
        counts.reports += 1
        item = ex.to_dict()
        item.pop("encoding", None)
        item.pop("is_report", None)
        item.update(portal=portal.id, portal_name=portal.name, portal_region=portal.region_code, asked_key=key)
        if fingerprint:  # made where the page was read; the pipelines make it for an item without one
            item.update(fingerprint)
        yield item

    def document_failed(self, failure):
        portal = failure.request.cb_kwargs["portal"]
        self.journal.count(portal.id).errors += 1
        if pagecap.too_large(failure):  # cancelled unread: never parsed, never a withdrawal
            self.journal.count_reason(portal.id, pagecap.REASON)
        self.logger.warning("request failed for portal %s: %s (%s)", portal.id, failure.request.url,
                            failure.getErrorMessage())

    # helpers -------------------------------------------------------------------

    def _page_text(self, response) -> str | None:
        return responses.page_text(response)

    @staticmethod
    def _final(record: PageRecord) -> bool:
        return bool(record.outcome) and record.outcome.startswith(FINAL_REJECTIONS)

    def _own(self, portal, url: str) -> bool:
        """Only the portal's own hosts: links off-site are not ours to crawl."""
        if urlsplit(url).netloc.lower() in portal.hosts or self.own_extra(portal, url):
            return True
        self.crawler.stats.inc_value(f"govlaw/{portal.id}/offsite_links")
        return False

    def _reject(self, portal, asked, response, entry, reason: str) -> None:
        self.logger.debug("not a report (%s): %s", reason, asked)
        self.crawler.stats.inc_value(f"govlaw/rejected/{reason}")
        self.journal.count(portal.id).rejected += 1
        self.journal.record(PageRecord(asked, portal.id, "document", *responses.validators(response),
                                       outcome=f"rejected:{reason}", data=_hints_data(entry)))


def _hints_data(entry: Entry) -> dict:
    return {"title": entry.title, "date": entry.date}


def _hints_entry(record: PageRecord) -> Entry:
    data = record.data or {}
    return Entry(record.url, data.get("title") or "", data.get("date"))

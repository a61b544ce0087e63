"""The `reports` spider: portal columns → listing pages → report pages → items.

Thin by design: which links are documents and how a listing pages on is
govlaw.discovery's business; what a page says is govlaw.extract's.

    scrapy crawl reports -a sources=portals.yaml
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import scrapy
from scrapy.http import FormRequest, Request, TextResponse

from govlaw import sources as sources_mod
from govlaw.discovery import ListingPage, parse_listing
from govlaw.extract import Hints, extract_html

# A listing title that could name a report; titles that certainly do not are
# not fetched. Truncated titles (…) are fetched: the page decides.
_CANDIDATE_TITLE = re.compile(r"法治|依法行政|报告|情况|…|\.\.\.")


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, sources: str | None = None, full: str | None = None, portals: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.portals = sources_mod.load(sources)
        if portals:
            wanted = set(portals.split(","))
            self.portals = [p for p in self.portals if p.id in wanted]
        self.full = full not in (None, "", "0", "false", "no")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_pages = crawler.settings.getint("GOVLAW_MAX_LISTING_PAGES", 200)
        spider.prefilter = crawler.settings.getbool("GOVLAW_PREFILTER_TITLES", True)
        return spider

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        for portal in self.portals:
            for url in portal.start_urls:
                yield Request(url, callback=self.parse_listing, errback=self.on_error,
                              cb_kwargs={"portal": portal, "kind": "html", "page": 0},
                              meta={"govlaw_portal": portal.id})

    # listings ------------------------------------------------------------------
    def parse_listing(self, response, portal, kind, page):
        self._count(portal, "listing_pages")
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        listing = parse_listing(ListingPage(response.url, text, kind, page), portal.template, self.max_pages)
        for entry in listing.entries:
            if not self._own(portal, entry.url):
                continue
            if self.prefilter and entry.title and not _CANDIDATE_TITLE.search(entry.title):
                self._count(portal, "skipped_by_title")
                continue
            yield Request(entry.url, callback=self.parse_document, errback=self.on_error,
                          cb_kwargs={"portal": portal, "entry": entry}, meta={"govlaw_portal": portal.id})
        for follow in listing.follow:
            if not self._own(portal, follow.url):
                continue
            cb_kwargs = {"portal": portal, "kind": follow.kind, "page": follow.page}
            if follow.method == "POST":
                yield FormRequest(follow.url, formdata=dict(follow.formdata), callback=self.parse_listing,
                                  errback=self.on_error, cb_kwargs=cb_kwargs, meta={"govlaw_portal": portal.id})
            else:
                yield Request(follow.url, callback=self.parse_listing, errback=self.on_error,
                              cb_kwargs=cb_kwargs, meta={"govlaw_portal": portal.id})

    # documents -----------------------------------------------------------------
    def parse_document(self, response, portal, entry):
        self._count(portal, "detail_pages")
        if not isinstance(response, TextResponse):
            self._reject(portal, response.url, "page:not_html")
            return
        hints = Hints(listing_title=entry.title, listing_date=entry.date, region_code=portal.region_code,
                      portal=portal.id, portal_name=portal.name)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        ex = extract_html(response.body, response.url, content_type=content_type, hints=hints)
        if not ex.is_report:
            self._reject(portal, response.url, ex.reason)
            return
        item = ex.to_dict()
        item.pop("encoding", None)
        item.pop("is_report", None)
        item.update(portal=portal.id, portal_name=portal.name, portal_region=portal.region_code)
        self._count(portal, "reports")
        yield item

    # helpers -------------------------------------------------------------------
    def _own(self, portal, url: str) -> bool:
        """Only the portal's own hosts: links off-site are not ours to crawl."""
        if urlsplit(url).netloc.lower() in portal.hosts:
            return True
        self._count(portal, "offsite_links")
        return False

    def _reject(self, portal, url: str, reason: str) -> None:
        self.logger.debug("not a report (%s): %s", reason, url)
        self.crawler.stats.inc_value(f"govlaw/rejected/{reason}")
        self._count(portal, "rejected")

    def _count(self, portal, what: str) -> None:
        self.crawler.stats.inc_value(f"govlaw/{portal.id}/{what}")

    def on_error(self, failure):
        request = failure.request
        portal = request.meta.get("govlaw_portal", "?")
        self.logger.warning("request failed for portal %s: %s (%s)", portal, request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value(f"govlaw/{portal}/errors")

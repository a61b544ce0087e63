"""The spider's side of discovery: from a portal's home page to its report
columns, then the columns' listing walks as if they had been given.

Where a portal's reports are is read from its pages (govlaw.discovery.home)
in the order a DiscoveryPlan keeps, within its budget, and remembered in the
state as `column` pages: an unchanged re-run walks the remembered columns
and spends nothing on discovery; a remembered column that is gone, moved
elsewhere or lists nothing sends the portal back to discovery in that run.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.http import FormRequest, Request

from govlaw.discovery.home import _site, read_directions
from govlaw.discovery.plan import DiscoveryPlan, Found
from govlaw.discovery.search import SearchRequest, find_search, read_answer
from govlaw.vocab import CANDIDATE_TITLE
from govlaw.extract.blocked import classify as blocked_page
from govlaw.dedupe import address_key
from govlaw.incremental import ListingWalk, PageRecord

COLUMN = "column"
# From 法定主动公开内容 (3) down, a page of the way that lists reports is a report column.
LISTS_REPORTS_FROM_STEP = 3


def _lists_reports(text: str, url: str, template: str) -> bool:
    from govlaw.discovery import ListingPage, parse_listing
    from govlaw.extract.detect import decide_title

    listing = parse_listing(ListingPage(url, text), template, 1)
    return any(getattr(decide_title(e.title), "is_report", False) for e in listing.entries)


class DiscoveryMixin:
    """Mixed into ReportsSpider; uses its journal, _listing_request and _page_text."""

    def _init_discovery(self, settings) -> None:
        self.discovery_budget = settings.getint("GOVLAW_DISCOVERY_BUDGET", 40)
        self.plans: dict[str, DiscoveryPlan] = {}
        self.extra_hosts: dict[str, set[str]] = {}
        self.column_walks: dict[str, list] = {}   # portal → walks of discovered or remembered columns

    # where a portal's walks start ------------------------------------------------
    def remembered_columns(self, portal) -> list[PageRecord]:
        return [r for r in self.known[portal.id].values()
                if r.kind == COLUMN and (r.outcome or "").startswith("column:") and not self.full]

    def column_requests(self, portal):
        """The portal's given columns; else its remembered ones; else discovery."""
        if portal.start_urls:
            return
        remembered = self.remembered_columns(portal)
        if remembered:
            self.journal.count(portal.id).found_via = "remembered"
            for record in remembered:
                self.extra_hosts.setdefault(portal.id, set()).add(urlsplit(record.url).netloc.lower())
                search = (record.data or {}).get("search")
                if search:  # a remembered search is run again: it is this portal's listing
                    yield self._search_request(portal, _request_from(search))
                else:
                    yield from self._walk_column(portal, record.url, remembered=True)
            return
        if portal.home_url:
            yield from self._start_discovery(portal)

    def _walk_column(self, portal, url, remembered=False):
        walk = ListingWalk(portal.id, url, self.margin, self.full, self.max_pages)
        walk.column = True
        walk.remembered = remembered
        self.column_walks.setdefault(portal.id, []).append(walk)
        yield self._listing_request(portal, walk, url)

    # discovery ---------------------------------------------------------------------
    def _start_discovery(self, portal):
        if portal.id in self.plans or not portal.home_url:
            return  # at most once a run
        plan = DiscoveryPlan(portal.id, portal.home_url, budget=self.discovery_budget)
        self.plans[portal.id] = plan
        self.extra_hosts.setdefault(portal.id, set())
        yield from self._next_discovery(portal, plan)

    def _next_discovery(self, portal, plan):
        candidate = plan.next_page()
        if candidate is None:
            request = plan.search_request()
            if request is not None:
                self.journal.count(portal.id).discovery_requests += 1
                yield self._search_request(portal, request, plan)
                return
            self._end_discovery(portal, plan)
            return
        self.journal.count(portal.id).discovery_requests += 1
        yield Request(candidate.url, callback=self.parse_discovery, errback=self.discovery_failed,
                      cb_kwargs={"portal": portal, "plan": plan, "via": candidate.via, "step": candidate.step},
                      meta={"govlaw_portal": portal.id, "handle_httpstatus_list": [404, 410, 412, 403, 521]},
                      dont_filter=True)

    def parse_discovery(self, response, portal, plan, via, step=0):
        text = self._page_text(response) if response.status < 400 else None
        reason = blocked_page(response.status, text or "") if text is not None else f"http:{response.status}"
        if text is not None and not reason:
            if plan.search is None:
                plan.search = find_search(text, response.url, plan.site_code)
            new = plan.read(read_directions(text, response.url, portal.name), via)
            if not new and step >= LISTS_REPORTS_FROM_STEP and _lists_reports(text, response.url, portal.template):
                # A generic column deep on the way (其他法定主动公开内容) that lists reports among other
                # documents: the reports' column is this page.
                found = plan.add_column(response.url, via)
                new = [found] if found else []
            self.extra_hosts[portal.id].update(plan.extra_hosts)
            for found in new:
                self.extra_hosts[portal.id].add(urlsplit(found.url).netloc.lower())
                self.journal.record(PageRecord(found.url, portal.id, COLUMN, outcome=f"column:{found.via}",
                                               data={"text": found.text, "via": found.via,
                                                     "found": self.run.started, "from": response.url}))
                counts = self.journal.count(portal.id)
                counts.found_via = counts.found_via or found.via
                yield from self._walk_column(portal, found.url)
        else:
            self.journal.count_reason(portal.id, f"discovery:{reason}")
        yield from self._next_discovery(portal, plan)

    def discovery_failed(self, failure):
        kw = failure.request.cb_kwargs
        self.journal.count_reason(kw["portal"].id, "discovery:download_failed")
        return list(self._next_discovery(kw["portal"], kw["plan"]))

    def _end_discovery(self, portal, plan) -> None:
        if not plan.columns:
            self.journal.discovery_failures.add(portal.id)
            self.logger.warning("discovery found no report column for portal %s from %s (%d requests)",
                                portal.id, portal.home_url, plan.spent)

    # site search ---------------------------------------------------------------------
    def _search_request(self, portal, request, plan=None):
        kwargs = {"url": request.url, "method": request.method, "headers": dict(request.headers),
                  "callback": self.parse_search, "errback": self.search_failed, "dont_filter": True,
                  "cb_kwargs": {"portal": portal, "request": request, "plan": plan},
                  "meta": {"govlaw_portal": portal.id, "handle_httpstatus_list": [404, 410, 412, 403, 521]}}
        self.extra_hosts.setdefault(portal.id, set()).add(urlsplit(request.url).netloc.lower())
        if request.formdata:
            return FormRequest(formdata=dict(request.formdata), **kwargs)
        if request.json is not None:
            kwargs["headers"].setdefault("Content-Type", "application/json")
            return Request(body=request.json.encode("utf-8"), **kwargs)
        return Request(**kwargs)

    def parse_search(self, response, portal, request, plan):
        """A search answer: its hits are documents to read (the only pages met
        on the way that are); a shell leads to the API request it declares."""
        counts = self.journal.count(portal.id)
        text = self._page_text(response) if response.status < 400 else None
        if text is None:
            text = response.body.decode("utf-8", "replace") if response.status < 400 else None
        if text is None:
            self.journal.count_reason(portal.id, f"search:http:{response.status}")
            if plan is not None:
                self._end_discovery(portal, plan)
            return
        hits, more = read_answer(text, request)
        home_site = {_site(h) for h in portal.hosts}
        hits = [h for h in hits if _site(urlsplit(h.url).netloc) in home_site]
        if hits:
            counts.found_via = counts.found_via or "search"
            self.journal.record(PageRecord(request.url, portal.id, COLUMN, outcome="column:search",
                                           data={"search": _request_data(request), "via": "search",
                                                 "found": self.run.started}))
            if plan is not None:
                plan.columns.append(Found(request.url, "search"))
        for hit in hits:
            self.extra_hosts[portal.id].add(urlsplit(hit.url).netloc.lower())
            if self.prefilter and hit.title and not CANDIDATE_TITLE.search(hit.title):
                continue
            if self._rests(portal, address_key(hit.url)):
                continue
            yield self._document_request(portal, hit.url, hit)
        for follow in more[:self.discovery_budget]:
            if plan is not None:
                counts.discovery_requests += 1
            yield self._search_request(portal, follow, plan)
        if plan is not None and not hits and not more:
            self._end_discovery(portal, plan)

    def search_failed(self, failure):
        kw = failure.request.cb_kwargs
        self.journal.count_reason(kw["portal"].id, "search:download_failed")
        if kw["plan"] is not None:
            self._end_discovery(kw["portal"], kw["plan"])

    # a remembered column that no longer serves -------------------------------------
    def column_lost(self, portal, walk, why: str):
        """A column walk that failed or listed nothing: forget the column; a
        remembered one sends the portal back to discovery, once a run."""
        if not getattr(walk, "column", False):
            return
        self.journal.record(PageRecord(walk.start_url, portal.id, COLUMN, outcome="lost",
                                       data={"why": why}))
        if getattr(walk, "remembered", False) and portal.home_url:
            self.logger.info("remembered column %s of portal %s %s: discovering again", walk.start_url,
                             portal.id, why)
            self.journal.count(portal.id).found_via = None
            yield from self._start_discovery(portal)

    def own_extra(self, portal, url: str) -> bool:
        return urlsplit(url).netloc.lower() in self.extra_hosts.get(portal.id, ())


def _request_data(request) -> dict:
    return {"url": request.url, "method": request.method, "formdata": [list(kv) for kv in request.formdata],
            "json": request.json, "headers": [list(kv) for kv in request.headers], "family": request.family,
            "kind": request.kind, "page": request.page}


def _request_from(data: dict):
    return SearchRequest(url=data["url"], method=data.get("method", "GET"),
                         formdata=tuple(tuple(kv) for kv in data.get("formdata") or ()), json=data.get("json"),
                         headers=tuple(tuple(kv) for kv in data.get("headers") or ()), family=data.get("family", ""),
                         kind=data.get("kind", "json"), page=data.get("page", 1))

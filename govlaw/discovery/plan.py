"""One portal's discovery, from its home page to its report columns, within a budget.

The spider asks the plan what to fetch next and tells it what each page
said (`home.read_directions`). The plan keeps the order — the way on by
depth (其他法定主动公开内容 before 政务公开), then the justice bureau's site,
then site search — and the budget: every page fetched for discovery counts,
and once the budget is spent or a column is found and the way is explored
as far as it usefully goes, discovery ends. No network, no Scrapy.
"""
from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govlaw.discovery.home import Directions
from govlaw.urls import address_key

NAVIGATION, JUSTICE, SEARCH = "navigation", "justice_bureau", "search"
# After the first report column, a few more steps may find its siblings
# (a township sub-column, a department column); then discovery stops.
EXTRA_AFTER_FOUND = 3


@dataclass(order=True)
class _Candidate:
    priority: tuple
    url: str = field(compare=False)
    via: str = field(compare=False)
    step: int = field(default=0, compare=False)   # how deep on the way (3: 法定主动公开内容, 4: 其他…)


@dataclass
class Found:
    url: str
    via: str   # navigation | justice_bureau | search
    text: str = ""


@dataclass
class DiscoveryPlan:
    portal: str
    home_url: str
    budget: int = 40
    spent: int = 0
    columns: list[Found] = field(default_factory=list)
    site_code: str | None = None
    extra_hosts: set[str] = field(default_factory=set)   # the justice bureau's host, once met
    search: object = None      # the site search the home page declares (a discovery.search.SearchRequest)
    searched: bool = False
    _queue: list = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _order: itertools.count = field(default_factory=itertools.count)
    _after_found: int = 0

    def __post_init__(self):
        self._push(self.home_url, NAVIGATION, (0, 0))

    # what to fetch -------------------------------------------------------------
    def next_page(self) -> _Candidate | None:
        """The next discovery page to fetch, or None when discovery is over."""
        if self.spent >= self.budget:
            return None
        if self.columns and self._after_found >= EXTRA_AFTER_FOUND:
            return None
        while self._queue:
            candidate = heapq.heappop(self._queue)
            self.spent += 1
            if self.columns:
                self._after_found += 1
            return candidate
        return None

    # what a page said ----------------------------------------------------------
    def read(self, directions: Directions, via: str = NAVIGATION) -> list[Found]:
        """Record a page's directions; returns the report columns new to this plan."""
        self.site_code = self.site_code or directions.site_code
        new = []
        for link in directions.report_columns:
            key = _key(link.url)
            if key not in {_key(f.url) for f in self.columns}:
                found = Found(link.url, via, link.text)
                self.columns.append(found)
                new.append(found)
        for link in directions.next:
            self._push(link.url, via, (0 if via == NAVIGATION else 1, -link.step), link.step)
        for link in directions.justice_bureau:
            self.extra_hosts.add(urlsplit(link.url).netloc.lower())
            self._push(link.url, JUSTICE, (2, 0))
        return new

    def search_request(self):
        """Site search, once navigation has found nothing: the declared
        request, if the budget still allows it."""
        if self.columns or self.searched or self.search is None or self.spent >= self.budget:
            return None
        self.searched = True
        self.spent += 1
        return self.search

    @property
    def exhausted(self) -> bool:
        return not self._queue or self.spent >= self.budget

    def add_column(self, url: str, via: str, text: str = "") -> Found | None:
        """A page of the way that lists reports itself (其他法定主动公开内容): a column."""
        if _key(url) in {_key(f.url) for f in self.columns}:
            return None
        found = Found(url, via, text)
        self.columns.append(found)
        return found

    def _push(self, url: str, via: str, rank: tuple, step: int = 0) -> None:
        key = _key(url)
        if key in self._seen:
            return
        self._seen.add(key)
        heapq.heappush(self._queue, _Candidate((*rank, next(self._order)), url, via, step))


def _key(url: str) -> str:
    """The project's one address key, plus a fragment that names a column
    (gkmlpt's #<catid>: two columns of one shell are two columns)."""
    fragment = urlsplit(url).fragment
    return address_key(url) + (f"#{fragment}" if fragment.isdigit() else "")

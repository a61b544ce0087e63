"""What a run learns about pages, and how far a listing is walked.

A scheduled run should cost little when nothing changed. It asks for known
pages conditionally (ETag / Last-Modified → 304), stops walking a listing
once it has passed a margin of entries it already knows, and remembers what
it learned in a `Journal` that is committed in the same transaction as the
run's reports: validators are never stored for content the state does not
hold, so a killed run can never make the next one skip a page.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from govlaw.dedupe import address_key
from govlaw.discovery import Entry, Follow, Listing


@dataclass
class PageRecord:
    """What the state remembers of one address."""
    url: str
    portal: str
    kind: str                      # document | listing | column (a report column found by discovery)
    etag: str | None = None
    last_modified: str | None = None
    outcome: str | None = None     # report | rejected:<reason> | gone | error
    data: dict | None = None       # listing: {"entries": [...], "follow": [...]}; document: listing hints

    @property
    def key(self) -> str:
        # A discovered column is also a listing page: it keeps its own key.
        return f"column:{address_key(self.url)}" if self.kind == "column" else address_key(self.url)


# A rejection for one of these reasons is final: the page is what it is.
# Anything else (an error page, a WAF challenge, an empty body) is tried again.
FINAL_REJECTIONS = ("rejected:lookalike:", "rejected:title:other_subject")


@dataclass
class PortalCounts:
    listing_pages: int = 0
    detail_pages: int = 0
    not_modified: int = 0
    skipped_known: int = 0
    reports: int = 0
    rejected: int = 0
    gone: int = 0
    blocked: int = 0
    errors: int = 0
    discovery_requests: int = 0       # pages fetched to find the report columns
    found_via: str | None = None      # how the columns were found: remembered | navigation | justice_bureau | search
    browser_pages: int = 0            # pages loaded in the browser to pass a script challenge
    challenge: str | None = None      # a script challenge met: passed | not passed (given up for the run)


@dataclass
class PortalJournal:
    """What a run learned on one portal, handed to the portal's commit."""
    portal: str
    pages: dict = field(default_factory=dict)       # key → PageRecord
    seen: set = field(default_factory=set)          # document keys confirmed present (200 report or 304)
    gone: set = field(default_factory=set)          # document keys answered 404/410
    complete_walk: set | None = None                # entry keys, when every listing was walked to its end
    incomplete: bool = False                        # some listing walk was cut short
    listing_failures: list = field(default_factory=list)
    counts: PortalCounts = field(default_factory=PortalCounts)
    discovery_failed: bool = False
    reasons: dict = field(default_factory=dict)     # reason → count, for pages not read

    @property
    def walked(self) -> bool:
        """Every listing of the portal walked to its end: an address missing
        from the walk is evidence of absence."""
        return self.complete_walk is not None and not self.incomplete


@dataclass
class Journal:
    """What the run has learned and not yet committed, portal by portal:
    `take(portal)` hands a finished portal's part to its commit and forgets
    it, so nothing of a committed portal stays in memory."""
    pages: dict = field(default_factory=dict)          # portal → {key → PageRecord}
    seen: dict = field(default_factory=dict)           # portal → document keys confirmed present
    gone: dict = field(default_factory=dict)           # portal → document keys answered 404/410
    complete_walks: dict = field(default_factory=dict)  # portal → set of entry keys of fully walked listings
    incomplete_portals: set = field(default_factory=set)
    listing_failures: dict = field(default_factory=dict)  # portal → ["404 url", ...]
    counts: dict = field(default_factory=dict)         # portal → PortalCounts
    discovery_failures: set = field(default_factory=set)  # portals whose discovery found no report column
    reasons: dict = field(default_factory=dict)        # portal → {reason: count} for pages not read

    def count(self, portal: str) -> PortalCounts:
        return self.counts.setdefault(portal, PortalCounts())

    def count_reason(self, portal: str, reason: str) -> None:
        per = self.reasons.setdefault(portal, {})
        per[reason] = per.get(reason, 0) + 1

    def record(self, page: PageRecord) -> None:
        self.pages.setdefault(page.portal, {})[page.key] = page

    def mark_seen(self, portal: str, key: str) -> None:
        self.seen.setdefault(portal, set()).add(key)

    def mark_gone(self, portal: str, key: str) -> None:
        self.gone.setdefault(portal, set()).add(key)

    def put_back(self, pj: PortalJournal) -> None:
        """A portal's part, handed back by a commit that failed: kept for the next try."""
        p = pj.portal
        self.pages.setdefault(p, {}).update(pj.pages)
        self.seen.setdefault(p, set()).update(pj.seen)
        self.gone.setdefault(p, set()).update(pj.gone)
        if pj.complete_walk is not None:
            self.complete_walks.setdefault(p, set()).update(pj.complete_walk)
        if pj.incomplete:
            self.incomplete_portals.add(p)
        self.listing_failures.setdefault(p, []).extend(pj.listing_failures)
        self.counts[p] = pj.counts
        if pj.discovery_failed:
            self.discovery_failures.add(p)
        for reason, n in pj.reasons.items():
            self.reasons.setdefault(p, {})[reason] = self.reasons.get(p, {}).get(reason, 0) + n

    def take(self, portal: str) -> PortalJournal:
        incomplete, failed = portal in self.incomplete_portals, portal in self.discovery_failures
        self.incomplete_portals.discard(portal)
        self.discovery_failures.discard(portal)
        return PortalJournal(
            portal, self.pages.pop(portal, {}), self.seen.pop(portal, set()), self.gone.pop(portal, set()),
            self.complete_walks.pop(portal, None), incomplete, self.listing_failures.pop(portal, []),
            self.counts.pop(portal, None) or PortalCounts(), failed, self.reasons.pop(portal, {}))


def entries_to_data(listing: Listing, follows: list[Follow]) -> dict:
    return {"entries": [[e.url, e.title, e.date] for e in listing.entries],
            "follow": [[f.url, f.method, [list(kv) for kv in f.formdata], f.kind, f.page] for f in follows]}


def data_to_listing(data: dict) -> Listing:
    listing = Listing(entries=[Entry(*e) for e in data.get("entries", [])])
    listing.follow = [Follow(u, m, tuple(tuple(kv) for kv in fd), k, p) for u, m, fd, k, p in data.get("follow", [])]
    return listing


@dataclass
class ListingWalk:
    """One start URL's walk through its listing pages, one page at a time,
    so that it can stop as soon as it has seen enough of what it knows."""
    portal: str
    start_url: str
    margin: int
    full: bool
    max_pages: int = 200
    pending: deque = field(default_factory=deque)
    queued: set = field(default_factory=set)
    known_in_a_row: int = 0
    entries: set = field(default_factory=set)
    stopped: bool = False
    failed: bool = False
    pages: int = 1
    trap: str | None = None   # why a walk was cut short: listing:page_cap | listing:repeated

    def add_follows(self, follows: list[Follow]) -> None:
        for f in follows:
            key = (f.url, f.method, f.formdata)
            if key not in self.queued:
                self.queued.add(key)
                self.pending.append(f)

    def see_entries(self, entries: list[Entry], known: set[str]) -> None:
        keys = {address_key(e.url) for e in entries}
        if keys and keys <= self.entries:
            # A page that lists nothing this walk has not seen: a pager that
            # loops or repeats itself. Going on would never end.
            self.stopped, self.trap = True, "listing:repeated"
            return
        for e in entries:
            key = address_key(e.url)
            self.entries.add(key)
            self.known_in_a_row = self.known_in_a_row + 1 if key in known else 0
        if not self.full and self.known_in_a_row >= self.margin:
            self.stopped = True

    def next_follow(self) -> Follow | None:
        if self.stopped or self.failed or not self.pending:
            return None
        if self.pages >= self.max_pages:
            self.stopped, self.trap = True, "listing:page_cap"
            return None
        self.pages += 1
        return self.pending.popleft()

    @property
    def complete(self) -> bool:
        """Walked to its end: every entry still listed has been seen."""
        return not self.stopped and not self.failed and not self.pending


def revalidation_due(report_year, publish_date, last_seen, now, recent_years: int, old_days: int) -> bool:
    """Is a known report asked for again this run? Always when it is recent
    (its report year or publish date within `recent_years` of `now`'s year)
    or when what it is cannot be told; an older one once `old_days` days have
    passed since it was last confirmed."""
    import datetime as _dt

    years = [y for y in (report_year, _year(publish_date)) if isinstance(y, int)]
    if not years or max(years) >= now.year - recent_years:
        return True
    try:
        seen = _dt.datetime.fromisoformat(str(last_seen).replace("Z", "+00:00"))
    except ValueError:
        return True
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=_dt.timezone.utc)
    return now - seen >= _dt.timedelta(days=old_days)


def _year(date) -> int | None:
    try:
        return int(str(date)[:4])
    except (TypeError, ValueError):
        return None

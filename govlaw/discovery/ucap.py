"""开普 UCAP, as docs/families.md §4 records it.

Static columns: the UCAP library's createPageHTML takes six arguments and
counts from 1 — `createPageHTML('page_div', N, cur, 'list', 'shtml', total)`
— so page k ≥ 2 is `list_k.shtml` (TRS's four-argument form counts from 0).
JSON columns (`/searchList/<channel>?…&_isJson=true&_pageSize=15&page=N`,
`/search/…`, `/common/search/…`) answer `{"data": {"total", "results":
[{"title", "url", "publishedTimeStr"}]}}`, pages 1-based.
"""
from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from govlaw import normalize
from govlaw.discovery.base import Entry, Follow, Listing, ListingPage
from govlaw.discovery.links import find_entries

_CREATE = re.compile(r"createPageHTML\(\s*['\"][\w\-]+['\"]\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w\-]+)['\"]\s*,"
                     r"\s*['\"](\w+)['\"]\s*(?:,\s*(\d+))?\s*\)")
_PAGE_PARAM = re.compile(r"([?&]page=)(\d+)")


def matches(page: ListingPage) -> bool:
    if page.kind == "json":
        return '"results"' in page.text[:20000] and '"data"' in page.text[:200]
    return page.kind == "html" and bool(_CREATE.search(page.text))


def parse(page: ListingPage, max_pages: int) -> Listing:
    if page.kind == "json":
        return _answer(page, max_pages)
    listing = Listing(entries=find_entries(page.text, page.url), family="ucap")
    m = _CREATE.search(page.text)
    count, current, name, ext = int(m[1]), int(m[2]), m[3], m[4]
    if current <= 1:  # the first page schedules the others
        for n in range(2, min(count, max_pages) + 1):
            listing.follow.append(Follow(urljoin(page.url, f"{name}_{n}.{ext}"), page=n))
    return listing


def _answer(page: ListingPage, max_pages: int) -> Listing:
    listing = Listing(family="ucap")
    try:
        data = json.loads(page.text).get("data") or {}
    except (ValueError, AttributeError):
        return listing
    results = data.get("results") if isinstance(data, dict) else None
    for r in results if isinstance(results, list) else []:
        if isinstance(r, dict) and r.get("url") and r.get("title"):
            date = normalize.iso(normalize.parse_date(str(r.get("publishedTimeStr") or "")))
            listing.entries.append(Entry(urljoin(page.url, r["url"]), normalize.clean_line(str(r["title"])), date))
    query = dict(parse_qsl(urlsplit(page.url).query, keep_blank_values=True))
    if query.get("page", "1") == "1" and _PAGE_PARAM.search(page.url):
        size = int(query.get("_pageSize") or data.get("rows") or len(results or []) or 1)
        pages = min(math.ceil(int(data.get("total") or 0) / size), max_pages)
        for n in range(2, pages + 1):
            # The address is rebuilt as the page wrote it, blank parameters and order kept.
            listing.follow.append(Follow(_PAGE_PARAM.sub(rf"\g<1>{n}", page.url), kind="json", page=n))
    return listing

"""TRS WCM: index.html, index_1.html, …; the page count lives only in JS:
createPageHTML(N, current, "index", "html") or var countPage = N."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from govlaw.discovery.base import Follow, Listing, ListingPage
from govlaw.discovery.links import find_entries

_CREATE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT = re.compile(r"var\s+currentPage\s*=\s*['\"]?(\d+)")


def matches(page: ListingPage) -> bool:
    return page.kind == "html" and bool(_CREATE.search(page.text) or _COUNT.search(page.text))


def parse(page: ListingPage, max_pages: int) -> Listing:
    listing = Listing(entries=find_entries(page.text, page.url), family="trs")
    m = _CREATE.search(page.text)
    if m:
        count, current, prefix, ext = int(m[1]), int(m[2]), m[3], m[4]
    else:
        count = int(_COUNT.search(page.text)[1])
        cur = _CURRENT.search(page.text)
        current, prefix, ext = int(cur[1]) if cur else 0, "index", "html"
    # Only the first page enumerates the rest: every page names the same
    # count, and asking each to list all others would only repeat requests.
    if current == 0:
        for n in range(1, min(count, max_pages)):
            listing.follow.append(Follow(urljoin(page.url, f"{prefix}_{n}.{ext}"), page=n))
    return listing

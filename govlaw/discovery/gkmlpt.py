"""Guangdong-style 政务公开 platforms (gkmlpt): the column page holds no links;
a script loads them from a JSON API, /gkmlpt/api/all/<catid>?page=N&sid=…"""
from __future__ import annotations

import json
import math
import re
from urllib.parse import urljoin, urlencode

from govlaw import normalize
from govlaw.discovery.base import Entry, Follow, Listing, ListingPage

_API = re.compile(r"['\"]?api['\"]?\s*:\s*['\"]([^'\"]*/api/[^'\"]+)['\"]|(/gkmlpt/api/all/\d+)")
_SID = re.compile(r"['\"]?sid['\"]?\s*[:=]\s*['\"]?(\w+)")


def matches(page: ListingPage) -> bool:
    return page.kind == "json" or bool(_API.search(page.text) and "gkmlpt" in page.text.lower())


def parse(page: ListingPage, max_pages: int) -> Listing:
    listing = Listing(family="gkmlpt")
    if page.kind != "json":
        m = _API.search(page.text)
        api = m.group(1) or m.group(2)
        sid = _SID.search(page.text)
        query = {"page": 1}
        if sid:
            query["sid"] = sid.group(1)
        listing.follow.append(Follow(urljoin(page.url, f"{api}?{urlencode(query)}"), kind="json", page=1))
        return listing
    try:
        data = json.loads(page.text)
    except ValueError:
        return listing
    articles = data.get("articles") or data.get("data") or []
    for a in articles if isinstance(articles, list) else []:
        if not isinstance(a, dict) or not a.get("url"):
            continue
        date = None
        stamp = a.get("date") or a.get("publish_time") or a.get("created_at")
        if isinstance(stamp, (int, float)):
            import datetime as dt
            date = dt.datetime.fromtimestamp(stamp, dt.timezone(dt.timedelta(hours=8))).date().isoformat()
        elif isinstance(stamp, str):
            date = normalize.iso(normalize.parse_date(stamp))
        listing.entries.append(Entry(urljoin(page.url, a["url"]), normalize.clean_line(str(a.get("title", ""))), date))
    # The first API page knows how many there are; it schedules the rest.
    if page.page == 1:
        total = int(data.get("total") or 0)
        size = int(data.get("page_size") or data.get("per_page") or len(articles) or 1)
        pages = min(math.ceil(total / size) if size else 1, max_pages)
        for n in range(2, pages + 1):
            listing.follow.append(Follow(re.sub(r"([?&])page=\d+", rf"\g<1>page={n}", page.url), kind="json", page=n))
    return listing

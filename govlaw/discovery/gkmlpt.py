"""Guangdong's 政府信息公开目录管理平台 (gkmlpt), as docs/families.md §3 records it.

The column page is a shell: `/<prefix>/gkmlpt/index#<catid>`, a Vue app whose
`window._CONFIG` names the site (`SID: '755031'`); the column is chosen by
the URL fragment and never reaches the server. The list comes from
`GET /<prefix>/gkmlpt/api/all/<catid>?page=N&sid=<SID>`, 100 articles a
page, each with `create_time` (发布日期, epoch seconds) beside `date` (成文日期).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from govlaw import normalize
from govlaw.discovery.base import Entry, Follow, Listing, ListingPage

_SID = re.compile(r"\b(?:SID|sid|siteId)\s*[:=]\s*['\"]?(\d+)")
_CATID = re.compile(r"^(\d+)$")
_API_IN_PAGE = re.compile(r"(/[\w/\-]*gkmlpt/api/all/)(\d+)")
PAGE_SIZE = 100
_CHINA = dt.timezone(dt.timedelta(hours=8))


def matches(page: ListingPage) -> bool:
    if page.kind == "json":
        return "/gkmlpt/api/" in page.url or '"articles"' in page.text[:4000]
    return "/gkmlpt/" in page.url and bool(_SID.search(page.text)) or bool(_API_IN_PAGE.search(page.text))


def parse(page: ListingPage, max_pages: int) -> Listing:
    if page.kind == "json":
        return _answer(page, max_pages)
    listing = Listing(family="gkmlpt")
    parts = urlsplit(page.url)
    api = _API_IN_PAGE.search(page.text)
    catid = _CATID.match(parts.fragment or "")
    sid = _SID.search(page.text)
    if catid and "/gkmlpt/" in parts.path:
        prefix = parts.path.split("/gkmlpt/", 1)[0]
        path = f"{prefix}/gkmlpt/api/all/{catid.group(1)}"
    elif api:
        path = api.group(1) + api.group(2)
    else:
        return listing  # a shell with no column chosen: the tree is navigation, not a list
    query = {"page": 1}
    if sid:
        query["sid"] = sid.group(1)
    url = urlunsplit((parts.scheme, parts.netloc, urljoin(parts.path, path), urlencode(query), ""))
    listing.follow.append(Follow(url, kind="json", page=1))
    return listing


def _answer(page: ListingPage, max_pages: int) -> Listing:
    listing = Listing(family="gkmlpt")
    try:
        data = json.loads(page.text)
    except ValueError:
        return listing
    articles = data.get("articles") if isinstance(data, dict) else None
    for a in articles if isinstance(articles, list) else []:
        if not isinstance(a, dict) or not a.get("url"):
            continue
        # 发布日期 (create_time, display_publish_time) is the publish date; date is 成文日期.
        stamp = a.get("create_time") or a.get("display_publish_time") or a.get("publish_time") or a.get("date")
        listing.entries.append(Entry(urljoin(page.url, a["url"]), normalize.clean_line(str(a.get("title", ""))),
                                     _date(stamp)))
    # The first answer knows how many there are; it schedules the rest.
    query = dict(parse_qsl(urlsplit(page.url).query))
    if query.get("page", "1") in ("0", "1") and isinstance(data, dict):
        total = int(data.get("total") or 0)
        # Real answers hold 100 articles and say nothing of it; a first page
        # that holds fewer than the total shows the size in use.
        size = len(articles) if isinstance(articles, list) and 0 < len(articles) < total else PAGE_SIZE
        pages = min(math.ceil(total / size), max_pages)
        for n in range(2, pages + 1):
            url = urlunsplit(urlsplit(page.url)._replace(query=urlencode({**query, "page": n})))
            listing.follow.append(Follow(url, kind="json", page=n))
    return listing


def _date(stamp) -> str | None:
    if isinstance(stamp, (int, float)) and stamp > 0:
        return dt.datetime.fromtimestamp(stamp, _CHINA).date().isoformat()
    if isinstance(stamp, str):
        return normalize.iso(normalize.parse_date(stamp))
    return None

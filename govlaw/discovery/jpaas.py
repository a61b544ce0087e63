"""The jpaas "build/unit" API of 集约化 platforms, as docs/families.md §5 records it.

The column page holds no rows, only a script element naming the API and the
unit's parameters: `<script parseType="bulidstatic" url="/api-gateway/
jpaas-publish-server/front/page/build/unit" querydata="{'webId':…,
'pageId':…, 'tagId':…, 'tplSetId':…}">`. A GET of that address with those
parameters answers JSON whose `data.html` is the list's HTML fragment.
Later pages go only through `paramJson={"pageNo":N,"pageSize":M}`: plain
pageNo parameters are ignored by the server.
"""
from __future__ import annotations

import html as htmllib
import json
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from govlaw.discovery.base import Follow, Listing, ListingPage
from govlaw.discovery.links import find_entries

_UNIT_SCRIPT = re.compile(r"<script\b[^>]*parseType=['\"]bulidstatic['\"][^>]*>", re.I)
_ATTR = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PAGES = re.compile(r"共\s*(\d+)\s*页")
_PER_PAGE = re.compile(r"每页\s*(\d+)\s*条")


def matches(page: ListingPage) -> bool:
    if page.kind == "json":
        return "/build/unit" in page.url
    return page.kind == "html" and bool(_UNIT_SCRIPT.search(page.text))


def parse(page: ListingPage, max_pages: int) -> Listing:
    if page.kind == "json":
        return _answer(page, max_pages)
    listing = Listing(family="jpaas")
    for tag in _UNIT_SCRIPT.findall(page.text):
        attrs = {m.group(1).lower(): htmllib.unescape(m.group(2) if m.group(2) is not None else m.group(3))
                 for m in _ATTR.finditer(tag)}
        try:
            query = json.loads(attrs.get("querydata", "").replace("'", '"'))
        except ValueError:
            continue
        if attrs.get("url") and isinstance(query, dict):
            api = urljoin(page.url, attrs["url"])
            listing.follow.append(Follow(f"{api}?{urlencode({k: str(v) for k, v in query.items()})}", kind="json",
                                         page=1))
    return listing


def _answer(page: ListingPage, max_pages: int) -> Listing:
    listing = Listing(family="jpaas")
    try:
        fragment = (json.loads(page.text).get("data") or {}).get("html") or ""
    except (ValueError, AttributeError):
        return listing
    listing.entries = find_entries(fragment, page.url)
    parts = urlsplit(page.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    try:
        current = int(json.loads(query.get("paramJson") or "{}").get("pageNo") or 1)
    except (ValueError, AttributeError):
        current = 1
    pages = _PAGES.search(fragment)
    if current != 1 or not pages:
        return listing
    size = int((_PER_PAGE.search(fragment) or [None, len(listing.entries) or 15])[1])
    for n in range(2, min(int(pages.group(1)), max_pages) + 1):
        param = json.dumps({"pageNo": n, "pageSize": size}, separators=(",", ":"))
        url = urlunsplit(parts._replace(query=urlencode({**query, "paramJson": param})))
        listing.follow.append(Follow(url, kind="json", page=n))
    return listing

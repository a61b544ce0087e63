"""大汉 Hanweb JCMS: the first page's records sit in a
<script type="text/xml"><datastore>…; later pages come only from a POST to
/module/web/jpage/dataproxy.jsp with the column's parameters."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlencode, urlsplit

from govlaw.discovery.base import Follow, Listing, ListingPage
from govlaw.discovery.links import find_entries

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PERPAGE = re.compile(r"perpage\s*[:=]\s*['\"]?(\d+)", re.I)
_HREF = re.compile(r"href=['\"]([^'\"]*dataproxy\.jsp[^'\"]*)['\"]", re.I)
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
FORM_FIELDS = ("col", "appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype")
# The jpage script asks for three pages' worth of records at a time.
PAGES_PER_REQUEST = 3


def matches(page: ListingPage) -> bool:
    return bool(_DATASTORE.search(page.text)) or page.kind == "xml"


def records(text: str) -> str:
    return "\n".join(_RECORD.findall(text))


def parse(page: ListingPage, max_pages: int) -> Listing:
    listing = Listing(entries=find_entries("<ul>" + records(page.text) + "</ul>", page.url), family="hanweb")
    if page.kind == "xml":
        return listing  # an answer from dataproxy.jsp: records only
    store = _DATASTORE.search(page.text)
    first = len(_RECORD.findall(store.group(1))) if store else 0
    total_m = _TOTAL.search(page.text)
    total = int(total_m.group(1) or total_m.group(2)) if total_m else None
    per_m = _PERPAGE.search(page.text)
    perpage = int(per_m.group(1)) if per_m else max(first, 1)
    params = _proxy_params(page.text)
    if params is None or not first:
        return listing
    # Without a stated total, ask on until an answer is short (caps still apply).
    total = total if total is not None else first + perpage * PAGES_PER_REQUEST * max_pages
    step = perpage * PAGES_PER_REQUEST
    start = first + 1
    n = 1
    while start <= total and n < max_pages:
        end = min(start + step - 1, total)
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": perpage})
        listing.follow.append(Follow(urljoin(page.url, f"{PROXY_PATH}?{query}"), method="POST",
                                     formdata=tuple(params.items()), kind="xml", page=n))
        start, n = end + 1, n + 1
    return listing


def _proxy_params(text: str) -> dict | None:
    m = _NEXTGROUP.search(text)
    href = _HREF.search(m.group(1) if m else text)
    if not href:
        return None
    query = dict(parse_qsl(urlsplit(href.group(1).replace("&amp;", "&")).query, keep_blank_values=True))
    params = {k: query.get(k, "") for k in FORM_FIELDS}
    params["col"] = params["col"] or "1"
    params["path"] = params["path"] or "/"
    params["permissiontype"] = params["permissiontype"] or "0"
    return params

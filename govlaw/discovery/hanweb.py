"""大汉 Hanweb JCMS, as docs/families.md §2 records it.

The column page carries its first group of records inline — an XML
`<datastore><recordset><record><![CDATA[<li>…]]>` block, or a JavaScript
array `InitData<unitid> = ['<li>…', …]` — and a `jpage({…})` call that
declares everything the later groups need: `proxyUrl` (the path varies by
deployment: /module/web/jpage/, /module/jpage/, /module/jslib/jquery/jpage/),
`totalRecord`, `perPage`, `groupSize`, and the form fields in `ajaxParam`.
Later groups are POSTs to the proxy with `startrecord`/`endrecord`/`perpage`
in the query and ajaxParam as the form, answered with the same XML.
Where a page has no jpage call, the `<nextgroup>` link's query gives the
fields and the common defaults fill the rest.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from govlaw.discovery.base import Follow, Listing, ListingPage
from govlaw.discovery.links import find_entries

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_JPAGE = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)", re.S)
_AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{(.*?)\}", re.S)
_PAIR = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([\w.\-]+))")
_INIT_DATA = re.compile(r"InitData\w*\s*=\s*\[", re.S)
_JS_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_HREF = re.compile(r"href=['\"]([^'\"]*dataproxy\.jsp[^'\"]*)['\"]", re.I)
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
# The fields jpage posts when a page declares none (the captured POSTs of docs/families.md).
FORM_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname", "permissiontype")
DEFAULTS = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
GROUP_SIZE = 3


def matches(page: ListingPage) -> bool:
    return page.kind == "xml" or bool(_DATASTORE.search(page.text) or _JPAGE.search(page.text)
                                      and "dataproxy" in page.text)


def records(text: str) -> list[str]:
    """The inline records: XML datastore records, else a JS InitData array."""
    found = _RECORD.findall(text)
    if found:
        return found
    m = _INIT_DATA.search(text)
    if not m:
        return []
    end = text.find("];", m.end())
    array = text[m.end(): end if end >= 0 else len(text)]
    return [_unescape(a or b) for a, b in _JS_STRING.findall(array)]


def _unescape(js: str) -> str:
    return re.sub(r"\\(.)", r"\1", js)


def parse(page: ListingPage, max_pages: int) -> Listing:
    inline = records(page.text)
    listing = Listing(entries=find_entries("<ul>" + "\n".join(inline) + "</ul>", page.url), family="hanweb")
    if page.kind == "xml":
        return listing  # an answer from dataproxy.jsp: records only
    jpage = _JPAGE.search(page.text)
    config = _pairs(jpage.group(1)) if jpage else {}
    params = _form(page.text, jpage.group(1) if jpage else "")
    if params is None or not inline:
        return listing
    total = _int(config.get("totalRecord")) or _int((_TOTAL.search(page.text) or [None, None])[1])
    perpage = _int(config.get("perPage")) or max(len(inline) // GROUP_SIZE, 1)
    step = perpage * (_int(config.get("groupSize")) or GROUP_SIZE)
    proxy = config.get("proxyUrl") or _proxy_from_nextgroup(page.text) or PROXY_PATH
    # Without a stated total, ask on until an answer is short (caps still apply).
    total = total if total is not None else len(inline) + step * max_pages
    start, n = len(inline) + 1, 1
    while start <= total and n < max_pages:
        end = start + step - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": perpage})
        listing.follow.append(Follow(urljoin(page.url, f"{proxy}?{query}"), method="POST",
                                     formdata=tuple(params.items()), kind="xml", page=n))
        start, n = end + 1, n + 1
    return listing


def _form(text: str, jpage: str) -> dict | None:
    """The form fields: ajaxParam as declared, in its order; else the
    nextgroup link's query completed with the defaults."""
    ajax = _AJAX_PARAM.search(jpage)
    if ajax:
        return _pairs(ajax.group(1))
    m = _NEXTGROUP.search(text)
    href = _HREF.search(m.group(1) if m else text)
    if not href:
        return None
    query = dict(parse_qsl(urlsplit(href.group(1).replace("&amp;", "&")).query, keep_blank_values=True))
    return {k: query.get(k) or DEFAULTS.get(k, "") for k in FORM_FIELDS}


def _proxy_from_nextgroup(text: str) -> str | None:
    m = _NEXTGROUP.search(text)
    href = _HREF.search(m.group(1) if m else "")
    return urlsplit(href.group(1)).path if href else None


def _pairs(text: str) -> dict[str, str]:
    """`key: value` pairs of a JS object literal's body; nested objects
    (ajaxParam inside jpage's options) are left for their own reading."""
    flat = re.sub(r"\{[^{}]*\}", "{}", text)
    return {m.group(1): next(v for v in m.groups()[1:] + ("",) if v is not None) for m in _PAIR.finditer(flat)}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

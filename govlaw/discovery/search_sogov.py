"""so-gov 集约化 search (docs/families.md part C, families 1 and 2).

Token form: the `/so/s` page is a shell whose script calls
`initPubProperty(siteCode, tab, qt, debug, page, pageSize, timestamp, wordToken,
tabToken, tagParam, apiUrl, auto, multiSelect, suid)` (the timestamp written with
thousands commas and `.replace(/,/g, "")`); the search is a form POST to
`<apiUrl>s` with header `suid`, answering `data.search.{totalHits, searchs[]}`;
`ok: false` means a stale token (fetch the page again).
Query form: POST `…/query/s` with the page's `#siteCode` (+ `#locationCode`), no
token, answering `{totalHits, resultDocs[].data}`; its page base (0 or 1) is
unverified, 1 assumed.
"""
from __future__ import annotations

import html as htmllib
import re
from urllib.parse import urljoin, urlsplit

from govlaw.discovery.search_base import (SearchRequest, dig, element_value, hit, items, js_value, literal,
                                          load_json, page_site_code, script_value, set_query, split_top, to_int)


def token_page(root, scripts, url, query, site_code):
    m = re.search(r"initPubProperty\s*\(", scripts)
    if not m:
        return None
    args = [js_value(a) for a in split_top(scripts, m.end())]
    args += [None] * (14 - len(args))
    code = args[0] or page_site_code(root, site_code)
    if not code or not args[10]:
        return None
    form = (("siteCode", code), ("tab", args[1] or "all"), ("timestamp", args[6] or ""),
            ("wordToken", args[7] or ""), ("page", "1"), ("pageSize", args[5] or "10"), ("qt", query),
            ("timeOption", "0"), ("sort", "relevance"), ("keyPlace", "0"), ("fileType", ""))
    headers = (("suid", args[13]),) if args[13] else ()
    return SearchRequest(urljoin(urljoin(url, args[10]), "s"), "POST", formdata=form, headers=headers,
                         family="sogov")


def query_page(root, scripts, url, query, site_code):
    api = literal(scripts, r"/query/s$")
    code = element_value(root, "siteCode") or script_value(scripts, "siteCode", r"\w+") \
        or page_site_code(root, site_code)
    if not api or not code:
        return None
    form = [("siteCode", code), ("tab", element_value(root, "tab") or "all"), ("qt", query), ("keyPlace", "0"),
            ("sort", "relevance"), ("fileType", ""), ("timeOption", "0")]
    location = element_value(root, "locationCode") or script_value(scripts, "locationCode", r"\d{6,12}")
    if location:
        form.append(("locationCode", location))
    form += [("page", "1"), ("pageSize", script_value(scripts, "pageSize", r"\d+") or "10")]
    return SearchRequest(urljoin(url, api), "POST", formdata=tuple(form), family="sogov-query")


def search_page_link(html, url, query):
    """A link or script address of a `/so/s` page (`window.open('…/so/s?siteCode=…&qt='+…)`)."""
    for m in re.finditer(r"""(['"])([^'"\s<>]*/so/s\?[^'"\s<>]*)\1""", html):
        address = urljoin(url, htmllib.unescape(m[2]))
        if "siteCode=" in address:
            return SearchRequest(set_query(address, {"qt": query}), family="sogov-page", kind="html")
    return None


def _article(url, request):
    """An address of an answer: the shared API host (api.so-gov.cn) is no base for relative ones."""
    if not isinstance(url, str) or re.match(r"\s*https?://", url, re.I) \
            or not urlsplit(request.url).netloc.endswith("so-gov.cn"):
        return url
    return None


def read_token(text, request):
    data = load_json(text)
    if data.get("ok") is False:  # a stale token
        return [], None, None, None
    search = dig(data, "data", "search")
    hits = [hit(request, _article(h.get("viewUrl") or h.get("url"), request),
                h.get("title") or h.get("disPlayTitle"), h.get("docDate")) for h in items(search.get("searchs"))]
    return hits, to_int(search.get("totalHits")), None, None


def read_query(text, request):
    data = load_json(text)
    if data.get("ok") is False:
        return [], None, None, None
    docs = [d["data"] if isinstance(d.get("data"), dict) else d for d in items(data.get("resultDocs"))]
    hits = [hit(request, _article(d.get("url"), request), d.get("titleO") or d.get("title"), d.get("docDate"))
            for d in docs]
    return hits, to_int(data.get("totalHits")), None, None


FINDERS = [token_page, query_page]
# form action path → (family, answer kind, the parameter that must carry the site code)
FORMS = [(re.compile(r"/sou?(/[^/]+)?/s$"), "sogov-page", "html", "siteCode")]
SHELLS = {"sogov-page"}
READERS = {"sogov": (read_token, "page", "pageSize"), "sogov-query": (read_query, "page", "pageSize")}

"""TRS 拓尔思 searches (docs/families.md part C, families 5, 6 and 7).

igs: the search page's script declares `code` (32 hex, one per site group) and
`siteId`; GET `/igs/front/search.jhtml` answers `page.{content[], total, totalPages}`.
trs-search v2: the page's script declares `siteId`; GET `…/trssearch/v2/searchAll.do`
with the fixed parameter set every client sends answers `data.{total, data[]}`.
WAS5: a form (often on the disclosure host) submits `searchword` and a hidden
`channelid` to the portal's `/was5/web/search`; the answer is the channel
template's HTML — the one real shape is read (`dl > dt` with a date span and
the link), else any dated list of links — and pages on by its pager's GET.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html

from govlaw.discovery.links import find_entries
from govlaw.discovery.search_base import (SearchRequest, dig, get, hit, items, literal, load_json, script_value,
                                          text_date, to_int)


def igs_page(root, scripts, url, query, site_code):
    api = literal(scripts, r"/igs/front/search\.jhtml")
    code = script_value(scripts, "code", r"[0-9a-fA-F]{32}")
    site = script_value(scripts, "siteId", r"\d+")
    if not api or not code or not site:
        return None
    size = script_value(scripts, "pageSize", r"\d+") or "10"
    return get(urljoin(url, api), [("code", code), ("pageNumber", "1"), ("pageSize", size), ("searchWord", query),
                                   ("siteId", site)], "trs-igs")


def searchall_page(root, scripts, url, query, site_code):
    api = literal(scripts, r"trssearch/v2/searchAll\.do")
    site = script_value(scripts, "siteId", r"\d+")
    if not api or not site:
        return None
    size = script_value(scripts, "pageSize", r"\d+") or "10"
    return get(urljoin(url, api), [
        ("siteId", site), ("searchTag", "all"), ("allKeywords", query), ("fullKeywords", ""), ("orKeywords", ""),
        ("notKeywords", ""), ("sort", ""), ("position", "0"), ("organization", ""), ("pageNum", "1"),
        ("pageSize", size), ("zcYear", ""), ("isAlways", "1"), ("fileTag", "")], "trs-searchall")


def read_igs(text, request):
    page = dig(load_json(text), "page")
    hits = [hit(request, h.get("url"), h.get("title"), h.get("trs_time") or h.get("docreltime") or h.get("pubdate"))
            for h in items(page.get("content"))]
    return hits, to_int(page.get("total")), to_int(page.get("totalPages")), None


def read_searchall(text, request):
    data = dig(load_json(text), "data")
    hits = [hit(request, h.get("docpuburl") or h.get("url"), h.get("news_doctitle") or h.get("title"),
                h.get("docpubtime")) for h in items(data.get("data"))]
    return hits, to_int(data.get("total")), None, None


def read_was5(text, request):
    root = lxml.html.fromstring(text)
    hits = []
    for row in root.xpath("//dl/dt[a[@href]]"):
        a = row.xpath("a[@href]")[0]
        hits.append(hit(request, a.get("href"), a.text_content(), text_date(row.xpath("span"))))
    if not hits:
        hits = find_entries(text, request.url)
    m = re.search(r"约有\s*(\d+)\s*项|共\s*(\d+)\s*[条项]", root.text_content())
    total = int(m[1] or m[2]) if m else None
    pager = []  # the pager's GETs of this search: (address, page)
    for href in root.xpath("//a/@href"):
        address = urljoin(request.url, href)
        page = to_int(dict(parse_qsl(urlsplit(address).query)).get("page"))
        if urlsplit(address).path == urlsplit(request.url).path and page:
            pager.append((address, page))
    template = SearchRequest(pager[0][0], family=request.family, kind="html") if pager else None
    pages = max(n for _, n in pager) if pager and total is None else None
    return hits, total, pages, template


FINDERS = [igs_page, searchall_page]
FORMS = [(re.compile(r"/was5/web/search$", re.I), "trs-was5", "html", None)]
SHELLS: set[str] = set()
READERS = {"trs-igs": (read_igs, "pageNumber", "pageSize"), "trs-searchall": (read_searchall, "pageNum", "pageSize"),
           "trs-was5": (read_was5, "page", "perpage")}

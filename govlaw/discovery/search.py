"""Site search, as docs/families.md ("Discovery from a home page", part C) records it.

A portal's own search is the fallback when its navigation leads nowhere. Each
search product needs values only the site's pages give (a so-gov site code and
token, a Hanweb websiteid, a TRS code and siteId, a WAS5 channelid, an Anhui
siteId), so the request is built the way the family's own script or form
builds it, from what the page declares:

- a search page whose script declares the search (so-gov `/so/s`, Hanweb
  `jsearchfront/search.do`, TRS igs and trs-search pages, Anhui `/site/search/<id>`)
  gives that request;
- a form (or script link) that only opens such a page gives a GET of the page
  (kind "html", family `…-page`): its answer has no hits, and the request the
  page declares comes back as the next request;
- a form that submits straight to a search answering HTML (Hanweb jrobot,
  TRS WAS5) gives that request.

So a caller loops: request → read_answer → entries + requests, until none
remain. The families live in search_sogov, search_hanweb, search_trs and
search_anhui; pure functions, no network.
"""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html

from govlaw.discovery import search_anhui, search_hanweb, search_sogov, search_trs
from govlaw.discovery.base import Entry
from govlaw.discovery.search_base import (MAX_PAGES, QUERY, QUERY_NAMES, SearchRequest, form_fields, get,
                                          page_site_code, request_params, to_int, with_page)

__all__ = ["QUERY", "MAX_PAGES", "SearchRequest", "find_search", "read_answer"]

_FAMILIES = (search_sogov, search_hanweb, search_trs, search_anhui)
_FINDERS = [f for module in _FAMILIES for f in module.FINDERS]
_FORMS = [form for module in _FAMILIES for form in module.FORMS]
_READERS = {name: r for module in _FAMILIES for name, r in module.READERS.items()}
SHELLS = set().union(*(module.SHELLS for module in _FAMILIES))


def find_search(html: str, url: str, site_code: str | None = None, query: str = QUERY) -> SearchRequest | None:
    """The first search request a page declares (a search shell, or a home page
    whose form submits a search), built as the family's own script/form builds
    it, from what the page declares. `site_code` stands in where a so-gov form
    declares none (else the page's SiteIDCode meta)."""
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None
    scripts = "\n".join(s.text or "" for s in root.iter("script"))
    for finder in _FINDERS:
        request = finder(root, scripts, url, query, site_code)
        if request is not None:
            return request
    return _form_search(root, url, query, site_code) or search_sogov.search_page_link(html, url, query)


def read_answer(text: str, request: SearchRequest) -> tuple[list[Entry], list[SearchRequest]]:
    """The hits of an answer (Entry(url, title, ISO date or None), titles without
    highlight markup, addresses the articles' own, resolved against the site)
    and, from the first page's answer, the requests for the further result pages
    (all of them when the answer states a total; MAX_PAGES pages in all at most).
    The answer to a search page's GET (family `…-page`) has no hits: its one
    further request is the search that page declares. Never raises."""
    text = text or ""
    if request.family in SHELLS:
        params = dict(request_params(request))
        query = next((params[k] for k in QUERY_NAMES if params.get(k)), QUERY)
        found = find_search(text, request.url, params.get("siteCode") or None, query)
        return ([], [found]) if found is not None and found.family not in SHELLS else ([], [])
    if request.family not in _READERS:
        return [], []
    reader, page_name, size_name = _READERS[request.family]
    try:
        hits, total, pages, template = reader(text, request)
    except (ValueError, TypeError, AttributeError, KeyError, lxml.etree.LxmlError):
        return [], []
    entries, seen = [], set()
    for e in hits:
        if e is not None and e.url not in seen:
            seen.add(e.url)
            entries.append(e)
    if request.page != 1 or not entries:
        return entries, []
    template = template or request
    size = to_int(dict(request_params(template)).get(size_name)) or len(entries)
    if pages is None and total:
        pages = -(-total // size)
    return entries, [with_page(template, page_name, n) for n in range(2, min(pages or 1, MAX_PAGES) + 1)]


def _form_search(root, url, query, site_code):
    """The first form that submits to a search or a search page, as the browser submits it."""
    for form in root.iter("form"):
        action = urljoin(url, (form.get("action") or "").strip() or url)
        target = next((t for t in _FORMS if t[0].search(urlsplit(action).path)), None)
        if target is None:
            continue
        _, family, kind, code_name = target
        fields = form_fields(form)
        names = [k for k, _ in fields]
        qname = next((k for k in QUERY_NAMES if k in names), None)
        if qname is None:
            typed = [el.get("name") for el in form.iter("input")
                     if el.get("name") and (el.get("type") or "text").lower() in ("text", "search")]
            qname = typed[0] if typed else None
        if qname is None:
            continue
        fields = [(k, query if k == qname else v) for k, v in fields]
        if code_name and code_name not in names:
            code = page_site_code(root, site_code)
            if not code:
                continue
            fields.insert(0, (code_name, code))
        if (form.get("method") or "get").lower() == "post":
            return SearchRequest(urlunsplit(urlsplit(action)._replace(fragment="")), "POST",
                                 formdata=tuple(fields), family=family, kind=kind)
        return get(action, fields, family, kind)
    return None

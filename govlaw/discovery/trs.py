"""TRS WCM, as docs/families.md §1 records it.

Page k of a column is `<name>_{k-1}.<ext>` (index.html, index_1.html, …: the
suffix is the 0-based page index). The count is declared only in script:
`createPageHTML(N, cur, "index", "html")`, Chongqing's `createPage(N, cur,
"index", "html")`, or the older `var countPage = N` with `var currentPage`,
in which case the name and extension are the page's own (index.htm).
Some columns write their rows by script (`var url = "./…"; var title =
"…"; document.writeln(…)`), with no `<a>` in the HTML at all.

UCAP's library also defines a createPageHTML, with six arguments and
1-based pages ('page_div', N, cur, 'list', 'shtml', total): see ucap.py.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from govlaw import normalize
from govlaw.discovery.base import Entry, Follow, Listing, ListingPage
from govlaw.discovery.links import find_entries

_CREATE = re.compile(r"createPage(?:HTML)?\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-]+)['\"]"
                     r"\s*,\s*['\"](\w+)['\"]\s*\)")
_COUNT = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT = re.compile(r"var\s+currentPage\s*=\s*['\"]?(\d+)")
# A row written by script: var url = "./202503/t…shtml"; var title = "…"; … document.writeln("2025-03-28 16:40")
_JS_ROW = re.compile(r"var\s+url\s*=\s*['\"]([^'\"]+)['\"]\s*;(.*?)(?=var\s+url\s*=|</script>)", re.S)
# The title is assigned, sometimes twice (var title = ""; if (…) { title = "…"; }): the last non-empty one.
_JS_TITLE = re.compile(r"\btitle\s*=\s*['\"]([^'\"]+)['\"]")
_JS_DATE = re.compile(r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}")


def matches(page: ListingPage) -> bool:
    return page.kind == "html" and bool(_CREATE.search(page.text) or _COUNT.search(page.text)
                                        or _JS_ROW.search(page.text) and "document.write" in page.text)


def parse(page: ListingPage, max_pages: int) -> Listing:
    entries = find_entries(page.text, page.url)
    scripted = script_rows(page.text, page.url)
    if scripted:
        known = {e.url for e in scripted}
        entries = scripted + [e for e in entries if e.url not in known and _is_document(e.url)]
    listing = Listing(entries=entries, family="trs")
    m = _CREATE.search(page.text)
    if not m and not _COUNT.search(page.text):
        return listing  # rows written by script, paged by plain links (read by the dispatcher)
    if m:
        count, current, name, ext = int(m[1]), int(m[2]), m[3], m[4]
    else:
        count = int(_COUNT.search(page.text)[1])
        cur = _CURRENT.search(page.text)
        current = int(cur[1]) if cur else 0
        name, ext = _own_name(page.url)
    # Only the first page enumerates the rest: every page names the same
    # count, and asking each to list all others would only repeat requests.
    if current == 0:
        for n in range(1, min(count, max_pages)):
            listing.follow.append(Follow(urljoin(page.url, f"{name}_{n}.{ext}"), page=n))
    return listing


def script_rows(html: str, base_url: str) -> list[Entry]:
    out = []
    for url, rest in _JS_ROW.findall(html):
        titles = _JS_TITLE.findall(rest)
        if not titles:
            continue
        date = _JS_DATE.search(rest)
        out.append(Entry(urljoin(base_url, url), normalize.clean_line(titles[-1]),
                         normalize.iso(normalize.parse_date(date.group(0))) if date else None))
    return out


def _is_document(url: str) -> bool:
    return bool(re.search(r"/t\d{8}_\d+\.\w+$", urlsplit(url).path))


def _own_name(url: str) -> tuple[str, str]:
    """index.htm → ("index", "htm"); a folder address → ("index", "html")."""
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    name, dot, ext = last.rpartition(".")
    return (name, ext) if dot and name else ("index", "html")

"""Articles split over several pages, and their joining.

Portal CMSs cut long articles into pages: TRS writes t20240327_123.html,
t20240327_123_1.html, t20240327_123_2.html and prints the count in a
`createPageHTML(3, 0, "t20240327_123", "html")` call; other systems link
第2页 / 下一页 to `content_123_2.html` or `…?page=2`. The parts share the
first page's address stem, which is what tells an article's own pager from
the 下一篇 link to the next article.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

MAX_PARTS = 10

_HREF = re.compile(r"<a\b[^>]*?href\s*=\s*[\"']?([^\"'\s>]+)[^>]*>(.*?)</a>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*\d+\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"'](\w+)[\"']")
_NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后一页|第\s*\d+\s*页|\d{1,2})\s*$")
_PAGE_PARAMS = ("page", "pageNo", "pageno", "p", "pg", "curpage", "pageIndex")


def continuation_urls(html: str, url: str) -> list[str]:
    """The addresses of this article's later parts, in order (empty for an
    article on one page)."""
    parts = urlsplit(url)
    folder, name = parts.path.rsplit("/", 1) if "/" in parts.path else ("", parts.path)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    found: dict[int, str] = {}
    m = _CREATE_PAGE.search(html)
    if m and m.group(2) == stem and 1 < int(m.group(1)) <= MAX_PARTS:
        for n in range(1, int(m.group(1))):
            found[n] = urlunsplit((parts.scheme, parts.netloc, f"{folder}/{stem}_{n}.{m.group(3)}", "", ""))
    own = re.compile(rf"^{re.escape(folder)}/{re.escape(stem)}_(\d{{1,2}})\.{re.escape(ext)}$") if ext else None
    own_mark = f"{stem}_"
    for href, inner in _HREF.findall(html):
        # Only a link to stem_N.ext or one that reads 下一页/第N页/N can be a
        # part: the others are not resolved at all (a page links hundreds).
        if own_mark not in href and not _NEXT_TEXT.match(_TAGS.sub("", inner)):
            continue
        target = urlsplit(urljoin(url, href.replace("&amp;", "&")))
        if target.netloc != parts.netloc:
            continue
        if own is not None:
            hit = own.match(target.path)
            if hit and 0 < int(hit.group(1)) <= MAX_PARTS:
                found.setdefault(int(hit.group(1)), urlunsplit(target._replace(fragment="")))
                continue
        n = _page_param(target, parts)
        if n and _NEXT_TEXT.match(_TAGS.sub("", inner)):
            found.setdefault(n, urlunsplit(target._replace(fragment="")))
    return [found[n] for n in sorted(found) if found[n] != url][:MAX_PARTS - 1]


def _page_param(target, here) -> int | None:
    """Page n of this same address (`?id=5&page=2`), or None."""
    if target.path != here.path:
        return None
    theirs, ours = dict(parse_qsl(target.query)), dict(parse_qsl(here.query))
    for key in _PAGE_PARAMS:
        if key in theirs and theirs[key].isdigit():
            rest_t = {k: v for k, v in theirs.items() if k != key}
            rest_o = {k: v for k, v in ours.items() if k != key}
            if rest_t == rest_o and 1 < int(theirs[key]) <= MAX_PARTS + 1 and theirs[key] != ours.get(key):
                return int(theirs[key])
    return None

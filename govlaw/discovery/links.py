"""Generic document-link finder for listing pages of any family.

A listing is a repeated structure: list items or table rows, each with one
link whose text is a document title and, usually, a date. Menus and footers
repeat too, but their link texts are short and carry no dates. So: collect
links with title-like texts, group them by the list that holds them, and keep
the groups that look like document lists.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html

from govlaw import normalize
from govlaw.discovery.base import Entry
from govlaw.vocab import CJK_CHAR as _CJK

_ITEM_TAGS = {"li", "tr", "dd", "dt", "p"}
_LIST_TAGS = {"ul", "ol", "table", "tbody", "dl", "div", "section"}
_SKIP_HREF = re.compile(r"^(javascript:|#|mailto:|tel:)", re.I)
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PAGER_TEXT = re.compile(r"^(首页|上一页|下一页|尾页|末页|上页|下页|前一页|后一页|跳转|GO|\d+|[<>«»‹›]+)$", re.I)


def find_entries(html: str, base_url: str) -> list[Entry]:
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    groups: dict[object, list[tuple[Entry, bool]]] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or _SKIP_HREF.match(href):
            continue
        text = normalize.clean_line(a.text_content())
        # A link that wraps its row (<a><p>title</p><span>2025-03-11</span></a>)
        # carries its own date; the title is the text without it.
        own = _DATE.search(text)
        if own:
            text = normalize.clean_line(_DATE_TEXT.sub(" ", text))
        title = _fuller(normalize.clean_line(a.get("title") or ""), text)
        if len(_CJK.findall(title)) < 6 or _PAGER_TEXT.match(title):
            continue
        item = _item_of(a)
        container = _ancestor(item, _LIST_TAGS) if item is not None else None
        item_text = normalize.clean_line(item.text_content()) if item is not None else ""
        m = own or _DATE.search(item_text.replace(text, " "))
        date = None
        if m:
            date = normalize.iso(normalize.parse_date(f"{m[1]}-{m[2]}-{m[3]}"))
        entry = Entry(urljoin(base_url, href), title, date)
        groups.setdefault(container, []).append((entry, date is not None))
    chosen: list[Entry] = []
    dated_groups = [g for g in groups.values() if sum(d for _, d in g) >= max(1, len(g) // 2)]
    if dated_groups:
        for g in dated_groups:
            chosen.extend(e for e, _ in g)
    elif groups:
        biggest = max(groups.values(), key=len)
        if len(biggest) >= 2:
            chosen.extend(e for e, _ in biggest)
    seen: set[str] = set()
    out = []
    for e in chosen:
        if e.url not in seen:
            seen.add(e.url)
            out.append(e)
    return out


_ELLIPSIS = re.compile(r"(…+|\.{2,}|。{3,})$")


def _fuller(attribute: str, text: str) -> str:
    """The longer of a link's title attribute and its text, a cut-short one
    (…, ...) losing to the other: listings cut titles to fit a column."""
    cut_a, cut_t = bool(_ELLIPSIS.search(attribute)), bool(_ELLIPSIS.search(text))
    if attribute and (cut_t or not text) and not cut_a:
        return attribute
    if text and cut_a and not cut_t:
        return text
    bare_a, bare_t = _ELLIPSIS.sub("", attribute), _ELLIPSIS.sub("", text)
    return attribute if len(bare_a) > len(bare_t) else text


_DATE_TEXT = re.compile(r"[\[【(（]?\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
                        r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*[\]】)）]?")


def _item_of(a):
    """The row a link belongs to: the nearest list item or table row that
    holds few links. A layout row that holds a whole page (a menu beside the
    list) is no link's row: the link's parent stands in."""
    el = a.getparent()
    while el is not None:
        if isinstance(el.tag, str) and el.tag.lower() in _ITEM_TAGS:
            return el if sum(1 for _ in el.iter("a")) <= 3 else a.getparent()
        el = el.getparent()
    return a.getparent()


def _ancestor(el, tags):
    el = el.getparent() if el is not None else None
    while el is not None:
        if isinstance(el.tag, str) and el.tag.lower() in tags:
            return el
        el = el.getparent()
    return None


def same_site(url: str, hosts: set[str]) -> bool:
    return urlsplit(url).netloc.lower() in hosts

"""Plain paging, for any HTML listing whose family declared no pager of its
own (docs/families.md §6).

The page's own links say how it pages: the 下一页/下页 link gives page 2,
and the 尾页/末页 link the last one. Between the two, exactly one number in
the address changes — index_2.jhtml … index_3.jhtml (JEECMS, 1-based),
list.jsp?pageNo=2 … pageNo=4, or 博达 VSB's fzzfjsndbg/2.htm … /1.htm,
which counts down — and the pages in between are that number stepped from
one to the other. A page that states only `totalPage: N` in a pagination
plugin (Shanghai) pages as name_2.html … name_N.html.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html

from govlaw import normalize
from govlaw.discovery.base import Follow

_NEXT = re.compile(r"^(下一页|下页|后一页|下一頁|next|›|»|>)$", re.I)
_LAST = re.compile(r"^(尾页|末页|尾\s*页|最后一页|最末页|last|»»)$", re.I)
_TOTAL_PAGE = re.compile(r"totalPage\s*:\s*(\d+)")
_NUMBER = re.compile(r"\d+")
MAX_SPAN = 500


def next_pages(html: str, base_url: str, max_pages: int = 200) -> list[Follow]:
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    nxt = _link(root, _NEXT, base_url)
    last = _link(root, _LAST, base_url)
    if nxt and last:
        span = _between(nxt, last, max_pages)
        if span:
            return [Follow(u) for u in span]
    if nxt:
        return [Follow(nxt)]
    total = _TOTAL_PAGE.search(html)
    if total:
        path = urlsplit(base_url).path
        last_name = path.rsplit("/", 1)[-1] or "index.html"
        name, dot, ext = last_name.rpartition(".")
        if dot and not re.search(r"_\d+$", name):
            return [Follow(urljoin(base_url, f"{name}_{n}.{ext}")) for n in range(2, min(int(total.group(1)), max_pages) + 1)]
    return []


def _link(root, pattern, base_url: str) -> str | None:
    for a in root.iter("a"):
        if pattern.match(normalize.clean_line(a.text_content())):
            href = (a.get("href") or "").strip()
            if href and not href.startswith(("javascript:", "#")):
                url = urljoin(base_url, href)
                if url != base_url:
                    return url
    return None


def _between(first: str, last: str, max_pages: int) -> list[str] | None:
    """first … last, stepping the one number in which the two differ."""
    a, b = _NUMBER.split(first), _NUMBER.split(last)
    na, nb = _NUMBER.findall(first), _NUMBER.findall(last)
    if a != b or len(na) != len(nb):
        return None
    diff = [i for i, (x, y) in enumerate(zip(na, nb)) if x != y]
    if len(diff) != 1:
        return [first] if first == last else None
    i = diff[0]
    start, end = int(na[i]), int(nb[i])
    if abs(end - start) > MAX_SPAN:
        return None
    step = 1 if end >= start else -1
    out = []
    for n in range(start, end + step, step):
        numbers = na[:i] + [str(n)] + na[i + 1:]
        out.append("".join(p + (numbers[k] if k < len(numbers) else "") for k, p in enumerate(a)))
        if len(out) >= max_pages:
            break
    return out

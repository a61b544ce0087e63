"""Plain paging: a 下一页 link to the next listing page. Applies to any HTML
listing, whatever its family, when no family-specific pager was found."""
from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html

from govlaw import normalize
from govlaw.discovery.base import Follow

_NEXT = re.compile(r"^(下一页|下页|后一页|下一頁|next|›|»|>)$", re.I)


def next_pages(html: str, base_url: str) -> list[Follow]:
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    out = []
    for a in root.iter("a"):
        if _NEXT.match(normalize.clean_line(a.text_content())):
            href = (a.get("href") or "").strip()
            if href and not href.startswith(("javascript:", "#")):
                url = urljoin(base_url, href)
                if url != base_url:
                    out.append(Follow(url))
    return out[:1]

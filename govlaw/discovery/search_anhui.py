"""Anhui 集约化 platform search (docs/families.md part C, family 8).

The `/site/search/<siteId>?keywords=` page's script GETs `/site/label/8888` with
`labelName=searchDataList` and a data object it writes out (siteId, pageSize,
typeCode, fromCode, sort …); the answer is `data.{data[], total, pageCount}`.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from govlaw.discovery.search_base import (PAGE_NAMES, QUERY_NAMES, dig, get, hit, items, js_value, load_json,
                                          split_top, to_int)


def label_page(root, scripts, url, query, site_code):
    m = re.search(r"""(['"])([^'"]*/site/label/\d+[^'"]*)\1""", scripts)
    if not m or "searchDataList" not in scripts:
        return None
    api = urljoin(url, m[2])
    pairs = parse_qsl(urlsplit(api).query, keep_blank_values=True)
    data = re.compile(r"\bdata\s*:\s*\{").search(scripts, m.end())
    for item in split_top(scripts, data.end()) if data else []:
        key, _, raw = item.partition(":")
        key = key.strip().strip("'\"")
        value = query if key in QUERY_NAMES else "1" if key in PAGE_NAMES else js_value(raw)
        pairs = [(k, v) for k, v in pairs if k != key] + [(key, value if value is not None else "")]
    return get(api, pairs, "anhui-label") if pairs else None


def read_label(text, request):
    data = dig(load_json(text), "data")
    hits = [hit(request, h.get("link") or h.get("url"), h.get("title"), h.get("createDate") or h.get("publishDate"))
            for h in items(data.get("data"))]
    return hits, to_int(data.get("total")), to_int(data.get("pageCount")), None


FINDERS = [label_page]
FORMS = [(re.compile(r"/site/search/\d+$"), "anhui-label-page", "html", None)]
SHELLS = {"anhui-label-page"}
READERS = {"anhui-label": (read_label, "pageIndex", "pageSize")}

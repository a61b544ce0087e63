"""What the site-search families share: the request, reading scripts and forms,
reading answers, paging. The families are in search_<family>.py; the interface
the spider calls is govlaw.discovery.search."""
from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from govlaw import normalize
from govlaw.discovery.base import Entry

QUERY = "法治政府建设年度报告"
MAX_PAGES = 10  # result pages read per search, the first included

# Names a search form or script gives the query and the result page.
QUERY_NAMES = ("qt", "q", "searchword", "searchWord", "keywords", "keyword", "allKeywords", "wd")
PAGE_NAMES = ("pageIndex", "pageNo", "pageNumber", "pageNum", "page", "p")


@dataclass(frozen=True)
class SearchRequest:
    url: str                      # absolute; for GET with its query
    method: str = "GET"           # GET | POST
    formdata: tuple = ()          # ((name, value), ...) for a form POST
    json: str | None = None       # JSON body (a str) for a JSON POST
    headers: tuple = ()           # ((name, value), ...) only where the family needs them (so-gov's suid)
    family: str = ""
    kind: str = "json"            # json | html: how to read the answer
    page: int = 1


# --- requests ---------------------------------------------------------------------------

def request_params(request: SearchRequest) -> list[tuple[str, str]]:
    """The request's parameters: its URL query, then its form."""
    return parse_qsl(urlsplit(request.url).query, keep_blank_values=True) + list(request.formdata)


def with_page(request: SearchRequest, name: str, n: int) -> SearchRequest:
    """The same request for result page n, its page parameter `name` set to n."""
    if request.method == "POST" and request.formdata:
        form = [(k, str(n) if k == name else v) for k, v in request.formdata]
        if name not in dict(request.formdata):
            form.append((name, str(n)))
        return replace(request, formdata=tuple(form), page=n)
    return replace(request, url=set_query(request.url, {name: str(n)}), page=n)


def set_query(url: str, values: dict[str, str]) -> str:
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    names = {k for k, _ in pairs}
    pairs = [(k, values.get(k, v)) for k, v in pairs] + [(k, v) for k, v in values.items() if k not in names]
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def get(url: str, pairs, family: str, kind: str = "json") -> SearchRequest:
    """A GET of `url` with exactly these parameters (its own query replaced)."""
    parts = urlsplit(url)
    return SearchRequest(urlunsplit(parts._replace(query=urlencode(list(pairs)), fragment="")),
                         family=family, kind=kind)


# --- what a page declares ------------------------------------------------------------------

STRING = r"""(['"])((?:\\.|(?!\1).)*)\1"""


def literal(scripts: str, needle: str) -> str | None:
    """The first string literal of the scripts that contains `needle` (a regex)."""
    for m in re.finditer(STRING, scripts):
        if re.search(needle, m[2], re.I):
            return m[2]
    return None


def script_value(scripts: str, name: str, pattern: str) -> str | None:
    """`name = "v"` or `name: v` in a script (declarations, object literals)."""
    m = re.search(rf"\b{name}\b\s*[:=]\s*(['\"]?)({pattern})\1", scripts)
    return m[2] if m else None


def split_top(text: str, start: int) -> list[str]:
    """The comma-separated items of a call or literal whose bracket opens just
    before `start`: commas inside strings or nested brackets do not split
    (`'1,774,233'.replace(/,/g, "")` is one item)."""
    items, depth, quote, i, begin = [], 0, "", start, start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                items.append(text[begin:i])
                return [s.strip() for s in items if s.strip()]
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(text[begin:i])
            begin = i + 1
        i += 1
    return []


def js_value(raw: str) -> str | None:
    """The value of a JS argument: a string literal (its `.replace(/x/g, "")` calls
    applied), a number, a boolean; None for identifiers and expressions."""
    raw = raw.strip()
    m = re.match(STRING, raw)
    if m:
        value = m[2]
        for r in re.finditer(r"""\.replace\(\s*/((?:\\.|[^/])+)/(\w*)\s*,\s*(['"])(.*?)\3\s*\)""", raw[m.end():]):
            try:
                value = re.sub(r[1], lambda _, new=r[4]: new, value, count=0 if "g" in r[2] else 1)
            except re.error:  # a JS pattern Python does not read
                pass
        return value
    return raw if re.fullmatch(r"-?\d+(\.\d+)?|true|false", raw) else None


def page_site_code(root, site_code: str | None) -> str | None:
    """The caller's site code, else the page's SiteIDCode meta."""
    if site_code:
        return site_code
    meta = root.xpath('//meta[translate(@name, "SITEDC", "sitedc")="siteidcode"]/@content')
    return meta[0].strip() if meta and meta[0].strip() else None


def element_value(root, name: str) -> str | None:
    found = root.xpath(f'//*[@id="{name}" or @name="{name}"]/@value')
    return found[0].strip() if found and found[0].strip() else None


_NOT_SENT = {"submit", "button", "image", "reset", "file"}


def form_fields(form) -> list[tuple[str, str]]:
    """What a form submits, in order (unchecked boxes and buttons left out)."""
    out = []
    for el in form.iter("input", "select", "textarea"):
        name, kind = el.get("name"), (el.get("type") or "text").lower()
        if not name or kind in _NOT_SENT or (kind in ("checkbox", "radio") and el.get("checked") is None):
            continue
        if el.tag == "select":
            options = el.xpath(".//option[@selected]") or el.xpath(".//option")
            value = (options[0].get("value") or options[0].text_content()) if options else ""
        elif el.tag == "textarea":
            value = el.text_content()
        else:
            value = el.get("value") or ""
        out.append((name, value.strip()))
    return out


# --- reading answers ---------------------------------------------------------------------
# A family's reader gives (hits, total hits or None, total pages or None, the request
# to page on, or None for the request itself); each module lists its readers in READERS
# as family → (reader, page parameter, page-size parameter).

_TAG = re.compile(r"<[^>]+>")
_CHINA = dt.timezone(dt.timedelta(hours=8))


def load_json(text: str) -> dict:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def dig(obj, *keys) -> dict:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj if isinstance(obj, dict) else {}


def items(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def to_int(value) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


def plain(title) -> str:
    """A title without highlight markup (<em>, <font>, <span>) or entities."""
    return normalize.clean_line(htmllib.unescape(_TAG.sub("", title))) if isinstance(title, str) else ""


def iso_date(value) -> str | None:
    """2026-03-24 09:45:12, 2026年03月24日 09:12, epoch seconds or milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 1e8:
        seconds = value / 1000 if value > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, _CHINA).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    return normalize.iso(normalize.parse_date(value)) if isinstance(value, str) else None


def hit(request: SearchRequest, url, title, date) -> Entry | None:
    """One hit, its address resolved against the search's; None without an address."""
    if not isinstance(url, str) or not url.strip():
        return None
    address = urljoin(request.url, url.strip())
    if urlsplit(address).scheme not in ("http", "https"):
        return None
    return Entry(address, plain(title), iso_date(date))


def css(name: str) -> str:
    """XPath test for an element of class `name`."""
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def text_date(nodes) -> str | None:
    """The first date written in the nodes' texts."""
    for node in nodes:
        value = normalize.iso(normalize.parse_date(node.text_content()))
        if value:
            return value
    return None

"""大汉 Hanweb searches (docs/families.md part C, families 3 and 4).

jsearchfront: the `jsearchfront/search.do` page declares websiteid, cateid, tpl,
pg, pos (hidden inputs, else its own address); the search is a form POST to
`jsearchfront/interfaces/cateSearch.do` answering `{result: [html…], total}`.
A hit's address is the text of its URL line (`div.jcse-news-url > a`); both its
hrefs are `visit/link.do` redirects. Some servers want the cookies of a first
GET of the search.do page, which a caller that fetched it already holds.
jrobot: the home page's form GETs `/jrobot/search.do`, answering HTML with
`data-total` and `div.jsearch-result-box` hits.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html

from govlaw import normalize
from govlaw.discovery.search_base import SearchRequest, css, form_fields, hit, literal, load_json, text_date, to_int

_FIELDS = ("websiteid", "q", "p", "pg", "cateid", "pos", "pq", "oq", "eq", "begin", "end", "tpl")


def jsearchfront_page(root, scripts, url, query, site_code):
    api = literal(scripts, r"interfaces/cateSearch\.do")
    if not api and not re.search(r"/jsearchfront/search\.do$", urlsplit(url).path, re.I):
        return None
    declared = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    form = next((f for f in root.iter("form") if f.xpath('.//input[@name="websiteid"]')), None)
    if form is not None:
        declared.update({k: v for k, v in form_fields(form) if v})
    if not declared.get("websiteid"):
        return None
    declared.update(q=query, p="1", pg=declared.get("pg") or "10")
    return SearchRequest(urljoin(url, api or "interfaces/cateSearch.do"), "POST",
                         formdata=tuple((k, declared.get(k, "")) for k in _FIELDS), family="hanweb-jsearchfront")


def _address(line: str, request: SearchRequest) -> str | None:
    """A URL line's text as an address (`http://…`, `www.…/…`, `/…`)."""
    line = normalize.clean_line(line)
    if re.match(r"https?://\S+$", line, re.I):
        return line
    if re.match(r"(//)?[\w-]+(\.[\w-]+)+(/\S*)?$", line):
        return f"{urlsplit(request.url).scheme}://{line.lstrip('/')}"
    return urljoin(request.url, line) if line.startswith("/") else None


def read_jsearchfront(text, request):
    data = load_json(text)
    hits = []
    for fragment in data.get("result") or []:
        if not isinstance(fragment, str) or not fragment.strip():
            continue
        box = lxml.html.fragment_fromstring(fragment, create_parent="div")
        a = next(iter(box.xpath(f'.//*[{css("jcse-news-title")} or {css("titleWrapper")}]//a')), None)
        if a is None:
            continue
        line = next(iter(box.xpath(f'.//*[{css("jcse-news-url")}]//a')), None)
        url = _address(line.text_content(), request) if line is not None else None
        if not url:  # the redirect: visit/link.do?url=<the address>&…, relative to /jsearchfront/
            href = a.get("href") or ""
            url = dict(parse_qsl(urlsplit(href).query)).get("url") or urljoin(urljoin(request.url, "../"), href)
        date = text_date(box.xpath(f'.//*[{css("jcse-news-date1")}] | .//*[{css("jcse-news-date")}]'
                                   f' | .//*[{css("sourceTime")}]//span'))
        hits.append(hit(request, url, a.text_content(), date))
    return hits, to_int(data.get("total")), None, None


def read_jrobot(text, request):
    root = lxml.html.fromstring(text)
    hits = []
    for box in root.xpath(f'//*[{css("jsearch-result-box")}]'):
        a = next(iter(box.xpath(f'.//*[{css("jsearch-result-title")}]//a[@href]')), None)
        if a is not None:
            hits.append(hit(request, a.get("href"), a.text_content(),
                            text_date(box.xpath(f'.//*[{css("jsearch-result-date")}]'))))
    total = to_int(next(iter(root.xpath('//*[@id="jsearch-info-box"]/@data-total')), None))
    if total is None:
        m = re.search(r"[约共]\s*(\d+)\s*[条项个]", root.text_content())
        total = int(m[1]) if m else None
    return hits, total, None, None


FINDERS = [jsearchfront_page]
FORMS = [(re.compile(r"/jsearchfront/search\.do$", re.I), "hanweb-jsearchfront-page", "html", None),
         (re.compile(r"/jrobot/search\.do$", re.I), "hanweb-jrobot", "html", None)]
SHELLS = {"hanweb-jsearchfront-page"}
READERS = {"hanweb-jsearchfront": (read_jsearchfront, "p", "pg"), "hanweb-jrobot": (read_jrobot, "p", "pg")}

"""Site search of the demo portals given by home page only, on the portal's own host.

Two families, as docs/families.md ("Discovery from a home page", part C) and
tests/search/ record them:

sogov-query (C.2, tests/search/sogov_query_api): the so-gov search without a token.
  GET  /so/s?siteCode=…&tab=all&qt=…   the search page, a shell that declares the request: hidden
       inputs #siteCode, #locationCode, #tab and a script with ``var searchUrl = "<API>";`` and
       ``var pageSize = 10;``. The real API is https://api.so-gov.cn/query/s; on loopback it is
       this host's /query/s, and the page names that address.
  POST /query/s   form siteCode, tab, qt, page (from 1), pageSize, sort (relevance | dateDesc),
       keyPlace (0 full text | 1 title), fileType, timeOption, locationCode, ie → JSON
       {ok, totalHits, currentHits, resultDocs: [{data: {title (<em>), titleO, url, summary,
       docDate, siteLabel, dbName, myValues: {QUICKDESCRIPTION}}}]}. GET is refused; an unknown
       siteCode answers ok: false, 不存在的站点[…].

hanweb-jsearchfront (C.3, tests/search/hanweb_jsearchfront_catesearch): Hanweb's search.
  GET  /jsearchfront/search.do?websiteid=…&q=…   the search page: hidden inputs websiteid,
       searchid, tpl, cateid, p, pg, pos, pq, oq, eq, begin, end, and jsearch.init({url: …}).
  POST /jsearchfront/interfaces/cateSearch.do   form websiteid, q, p (from 1), pg, cateid, pos, …
       → JSON {result: ["<div class=jcse-result-box …>", …], total, categoryinfo, searchsign};
       a hit's hrefs are visit/link.do redirects, the text of div.jcse-news-url > a is the address.
  GET  /jsearchfront/visit/link.do?url=…   302 to the address.

A search covers the documents this host serves (every column, linked or not). A document
matches when most two-character pieces of the query occur in its title or text; hits come
by relevance (title first) or by date.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from urllib.parse import quote, urlsplit

from .catalog import Document, article_path
from .server import Reply, esc

MATCH_SHARE = 0.4


def _grams(query: str) -> list[str]:
    q = re.sub(r"\s+", "", query)
    return list(dict.fromkeys(q[i:i + 2] for i in range(len(q) - 1))) or ([q] if q else [])


def highlight(text: str, query: str) -> str:
    """Escaped text with the longest runs it shares with the query in <em>."""
    q, out, i = re.sub(r"\s+", "", query), [], 0
    while i < len(text):
        n = 0
        for j in range(len(text), i + 1, -1):
            if text[i:j] in q:
                n = j - i
                break
        if n >= 2:
            out.append(f"<em>{html.escape(text[i:i + n])}</em>")
            i += n
        else:
            out.append(html.escape(text[i]))
            i += 1
    return "".join(out)


class Search:
    """The documents of one host and how they are found."""

    def __init__(self, site, cfg: dict):
        self.site, self.cfg = site, cfg

    def index(self) -> list[tuple[Document, str]]:
        seen, out = set(), []
        for col in self.site.columns:
            for doc in col.docs:
                url = self.site.base_url + article_path(col.portal, doc)
                if url not in seen:
                    seen.add(url)
                    out.append((doc, url))
        return out

    def find(self, query: str, title_only: bool = False, by_date: bool = False) -> list[tuple[Document, str]]:
        grams = _grams(query)
        if not grams:
            return []
        scored = []
        for doc, url in self.index():
            in_title = sum(g in doc.title for g in grams)
            found = in_title if title_only else sum(g in doc.title or g in doc.body for g in grams)
            if found / len(grams) >= MATCH_SHARE:
                scored.append((-(3 * in_title + found), -doc.published.timestamp(), url, doc))
        if by_date:
            scored.sort(key=lambda s: (s[1], s[2]))
        else:
            scored.sort(key=lambda s: (s[0], s[1], s[2]))
        return [(doc, url) for *_, url, doc in scored]

    def summary(self, doc: Document, query: str) -> str:
        grams = _grams(query)
        para = next((p for p in doc.paragraphs if any(g in p for g in grams) and len(p) > 20), doc.paragraphs[0])
        return "……" + para[:60] + "……"

    @staticmethod
    def json(data, status: int = 200) -> Reply:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return Reply(status, body, "application/json;charset=UTF-8")

    def handle(self, method, path, query, fields) -> Reply | None:  # None: not a search address
        return None


class SogovQuery(Search):
    PAGE, API = "/so/s", "/query/s"

    def handle(self, method, path, query, fields):
        site = self.site
        if path == self.PAGE:
            qt = query.get("qt", "")
            text = site.render("so", page_title="站内搜索", qt=esc(qt), tab=esc(query.get("tab", "all")),
                               location_code=esc(self.cfg.get("location_code", site.common["region_code"])),
                               search_url=esc(site.base_url + self.API), page_size=self.cfg.get("page_size", 10))
            return site.html(text)
        if path != self.API:
            return None
        if method != "POST":
            return Reply(405, b'{"timestamp":0,"status":405,"error":"Method Not Allowed",'
                              b'"message":"Request method \'GET\' not supported","path":"/query/s"}',
                         "application/json;charset=UTF-8", headers={"Allow": "POST"})
        code = fields.get("siteCode") or None
        if code != self.site.cfg.get("site_id_code"):
            return self.json({"ok": False, "msg": f"不存在的站点[{code}]"})
        try:
            page = max(1, int(fields.get("page") or 1))
            size = min(50, max(1, int(fields.get("pageSize") or 10)))
        except ValueError:
            return self.json({"ok": False, "msg": "参数错误"})
        qt = fields.get("qt", "")
        hits = self.find(qt, title_only=fields.get("keyPlace") == "1", by_date=fields.get("sort") == "dateDesc")
        docs = []
        for doc, url in hits[(page - 1) * size:page * size]:
            docs.append({"data": {
                "title": highlight(doc.title, qt), "titleO": doc.title, "url": url,
                "summary": self.summary(doc, qt), "docDate": doc.published.strftime("%Y-%m-%d %H:%M:%S"),
                "siteLabel": doc.publisher or site.cfg["site_name"], "dbName": "gov_dfzf",
                "myValues": {"QUICKDESCRIPTION": doc.title + "。"}}})
        return self.json({"ok": True, "totalHits": len(hits), "currentHits": len(docs), "resultDocs": docs})


class JsearchFront(Search):
    PAGE, API, VISIT = "/jsearchfront/search.do", "/jsearchfront/interfaces/cateSearch.do", \
        "/jsearchfront/visit/link.do"

    def handle(self, method, path, query, fields):
        site, cfg = self.site, self.cfg
        if path == self.PAGE:
            text = site.render("jsearch", page_title="站内搜索", q=esc(query.get("q", "")),
                               websiteid=esc(cfg["websiteid"]), searchid=esc(cfg.get("searchid", "")),
                               tpl_id=esc(cfg.get("tpl", "")), cateid=esc(cfg.get("cateid", "")),
                               pg=esc(cfg.get("pg", 12)))
            return site.html(text)
        if path == self.VISIT:
            target = query.get("url", "")
            if urlsplit(target).netloc == site.host:  # the site's own articles only
                return Reply(302, b"", headers={"Location": target})
            return site.not_found()
        if path != self.API:
            return None
        args = {**query, **fields}
        if args.get("websiteid") != cfg["websiteid"]:
            return self.json({"result": [], "total": 0, "categoryinfo": [], "searchsign": ""})
        try:
            page = max(1, int(args.get("p") or 1))
            size = min(50, max(1, int(args.get("pg") or cfg.get("pg", 12))))
        except ValueError:
            return self.json({"result": [], "total": 0, "categoryinfo": [], "searchsign": ""})
        q = args.get("q", "")
        hits = self.find(q, title_only=args.get("pos") == "title")
        result = [self.hit(doc, url, q) for doc, url in hits[(page - 1) * size:page * size]]
        sign = hashlib.sha1(f"{cfg['websiteid']}:{q}".encode("utf-8")).hexdigest()[:32]
        return self.json({"result": result, "total": len(hits),
                          "categoryinfo": [{"cateid": str(cfg.get("cateid", "")), "name": "全部", "count": len(hits)}],
                          "searchsign": sign})

    def hit(self, doc: Document, url: str, q: str) -> str:
        cfg = self.cfg
        visit = html.escape(f"visit/link.do?url={quote(url, safe='')}&q={quote(q, safe='')}"
                            f"&searchid={cfg.get('searchid', '')}&webid={cfg.get('webid', 1)}"
                            f"&title={quote(doc.title, safe='')}")
        kind = "[信息公开]" if doc.kind == "report" or doc.lookalike != "news" else "[新闻资讯]"
        source, abstract = doc.publisher or self.site.cfg["site_name"], self.summary(doc, q)
        return (f'<div class="jcse-result-box news-result"><div class="jcse-news-title"><a href="{visit}" '
                f'target="_blank">{highlight(doc.title, q)}</a><span class="jcse-news-type">{kind}</span></div>'
                f'<div class="jcse-news-abs"><div class="jcse-news-abs-content">{html.escape(abstract)}'
                f'</div></div><div class="jcse-news-url"><a href="{visit}" target="_blank">{html.escape(url)}</a>'
                f'<span class="jcse-news-date jcse-news-date2">{html.escape(source)}</span>'
                f'<span class="jcse-news-date jcse-news-date1">{doc.publish_date.isoformat()}</span></div></div>')


FAMILIES = {"sogov-query": SogovQuery, "hanweb-jsearchfront": JsearchFront}


def make_search(site, cfg: dict) -> Search:
    return FAMILIES[cfg["family"]](site, cfg)


__all__ = ["FAMILIES", "JsearchFront", "Search", "SogovQuery", "highlight", "make_search"]

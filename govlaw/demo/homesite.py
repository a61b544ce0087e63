"""One host of a demo portal that is given by its home page only.

A host serves, from ``homes/<templates>/`` (then ``homes/common/``):
- its fixed pages (home page, 政务公开, 法定主动公开内容, department lists),
  string.Template files that embed ``${header}``/``${footer}``;
- its columns, each a listing family of ``server.py`` (trs, hanweb, gkmlpt,
  nextpage) holding the documents whose front matter names the column;
- its site search, if it has one (``homesearch.py``);
- every other column and news item its pages link to, as a short page with
  the site's chrome (real portals have no dead links on their home pages);
- in a later state, the paths of a column that moved: the column's pages
  send the visitor to the home page, its articles are gone (404).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import time
from collections import namedtuple
from pathlib import Path
from string import Template
from urllib.parse import parse_qs, urljoin, urlsplit

from .catalog import CST, Document, Portal, split_paragraphs
from .homesearch import make_search
from .server import FAMILIES, GIF, PNG, ROBOTS, GkmlptSite, HanwebSite, Reply, esc

HOMES = Path(__file__).resolve().parent / "homes"
# One request as a portal saw it: query and form fields as {name: first value}.
Hit = namedtuple("Hit", "time host method path query form")

ARTICLE_PATTERNS = {
    "trs": "{column_path}{date:%Y%m}/t{date:%Y%m%d}_{id}.html",
    "nextpage": "{column_path}{date:%Y%m}/t{date:%Y%m%d}_{id}.html",
    "hanweb": "/art/{year}/{month}/{day}/art_{columnid}_{id}.html",
    "gkmlpt": "/gkmlpt/content/{id_a}/{id_b}/post_{id}.html",
}
# Addresses of documents (news items the chrome links to), with their date.
_DOC_PATH = [re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+\.s?html?$"),
             re.compile(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_\d+_\d+\.html$")]
_POST_PATH = re.compile(r"/content/post_(\d+)\.html$")
_LINK = re.compile(r"<(a|option)\s([^>]*)>(.*?)</(?:a|option)>", re.S)
_ATTR = re.compile(r"(href|value|title)=\"([^\"]*)\"")
_GENERIC = re.compile(r"^(更多|more|>>|»|首页|)[\s>»]*$", re.I)  # link texts that name no column
_CATEGORY_API = re.compile(r"/gkmlpt/api/all/(\d+)")
_TAGS = re.compile(r"<[^>]+>")
# Lines of the short news pages that stand in for a portal's everyday news.
_NEWS_LINES = [
    "会议强调，各级各部门要提高政治站位，压实工作责任，细化工作措施，确保各项任务按时保质完成。",
    "活动现场，工作人员向群众发放宣传资料，解答群众关心的问题，受到群众普遍欢迎。",
    "下一步，相关部门将持续跟踪问效，及时总结推广经验做法，推动工作取得更大实效。",
    "会上，有关单位负责同志作交流发言，与会人员围绕重点任务进行了深入讨论。",
]


def flat(fields: dict) -> dict:
    return {k: v[0] if v else "" for k, v in fields.items()}


def _doc_date(path: str) -> dt.date | None:
    """The date of a document address, None for a column's. Guangdong's
    /content/post_<id>.html carries none: its id picks a day of March 2026."""
    m = _POST_PATH.search(path)
    if m:
        return dt.date(2026, 3, 1 + int(m.group(1)) % 12)
    for pattern in _DOC_PATH:
        m = pattern.search(path)
        if m:
            try:
                return dt.date(*(int(x) for x in m.groups()))
            except ValueError:
                return None
    return None


def _column_class(base):
    """A listing family whose pages come from this host's templates and
    whose article pages tolerate documents outside the column (news stubs)."""
    class Column(base):
        def related(self, doc, n=3):
            return super().related(doc, n) if doc in self.docs else ""
    Column.__name__ = f"Home{base.__name__}"
    return Column


class HostSite:
    """Everything one host serves in one state."""

    def __init__(self, portal: dict, site: dict, state: int, documents: list[Document],
                 urls: dict[str, str], log: list):
        self.portal_id, self.cfg, self.state, self.log = portal["id"], site, state, log
        self.key, self.base_url = site["key"], urls[site["key"]]
        self.host = urlsplit(self.base_url).netloc
        self.gbk = site.get("charset") == "gbk"
        self.tpl = {}
        for folder in (HOMES / "common", HOMES / site["templates"]):  # the site's own win
            self.tpl.update({p.stem: Template(p.read_text(encoding="utf-8")) for p in folder.glob("*.html")})
        police = site.get("police", "")
        self.common = {
            "site_name": esc(site["site_name"]), "domain": esc(site["domain"]),
            "site_id_code": esc(site.get("site_id_code", "")), "region_code": esc(portal["region_code"]),
            "host_unit": esc(site.get("host_unit", site["site_name"])), "icp": esc(site.get("icp", "")),
            "police": esc(police), "police_code": re.sub(r"\D", "", police), "qr_src": esc(site.get("qr_path", "")),
            "base_url": esc(self.base_url), "charset": "gb2312" if self.gbk else "utf-8",
            **{f"url_{key}": esc(url) for key, url in urls.items()},
        }
        values = (site.get("values") or {})
        for key, value in {**values.get(0, {}), **values.get(state, {})}.items():
            self.common[key] = Template(str(value)).safe_substitute(self.common)
        self.columns = [self._column(c, documents) for c in site.get("columns", [])
                        if state in c.get("states", [state])]
        for col in self.columns:
            self.common[f"items_{col.key}"] = "\n".join(col.item(d, link="root") for d in col.docs[:6])
        self.news = self._column({"key": "_news", "family": "nextpage", **site.get("news", {})}, [])
        self.pages = {path: name for path, name in (site.get("pages") or {}).items()}
        self.moved = list((site.get("moved") or {}).get(state, []))
        self.search = None
        if site.get("search"):
            self.search = make_search(self, site["search"])
        self._links: dict[str, str] | None = None

    # -- building ------------------------------------------------------------------
    def _column(self, col: dict, documents: list[Document]):
        family = col["family"]
        keys = set(col.get("docs", [col["key"]]))
        docs = [d for d in documents if self.portal_id in d.portals and d.extra.get("site", "www") == self.key
                and d.extra.get("column") in keys]
        path = col.get("path", "/_news/")
        portal = Portal(
            id=self.portal_id, name=self.cfg["site_name"], family=family,
            region_code=self.common["region_code"], site_id_code=self.cfg.get("site_id_code", ""),
            domain=self.cfg["domain"], column_name=col.get("name", "工作动态"), column_path=path,
            start_path=col.get("start", path if family == "gkmlpt" else path + "index.html"),
            article_pattern=col.get("article_pattern", ARTICLE_PATTERNS[family]),
            id_range=tuple(col.get("id_range", (100000, 999999))),
            body_style=col.get("body_style", self.cfg.get("body_style", "trs")),
            host_unit=self.cfg.get("host_unit", self.cfg["site_name"]), icp=self.cfg.get("icp", ""),
            police=self.cfg.get("police", ""), qr_path=self.cfg.get("qr_path", "/qr.png"),
            charset=self.cfg.get("charset", "utf-8"), per_page=col.get("per_page", 5),
            params=dict(col.get("params", {})))
        site = _column_class(FAMILIES[family])(portal, docs, self.base_url, {})
        site.key, site.cfg, site.tpl = col["key"], col, self.tpl
        crumb = "".join(f'&gt;<a href="{esc(href)}">{esc(text)}</a>' for text, href in col.get("crumb", []))
        on = ' class="on"'
        side = "".join(f'<li{on if href == portal.start_path else ""}><a href="{esc(href)}">{esc(text)}</a></li>'
                       for text, href in col.get("side", []))
        site.common = {**site.common, **{k: v for k, v in self.common.items() if k not in site.common},
                       "side_html": side,
                       "crumb_html": f'<a href="/">首页</a>{crumb}&gt;<a href="{esc(portal.start_path)}">'
                                     f'{esc(portal.column_name)}</a>'}
        return site

    # -- pages -----------------------------------------------------------------------
    def render(self, name: str, **values) -> str:
        values = {**self.common, **values}
        values["header"] = self.tpl["header"].substitute(values)
        values["footer"] = self.tpl["footer"].substitute(values)
        return self.tpl[name].substitute(values)

    def html(self, text: str, status: int = 200) -> Reply:
        if self.gbk:  # an old site: GBK bytes, no charset in the header
            body, ctype = text.encode("gbk", "xmlcharrefreplace"), "text/html"
        else:
            body, ctype = text.encode("utf-8"), "text/html; charset=utf-8"
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:20] if status == 200 else None
        return Reply(status, body, ctype, etag=etag)

    def not_found(self) -> Reply:
        return self.html(self.render("notfound", page_title="404"), status=404)

    def links(self) -> dict[str, str]:
        """Path → text of every link to this host on its fixed pages and chrome."""
        if self._links is None:
            found: dict[str, str] = {}
            pages = [(p, self.render(n)) for p, n in self.pages.items()]
            pages.append(("/", self.render("notfound", page_title="")))  # header and footer alone
            for page_path, text in pages:
                for tag, attrs, label in _LINK.findall(text):
                    attrs = dict(_ATTR.findall(attrs))
                    href = attrs.get("href" if tag == "a" else "value", "")
                    if not href or href.startswith(("javascript:", "#")):
                        continue
                    target = urlsplit(urljoin(self.base_url + page_path, html.unescape(href)))
                    text = html.unescape(attrs.get("title") or _TAGS.sub("", label)).strip()
                    if target.netloc == self.host and (target.path not in found or _GENERIC.match(found[target.path])):
                        found[target.path] = text if text and not _GENERIC.match(text) else found.get(target.path, "")
            self._links = found
        return self._links

    # -- routing ---------------------------------------------------------------------
    def handle(self, method: str, target: str, form: bytes) -> Reply:
        parts = urlsplit(target)
        path, query = parts.path or "/", flat(parse_qs(parts.query, keep_blank_values=True))
        fields = flat(parse_qs(form.decode("utf-8", "replace"), keep_blank_values=True)) if form else {}
        self.log.append(Hit(time.monotonic(), self.host, method, path, query, fields))
        if path == "/robots.txt":
            return Reply(200, ROBOTS)
        if path == self.cfg.get("qr_path"):
            return Reply(200, GIF, "image/gif") if path.endswith(".gif") else Reply(200, PNG, "image/png")
        for prefix in self.moved:  # a column that moved: its pages lead home, its articles are gone
            if path.startswith(prefix):
                if path == prefix or re.fullmatch(r"index(_\d+)?\.s?html?", path[len(prefix):]):
                    return Reply(302, b"", headers={"Location": self.base_url + "/"})
                return self.not_found()
        if self.search is not None:
            reply = self.search.handle(method, path, query, fields)
            if reply is not None:
                return reply
        if method == "POST":
            return self.post(path, query, fields)
        if path in self.pages:
            return self.html(self.render(self.pages[path]))
        for col in self.columns:
            if path in col.by_path:
                return col.article(col.by_path[path])
        if path.startswith("/gkmlpt/") and any(isinstance(c, GkmlptSite) for c in self.columns):
            return self.gkmlpt(path, query)
        for col in self.columns:
            if path.startswith(col.portal.column_path):
                reply = col.get(path, {k: [v] for k, v in query.items()})
                if reply.status != 404:
                    return reply
        if path in self.links():
            return self.stub(path, self.links()[path])
        return self.not_found()

    def post(self, path, query, fields) -> Reply:
        if path == HanwebSite.PROXY:
            hanweb = [c for c in self.columns if isinstance(c, HanwebSite)]
            for col in hanweb:
                if str(fields.get("columnid") or query.get("columnid")) == str(col.portal.params["columnid"]):
                    return col.post(path, {}, {k: [v] for k, v in fields.items()})
            if hanweb:  # an unknown column: an empty datastore, as the real proxy answers
                return hanweb[0].post(path, {}, {k: [v] for k, v in fields.items()})
        if path in self.pages or path in self.links():
            return Reply(405, b"Method Not Allowed", headers={"Allow": "GET, HEAD"})
        return self.not_found()

    def gkmlpt(self, path: str, query: dict) -> Reply:
        """Guangdong's catalogue: one shell (window._CONFIG with every category
        of the site), one JSON API per category; categories without documents
        of their own answer an empty page."""
        cats = [c for c in self.columns if isinstance(c, GkmlptSite)]
        first, tree = cats[0], self.cfg.get("gkmlpt_tree", [])
        counts = {c.portal.params["catid"]: len(c.docs) for c in cats}

        def node(n):
            return {"id": n["id"], "name": n["name"], "jump_url": n.get("jump_url", ""),
                    "post_count": counts.get(n["id"], n.get("count", 0)),
                    "children": [node(c) for c in n.get("children", [])]}

        def ids(nodes):
            return {n["id"] for n in nodes} | {i for n in nodes for i in ids(n.get("children", []))}
        if path in ("/gkmlpt/index", "/gkmlpt/", "/gkmlpt"):
            config = (f"{{SID: '{first.portal.params['sid']}', TREE: "
                      f"{json.dumps([node(n) for n in tree], ensure_ascii=False)}, "
                      f"SERVICE_AREA_ID: {self.common['region_code']}}}")
            return first.listing(0, gkmlpt_config=config)
        for col in cats:
            if path in col.by_path:
                return col.article(col.by_path[path])
            reply = col.get(path, {k: [v] for k, v in query.items()})
            if reply.status != 404:
                return reply
        m = _CATEGORY_API.fullmatch(path)
        if m and int(m.group(1)) in ids(tree) and query.get("sid") == str(first.portal.params["sid"]):
            body = json.dumps({"classify": {"id": int(m.group(1)), "post_count": 0, "jump_url": ""},
                               "total": 0, "offset": 0, "articles": []}, ensure_ascii=False).encode("utf-8")
            return Reply(200, body, "application/json; charset=utf-8")
        return self.not_found()

    # -- pages the chrome links to ---------------------------------------------------
    def stub(self, path: str, label: str) -> Reply:
        date = _doc_date(path)
        if date is not None:  # a news item
            values = self.news.article_values(self.news_document(label, date))
            values["url"] = esc(self.base_url + path)
            return self.html(self.news.page("article", **values))
        name = label or "栏目"
        return self.html(self.render("stub", page_title=esc(name), column_name=esc(name),
                                     column_url=esc(path)))

    def news_document(self, title: str, date: dt.date) -> Document:
        """A short item of everyday news, its lines picked by its title."""
        pick = int(hashlib.sha1(title.encode("utf-8")).hexdigest()[:8], 16)
        lines = [f"{date.month}月{date.day}日，{title.rstrip('。')}。",
                 _NEWS_LINES[pick % len(_NEWS_LINES)], _NEWS_LINES[(pick // 7 + 1) % len(_NEWS_LINES)]]
        paragraphs = split_paragraphs("\n\n".join(dict.fromkeys(lines)))
        return Document(slug=f"news-{pick}", kind="news", title=title, publish_date=date,
                        portals=[self.portal_id], body="\n\n".join(paragraphs), paragraphs=paragraphs,
                        publish_time="09:30", publisher=self.cfg["site_name"],
                        updated=dt.datetime.combine(date, dt.time(9, 30), CST))


__all__ = ["HostSite", "Hit", "HOMES"]

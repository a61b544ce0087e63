"""Local HTTP servers that imitate five government portals.

One ``ThreadingHTTPServer`` per portal.  Pages are rendered from the catalog
(``catalog.py``) with ``string.Template`` files under ``templates/<portal>/``:
``header.html`` and ``footer.html`` (site chrome), ``listing.html`` and
``article.html`` (whole pages that embed ``${header}``/``${footer}``).

Each portal family pages its column the way the real software does:
  trs      index.html, index_1.html ... count only in JS createPageHTML(N, i, ...)
  hanweb   first page in a <script type="text/xml"> datastore, later pages only
           through POST /module/web/jpage/dataproxy.jsp
  gkmlpt   shell page (window._CONFIG SID, column by #<catid>); JSON API /gkmlpt/api/all/<catid>?page=N&sid=
  nextpage plain 下一页 links (index_N.html or ?page=N)
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import json
import re
import socket
import struct
import sys
import threading
import time
import traceback
import zlib
from dataclasses import dataclass, field
from datetime import timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from urllib.parse import parse_qs, urlsplit

import yaml

from . import hostile as hostile_mod
from .catalog import (Document, Portal, article_id, article_path, documents_for, load_documents,
                      load_portals, page_count)

TEMPLATES = Path(__file__).resolve().parent / "templates"
ROBOTS = b"User-agent: *\nDisallow: /admin/\n"
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
       b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def _png() -> bytes:
    """A 1x1 black PNG (stands in for the QR code image)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


PNG = _png()
CATEGORY = {None: "报告", "gov_info_report": "政府信息公开年报", "news": "工作动态",
            "work_points": "计划规划", "implementation_plan": "计划规划",
            "policy_interpretation": "政策解读", "meeting": "会议纪要"}


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


@dataclass
class Reply:
    status: int
    body: bytes = b""
    ctype: str = "text/plain; charset=utf-8"
    headers: dict = field(default_factory=dict)
    etag: str | None = None
    modified: object = None  # aware datetime; both set => conditional GET works


# ------------------------------------------------------------- body markup

_HEAD = re.compile(r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])")


def _is_heading(p: str) -> bool:
    return len(p) <= 40 and not p.endswith("。") and bool(_HEAD.match(p))


def _tail_start(paras: list[str]) -> int:
    """Index where the closing block (signature, date, 此件主动公开) starts."""
    i = len(paras)
    while i > 1 and len(paras) - i < 4:
        p = paras[i - 1]
        if len(p) > 30 or p.endswith(("。", ":", ":", ";", ";")):
            break
        i -= 1
    return i


def split_title(title: str) -> list[str]:
    """Title as it sits on top of haizhou bodies: two lines when long (seed 002)."""
    if len(title) <= 20:
        return [title]
    mid = len(title) // 2
    cuts = [i for i in range(mid - 4, mid + 5)
            if title[i:].startswith(("建设", "法治政府", "工作", "情况"))]
    cut = min(cuts, key=lambda i: abs(i - mid)) if cuts else mid
    return [title[:cut], title[cut:]]


def render_body(style: str, doc: Document) -> str:
    """The body container of one portal style; its text is exactly the gold body."""
    paras, tail = doc.paragraphs, _tail_start(doc.paragraphs)
    out = []
    for i, p in enumerate(paras):
        t, head, end = esc(p), _is_heading(p), i >= tail
        if style == "trs":
            if i == 0 and doc.doc_number and len(p) <= 20:
                out.append(f'<p align="center">{t}</p>')
            elif end:
                out.append(f'<p align="right">{t}</p>')
            elif p.endswith((":", ":")) and len(p) <= 30:  # 主送 line, flush left
                out.append(f"<p>{t}</p>")
            else:
                out.append(f'<p style="text-indent:2em">{"<strong>%s</strong>" % t if head else t}</p>')
        elif style == "hanweb":
            if end:
                out.append(f'<p style="text-align: right;">\u3000\u3000\u3000{t}</p>')
            else:
                out.append(f"<p>\u3000\u3000{'<strong>%s</strong>' % t if head else t}</p>")
        elif style == "gkmlpt":
            if end:
                out.append(f'<p style="text-align: right;">{t}</p>')
            elif head:
                out.append(f"<p>&nbsp;&nbsp;&nbsp;&nbsp;<strong>{t}</strong></p>")
            else:
                out.append(f"<p>&nbsp;&nbsp;&nbsp;&nbsp;{t}</p>")
        elif style == "shanwei":
            if end and len(paras) - tail >= 2:  # closing lines share one <div>, split by <br>
                if i == tail:
                    lines = "<br>".join(f"\u3000\u3000{esc(q)}" for q in paras[tail:])
                    out.append(f'<div style="text-align: right;">{lines}</div>')
            else:
                out.append(f"<p>\u3000\u3000{t}</p>")
        elif style == "ucap":
            if end:
                out.append(f'<p style="text-align: right; line-height: 1.75em;">{t}</p>')
            elif head:
                out.append(f'<p style="text-indent: 2em; line-height: 1.75em;">'
                           f'<span style="font-family: 黑体;">{t}</span></p>')
            else:
                out.append(f'<p style="text-indent: 2em; line-height: 1.75em;">{t}</p>')
        else:
            raise ValueError(f"unknown body style {style!r}")
    body = "\n".join(out)
    if style == "trs":  # TRS WCM writes its editor CSS inside the container
        return ('<div class="TRS_Editor"><style type="text/css">\n.TRS_Editor P{margin-top:-5px;'
                'margin-bottom:12px;line-height:1.8;font-family:仿宋_GB2312;font-size:16pt;}'
                '.TRS_Editor DIV{line-height:1.8;}\n</style>\n' + body + "\n</div>")
    if style == "hanweb":
        return ('<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">\n'
                + body + '\n<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>')
    if style == "gkmlpt":  # the title (one or two lines) opens the content, as in seed 002
        lines = "".join(f'<p style="text-align: center;"><strong>{esc(x)}</strong></p>'
                        for x in split_title(doc.title))
        return f'<div class="article-content">\n{lines}<p>&nbsp;</p>\n{body}\n</div>'
    if style == "shanwei":
        return f'<div class="article-content">\n{body}\n<p>\u3000\u3000</p><p><br></p>\n</div>'
    return ('<div id="UCAP-CONTENT"><ucapcontent>\n<p style="text-align: center;"><span style='
            f'"font-size: 22px; font-family: 方正小标宋简体;"><strong>{esc(doc.title)}</strong>'
            f"</span></p>\n{body}\n</ucapcontent></div>")


# ------------------------------------------------------------------ sites

class PortalSite:
    """Renders and routes the pages of one portal."""

    list_link = "root"  # how listing entries link articles: relative | root | absolute

    def __init__(self, portal: Portal, documents: list[Document], base_url: str,
                 portals_by_id: dict[str, Portal]):
        self.portal, self.base_url, self.portals_by_id = portal, base_url, portals_by_id
        self.docs = documents_for(portal.id, documents)
        self.by_path: dict[str, Document] = {}
        for doc in self.docs:
            path = article_path(portal, doc)
            if path in self.by_path:  # ids come from hashes: refuse silent clashes
                raise ValueError(f"{portal.id}: {doc.slug} and {self.by_path[path].slug} share {path}")
            self.by_path[path] = doc
        self.pages = page_count(portal, len(self.docs))
        self.newest = max((d.modified for d in self.docs), default=None)
        self.tpl = {p.stem: Template(p.read_text(encoding="utf-8"))
                    for p in (TEMPLATES / portal.id).glob("*.html")}
        p = portal
        self.common = {
            "site_name": esc(p.name), "domain": esc(p.domain), "site_id_code": esc(p.site_id_code),
            "region_code": esc(p.region_code), "column_name": esc(p.column_name),
            "column_url": esc(p.start_path), "column_path": esc(p.column_path),
            "host_unit": esc(p.host_unit), "icp": esc(p.icp), "police": esc(p.police),
            "police_code": re.sub(r"\D", "", p.police), "qr_src": esc(p.qr_path),
            "base_url": esc(base_url), "charset": "gb2312" if p.charset == "gbk" else "utf-8",
        }

    # -- building blocks
    def page_docs(self, page: int) -> list[Document]:
        """Documents of listing page ``page`` (0-based)."""
        n = self.portal.per_page
        return self.docs[page * n:(page + 1) * n]

    def link(self, doc: Document, style: str | None = None) -> str:
        path = article_path(self.portal, doc)
        style = style or self.list_link
        if style == "relative" and path.startswith(self.portal.column_path):
            return "./" + path[len(self.portal.column_path):]
        return self.base_url + path if style == "absolute" else path

    def item(self, doc: Document, truncate: int = 0, link: str | None = None) -> str:
        text = doc.title if not truncate or len(doc.title) <= truncate else doc.title[:truncate] + "…"
        return (f'<li><a href="{esc(self.link(doc, link))}" title="{esc(doc.title)}">'
                f'{esc(text)}</a><span>{doc.publish_date.isoformat()}</span></li>')

    def page(self, name: str, **values) -> str:
        values = {**self.common, **values}
        values["header"] = self.tpl["header"].substitute(values)
        values["footer"] = self.tpl["footer"].substitute(values)
        return self.tpl[name].substitute(values)

    def html_reply(self, text: str, status: int = 200, modified=None) -> Reply:
        if self.portal.charset == "gbk":  # old TRS site: GBK bytes, no charset in the header
            body, ctype = text.encode("gbk", "xmlcharrefreplace"), "text/html"
        else:
            body, ctype = text.encode("utf-8"), "text/html; charset=utf-8"
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:20] if status == 200 else None
        return Reply(status, body, ctype, etag=etag, modified=modified if status == 200 else None)

    def not_found(self) -> Reply:
        return self.html_reply(
            f'<!DOCTYPE html><html><head><meta charset="{self.common["charset"]}"><title>404</title>'
            f"</head><body><h1>404 您访问的页面不存在</h1><p><a href=\"{esc(self.portal.start_path)}\">"
            f"返回{esc(self.portal.name)}</a></p></body></html>", status=404)

    # -- routing
    def handle(self, method: str, target: str, form: bytes) -> Reply:
        parts = urlsplit(target)
        path, query = parts.path or "/", parse_qs(parts.query)
        if method == "POST":
            return self.post(path, query, parse_qs(form.decode("utf-8", "replace")))
        if path == "/robots.txt":
            return Reply(200, ROBOTS)
        if path == self.portal.qr_path:
            kind = "gif" if path.endswith(".gif") else "png"
            return Reply(200, GIF if kind == "gif" else PNG, "image/" + kind)
        if path in self.by_path:
            return self.article(self.by_path[path])
        return self.get(path, query)

    def post(self, path, query, form) -> Reply:
        if path in self.by_path or self.get(path, query).status == 200:
            return Reply(405, b"Method Not Allowed", headers={"Allow": "GET, HEAD"})
        return self.not_found()

    def get(self, path, query) -> Reply:  # listing pages: per family
        return self.not_found()

    def listing(self, page: int, **values) -> Reply:
        text = self.page("listing", page_no=page + 1, page_count=self.pages,
                         total=len(self.docs), **values)
        return self.html_reply(text, modified=self.newest)

    # -- article pages
    def related(self, doc: Document, n: int = 3) -> str:
        """Other documents of this portal (the next ones in the column, cyclic)."""
        i = self.docs.index(doc)
        others = [self.docs[(i + k) % len(self.docs)] for k in range(1, len(self.docs))][:n]
        link = "absolute" if self.list_link == "absolute" else "root"
        return "".join(self.item(d, link=link) for d in others)

    def article_values(self, doc: Document) -> dict:
        d, origin = doc.publish_date, self.portals_by_id.get(doc.portals[0])
        reprint = doc.portals[0] != self.portal.id
        source = origin.name if reprint and origin else (doc.publisher or self.portal.name)
        stamp = d.isoformat() + (" " + doc.publish_time if doc.publish_time else "")
        first = next((p for p in doc.paragraphs if len(p) > 30), doc.title)
        return {
            "title": esc(doc.title), "url": esc(self.base_url + article_path(self.portal, doc)),
            "headline": esc((doc.doc_number + " " if doc.doc_number else "") + doc.title),
            "pub_date": d.isoformat(), "pub_datetime": stamp, "pub_cn": f"{d:%Y年%m月%d日}",
            "publisher": esc(doc.publisher or self.portal.name), "source": esc(source),
            "doc_number": esc(doc.doc_number), "doc_number_or_none": esc(doc.doc_number or "无号"),
            "index_number": esc(doc.index_number), "category": esc(CATEGORY.get(doc.lookalike, "其他")),
            "signed_date": doc.signed_date.isoformat() if doc.signed_date else "",
            "meta_keywords": esc("法治政府建设,年度报告" if doc.is_report else "法治政府建设"),
            "meta_description": esc(first[:80]), "meta_author": esc(doc.publisher or ""),
            "reprint_mark": '<span class="zz-tag">转载</span>' if reprint else "",
            "body_html": render_body(self.portal.body_style, doc),
            "related_html": self.related(doc),
        }

    def article(self, doc: Document) -> Reply:
        return self.html_reply(self.page("article", **self.article_values(doc)), modified=doc.modified)


class TrsSite(PortalSite):
    """index.html, index_1.html, ...; the page count lives only in createPageHTML()."""
    list_link = "relative"

    def get(self, path, query):
        col = self.portal.column_path
        if path in (col, col + "index.html"):
            page = 0
        else:
            m = re.fullmatch(re.escape(col) + r"index_([1-9]\d*)\.html", path)
            page = int(m.group(1)) if m else self.pages
        if page >= self.pages:
            return self.not_found()
        items = "\n".join(self.item(d, truncate=20) for d in self.page_docs(page))
        return self.listing(page, items_html=items, page_index=page,
                            pager_call=f'createPageHTML({self.pages}, {page}, "index", "html");')


class HanwebSite(PortalSite):
    """Hanweb JCMS as docs/families.md §2 records it: the first group inline
    (an XML datastore of groupSize × perPage records inside <div id=unitid>),
    a jpage({…}) call declaring proxyUrl, totalRecord, perPage, groupSize and
    ajaxParam; later groups only via POST dataproxy.jsp."""
    PROXY = "/module/web/jpage/dataproxy.jsp"
    GROUP_SIZE = 3

    def records(self, docs) -> str:
        return "".join(f"<record><![CDATA[{self.item(d, truncate=24)}]]></record>" for d in docs)

    def get(self, path, query):
        prm, col = self.portal.params, self.portal.column_path
        if path == self.PROXY:
            return Reply(405, b"Method Not Allowed", headers={"Allow": "POST"})
        if path == "/module/web/jpage/jpage.js":
            return Reply(200, b"/* jpage */\n", "application/javascript")
        if path not in (col, col + "index.html"):
            return self.not_found()
        nextgroup = (f'<a href="{self.PROXY}?page=1&appid={prm["appid"]}&webid={prm["webid"]}'
                     f'&path=/&columnid={prm["columnid"]}&unitid={prm["unitid"]}'
                     f'&webname={self.portal.name}&permissiontype=0"></a>')
        store = (f'<script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>'
                 f"<totalrecord>{len(self.docs)}</totalrecord><recordset>"
                 f"{self.records(self.docs[:self.GROUP_SIZE * self.portal.per_page])}</recordset></datastore></script>")
        return self.listing(0, datastore=store, perpage=self.portal.per_page, **{
            k: esc(v) for k, v in prm.items()})

    def post(self, path, query, form):
        if path != self.PROXY:
            return super().post(path, query, form)
        arg = lambda k, default: (form.get(k) or query.get(k) or [default])[0]  # noqa: E731
        try:
            start = max(1, int(arg("startrecord", 1)))
            per = int(arg("perpage", self.portal.per_page))
            end = int(arg("endrecord", start + per - 1))
        except ValueError:
            return Reply(400, b"bad paging parameters")
        ok = str(arg("columnid", "")) == str(self.portal.params["columnid"])
        docs = self.docs if ok else []
        xml = ('<?xml version="1.0" encoding="UTF-8"?><datastore>'
               f"<totalrecord>{len(docs)}</totalrecord><recordset>"
               f"{self.records(docs[start - 1:max(start - 1, end)])}</recordset></datastore>")
        return Reply(200, xml.encode("utf-8"), "text/xml; charset=UTF-8")


class GkmlptSite(PortalSite):
    """Guangdong's gkmlpt as the real platform serves it (docs/families.md §3):
    a shell page whose window._CONFIG names the site (SID) and the category
    tree, the column chosen by the URL fragment (#<catid>), and a JSON API
    of 100 articles a page with create_time (发布日期) beside date (成文日期)."""

    PAGE_SIZE = 100

    def get(self, path, query):
        catid, sid = self.portal.params["catid"], str(self.portal.params["sid"])
        api = f"/gkmlpt/api/all/{catid}"
        if path in ("/gkmlpt/index", "/gkmlpt/", "/gkmlpt"):
            tree = json.dumps([{"id": catid, "name": self.portal.column_name, "children": [], "jump_url": "",
                                "post_count": len(self.docs)}], ensure_ascii=False)
            config = f"{{SID: '{sid}', TREE: {tree}, SERVICE_AREA_ID: {self.portal.region_code}}}"
            return self.listing(0, gkmlpt_config=config)
        if path != api or query.get("sid", [""])[0] != sid:
            return self.not_found()
        try:
            page = max(1, int(query.get("page", ["1"])[0]))  # page=0 and page=1 are the same page
        except ValueError:
            page = 1
        offset = (page - 1) * self.PAGE_SIZE
        articles = [{
            "id": article_id(self.portal, d), "title": d.title, "url": article_path(self.portal, d),
            "create_time": int(d.published.timestamp()),
            "date": int(d.published.timestamp()) - 86400 * 3,  # 成文日期: written a few days before
            "publisher": d.publisher or self.portal.name,
            "identifier": d.index_number or "", "document_number": d.doc_number or "", "type": "normal",
        } for d in self.docs[offset:offset + self.PAGE_SIZE]]
        body = json.dumps({"classify": {"id": catid, "name": self.portal.column_name, "post_count": len(self.docs),
                                        "jump_url": ""},
                           "total": len(self.docs), "offset": offset, "articles": articles},
                          ensure_ascii=False).encode("utf-8")
        return Reply(200, body, "application/json; charset=utf-8",
                     etag='"%s"' % hashlib.sha1(body).hexdigest()[:20], modified=self.newest)


class NextpageSite(PortalSite):
    """Plain 首页/上一页/下一页/尾页 links: index_N.html (paging=index) or ?page=N (query)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_query = self.portal.params.get("paging") == "query"
        if self.by_query:
            self.list_link = "absolute"

    def href(self, page: int) -> str:  # 1-based page number
        if self.by_query:
            return f"?page={page}"
        return "index.html" if page == 1 else f"index_{page}.html"

    def get(self, path, query):
        col = self.portal.column_path
        try:
            if self.by_query:
                page = int(query.get("page", ["1"])[0]) if path == col + "list.html" else 0
            elif path in (col, col + "index.html"):
                page = 1
            else:
                m = re.fullmatch(re.escape(col) + r"index_([2-9]|[1-9]\d+)\.html", path)
                page = int(m.group(1)) if m else 0
        except ValueError:
            page = 0
        if not 1 <= page <= self.pages:
            return self.not_found()
        a = lambda n, label: f'<a href="{self.href(n)}">{label}</a>'  # noqa: E731
        off = (lambda label: f'<span class="disabled">{label}</span>') if self.by_query else \
            (lambda label: f"<a>{label}</a>")
        pager = " ".join([
            a(1, "首页"),
            a(page - 1, "上一页") if page > 1 else off("上一页"),
            a(page + 1, "下一页") if page < self.pages else off("下一页"),
            a(self.pages, "尾页" if not self.by_query else "末页"),
        ])
        items = "\n".join(self.item(d, truncate=0 if self.by_query else 26)
                          for d in self.page_docs(page - 1))
        return self.listing(page - 1, items_html=items, pager_html=pager)


FAMILIES = {"trs": TrsSite, "hanweb": HanwebSite, "gkmlpt": GkmlptSite, "nextpage": NextpageSite}


# ----------------------------------------------------------------- server

class _Handler(BaseHTTPRequestHandler):
    timeout = 30  # an idle or stalled client must not hold a thread forever
    def version_string(self):
        return "nginx"

    def do_GET(self):
        self._serve("GET")

    def do_HEAD(self):
        self._serve("HEAD")

    def do_POST(self):
        self._serve("POST")

    def _serve(self, method):
        self.server.served.append((time.monotonic(), method, self.path))
        size = self.headers.get("Content-Length", "0")
        form = self.rfile.read(int(size)) if size.isdigit() and int(size) > 0 else b""
        hostile = self.server.hostile
        if hostile is not None and self.server.portal_id == hostile_mod.TRAP_PORTAL and hostile.trap(self, self.path):
            return
        try:
            reply = self.server.site.handle("POST" if method == "POST" else "GET", self.path, form)
        except Exception:  # a rendering bug: answer 500 and show the traceback
            traceback.print_exc()
            reply = Reply(500, b"Internal Server Error")
        if hostile is not None:
            reply = self._hostile_reply(hostile, reply)
            fault = hostile.fault_for(self.server.portal_id, method, self.path, form)
            if fault:
                hostile.apply_fault(self, fault, reply.body)
                return
        status, headers = reply.status, {"Content-Type": reply.ctype, **reply.headers}
        if reply.etag:
            headers["ETag"] = reply.etag
        if reply.modified is not None:
            utc = reply.modified.astimezone(timezone.utc)
            headers["Last-Modified"] = email.utils.format_datetime(utc, usegmt=True)
        if method != "POST" and status == 200 and _not_modified(self.headers, reply):
            status = 304
        body = b"" if status == 304 else reply.body
        self.send_response(status)
        for key, value in headers.items():
            if status != 304 or key != "Content-Type":
                self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD" and body:
            self.wfile.write(body)

    def _hostile_reply(self, hostile, reply: Reply) -> Reply:
        if self.server.portal_id == hostile_mod.TRAP_PORTAL and reply.status == 200 and b"sw-list" in reply.body:
            reply = Reply(reply.status, hostile.inject_entries(reply.body), reply.ctype, reply.headers,
                          reply.etag, reply.modified)
        if self.server.portal_id == "yuanzhou" and reply.ctype.startswith("text/html"):
            # GBK bytes under a header that says UTF-8: a wrong charset, as old portals send.
            reply = Reply(reply.status, reply.body, "text/html; charset=utf-8", reply.headers, reply.etag, reply.modified)
        return reply

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)


def _not_modified(headers, reply: Reply) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return reply.etag is not None and ("*" in tags or reply.etag in tags)
    ims = headers.get("If-Modified-Since")
    if ims and reply.modified is not None:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is not None:
            return reply.modified.replace(microsecond=0) <= since
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    verbose = False
    hostile = None       # a hostile_mod.Hostile in hostile mode
    portal_id = ""
    site: PortalSite

    def __init__(self, *args, **kwargs):
        self.connections: set = set()  # open client sockets, closed by close_connections()
        self.served: list = []  # (monotonic time, method, path) of every request, in arrival order
        super().__init__(*args, **kwargs)

    def process_request_thread(self, request, client_address):
        self.connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.discard(request)

    def close_connections(self):
        for sock in list(self.connections):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.verbose or not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class DemoPortals:
    """Serve every demo portal on ``host``, one port each.

    Ports come from ``ports`` ({portal_id: port}), else ``base_port + index``
    (order of portals.yaml), else 0 (ephemeral).  ``state`` selects the
    document set (see catalog.load_documents); ``set_state`` swaps it live.
    """

    def __init__(self, host: str = "127.0.0.1", ports: dict | None = None,
                 base_port: int | None = None, state: int = 1,
                 documents_dir: str | Path | None = None, verbose: bool = False,
                 hostile: "hostile_mod.Hostile | None" = None):
        self.host, self.ports, self.base_port = host, dict(ports or {}), base_port
        self.hostile = hostile
        self.state, self.documents_dir, self.verbose = state, documents_dir, verbose
        self.catalog = load_portals()
        self.documents: list[Document] = []
        self.portals: list[dict] = []
        self._servers: dict[str, _Server] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._urls: dict[str, str] = {}

    # -- lifecycle
    def start(self) -> "DemoPortals":
        if self._servers:
            return self
        self.documents = load_documents(self.documents_dir, state=self.state)
        try:
            for index, portal in enumerate(self.catalog):
                port = self.ports.get(portal.id, self.base_port + index if self.base_port else 0)
                cls = _Server6 if ":" in self.host else _Server
                server = cls((self.host, port), _Handler)
                server.verbose = self.verbose
                server.hostile, server.portal_id = self.hostile, portal.id
                self._servers[portal.id] = server
                host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
                host = f"[{host}]" if ":" in host else host
                self._urls[portal.id] = f"http://{host}:{server.server_address[1]}"
            self._build_sites()
        except BaseException:
            self.stop()
            raise
        for portal_id, server in self._servers.items():
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"demo-portal-{portal_id}", daemon=True)
            thread.start()
            self._threads[portal_id] = thread
        self.portals = [{
            "id": p.id, "name": p.name, "start_urls": [self._urls[p.id] + p.start_path] + (
                [self._urls[p.id] + extra for extra in hostile_mod.EXTRA_LISTINGS]
                if self.hostile is not None and p.id == hostile_mod.TRAP_PORTAL else []),
            "region_code": p.region_code, "template": "auto"} for p in self.catalog]
        return self

    def _build_sites(self):
        by_id = {p.id: p for p in self.catalog}
        sites = {p.id: FAMILIES[p.family](p, self.documents, self._urls[p.id], by_id)
                 for p in self.catalog}
        for portal_id, site in sites.items():  # swap only when every site built
            self._servers[portal_id].site = site

    def set_state(self, state: int) -> None:
        """Switch the served document set without restarting the servers."""
        documents = load_documents(self.documents_dir, state=state)
        self.state, self.documents = state, documents
        if self._servers:
            self._build_sites()

    def stop(self) -> None:
        for portal_id, server in self._servers.items():
            if portal_id in self._threads:  # shutdown() would wait forever otherwise
                server.shutdown()
            server.server_close()
            server.close_connections()
        for thread in self._threads.values():
            thread.join(timeout=2)
        self._servers, self._threads = {}, {}

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def requests_served(self) -> int:
        """How many requests the portals have answered (or begun to) so far."""
        return sum(len(server.served) for server in self._servers.values())

    # -- addresses
    def base_url(self, portal_id: str) -> str:
        return self._urls[portal_id]

    def portal(self, portal_id: str) -> Portal:
        return next(p for p in self.catalog if p.id == portal_id)

    def article_url(self, portal_id: str, document: Document) -> str:
        return self._urls[portal_id] + article_path(self.portal(portal_id), document)

    def write_sources(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            yaml.safe_dump(self.portals, fh, allow_unicode=True, sort_keys=False)


__all__ = ["DemoPortals", "PortalSite", "render_body", "split_title"]

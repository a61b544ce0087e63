"""A second kind of portal for the demo: one that reposts other governments'
reports, and can be told to serve oversized pages.

Real county bureaus (某某县司法局) republish their city's report in their own
column, wrapped the way reposting sites wrap things: a title that starts with
转载：, an editor's note (编者按) above the text and a 来源 line below it. The
page is served without validators, so every run fetches it in full — the
case in which a repost used to take over the record of the original.

    with RepostPortal() as site:
        site.repost(document)              # a demo Document, wrapped as above
        site.add_page("/huge.html", title, oversized_page(document, 50 << 20), content_length=False)
        site.portal                        # its entry for a sources file
"""
from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = "某某县司法局"
PORTAL_ID = "mmxsfj"
COLUMN = "/xxgk/fzzf/"
NOTE = ("编者按：近日，{origin}公布了{title}。现予转载，供全县各单位学习参考，"
        "请结合实际抓好贯彻落实。")
SOURCE_LINE = "（来源：{origin}门户网站）"


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


def oversized_page(document, size: int) -> bytes:
    """A page of about `size` bytes: the document's report, then filler
    paragraphs — a real report inside a page no report ever fills."""
    head = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_esc(document.title)}</title></head><body>"
            f"<h1>{_esc(document.title)}</h1><div class='content'>"
            + "".join(f"<p>{_esc(p)}</p>" for p in document.paragraphs)).encode("utf-8")
    filler = ("<p>" + "全面推进依法行政，加快建设法治政府。" * 20 + "</p>").encode("utf-8")
    return head + filler * max(0, (size - len(head)) // len(filler) + 1) + b"</div></body></html>"


class RepostPortal:
    def __init__(self, host: str = "127.0.0.1", name: str = NAME, portal_id: str = PORTAL_ID,
                 region_code: str | None = "441523"):
        self.host, self.name, self.portal_id, self.region_code = host, name, portal_id, region_code
        self.pages: dict[str, tuple[str, bytes, bool]] = {}  # path → (listing title, body, send length)
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- content ---------------------------------------------------------------
    def repost(self, document, origin: str | None = None, date: str = "2021-03-02") -> str:
        """Wrap a demo document as this site reposts it; returns its path."""
        origin = origin or document.publisher or "原发布机关"
        title = "转载：" + document.title
        paragraphs = ([NOTE.format(origin=origin, title=f"《{document.title}》")] + list(document.paragraphs)
                      + [SOURCE_LINE.format(origin=origin)])
        body = "\n".join(f"<p>\u3000\u3000{_esc(p)}</p>" for p in paragraphs)
        path = f"{COLUMN}content/repost_{len(self.pages) + 1}.html"
        self.pages[path] = (title, self._article(title, date, body), True)
        return path

    def add_page(self, path: str, title: str, page: bytes, content_length: bool = True) -> None:
        """Any page, listed in the column; without Content-Length the body
        ends when the connection closes (the server streams it)."""
        self.pages[path] = (title, page, content_length)

    def remove(self, path: str) -> None:
        self.pages.pop(path, None)

    def _article(self, title: str, date: str, body_html: str) -> bytes:
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_esc(title)}_{_esc(self.name)}</title>"
                f"<meta name='ArticleTitle' content='{_esc(title)}'><meta name='PubDate' content='{date}'>"
                f"</head><body><div class='top'>{_esc(self.name)} 首页 | 政务公开 | 法治政府建设</div>"
                f"<div class='bread'>当前位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>"
                f"<h1>{_esc(title)}</h1><div class='info'>发布时间：{date} 来源：{_esc(self.name)} 浏览次数：12</div>"
                f"<div class='content'>{body_html}</div>"
                f"<div class='foot'>主办单位：{_esc(self.name)} 技术支持：某某科技有限公司</div></body></html>"
                ).encode("utf-8")

    def _listing(self) -> bytes:
        items = "".join(f"<li><a href='{_esc(path)}' title='{_esc(title)}'>{_esc(title)}</a><span>2021-03-02</span></li>"
                        for path, (title, _, _) in self.pages.items())
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>法治政府建设_{_esc(self.name)}</title>"
                f"</head><body><div class='top'>{_esc(self.name)}</div><ul class='list'>{items}</ul>"
                f"</body></html>").encode("utf-8")

    # -- serving ---------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    @property
    def portal(self) -> dict:
        entry = {"id": self.portal_id, "name": self.name, "start_urls": [self.base_url + COLUMN + "index.html"],
                 "template": "auto"}
        if self.region_code:
            entry["region_code"] = self.region_code
        return entry

    def start(self) -> "RepostPortal":
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?", 1)[0]
                site.requests.append(path)
                if path == "/robots.txt":
                    return self._send(200, b"User-agent: *\nDisallow:\n", "text/plain")
                if path in (COLUMN, COLUMN + "index.html"):
                    return self._send(200, site._listing())
                if path in site.pages:
                    _, page, length = site.pages[path]
                    return self._send(200, page, length=length)
                self._send(404, b"<html><body>404</body></html>")

            def _send(self, status, body, ctype="text/html; charset=utf-8", length=True):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if length:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                try:
                    for i in range(0, len(body), 1 << 20):
                        self.wfile.write(body[i:i + (1 << 20)])
                except OSError:  # the crawler hung up: an oversized page it refused
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="demo-reposter", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=2)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

"""Hostile mode for the demo portals: faults and traps, for testing that a
crawl survives them.

Faults hit a share of all requests at random (seeded): 5xx answers, 429 with
Retry-After, connection resets, answers slower than the crawl's timeout, and
bodies cut short. A request is faulted at most twice in a row, so a crawler
that retries gets every good page in the end.

Traps sit on one portal (shanwei): listing entries that lead to a WAF
challenge (412 + script), a rate-limit notice, a login wall, a soft 404, a
redirect loop, a zip bomb, a huge page, a page that drips one byte at a
time, and a link into a private network; and three extra listings: a pager
that never ends, a pager that repeats itself, and one that mints a new
session id on every page. The yuanzhou portal's pages, GBK bytes, are
served with a wrong `charset=utf-8` header.
"""
from __future__ import annotations

import hashlib
import io
import socket
import struct
import threading
import time
import zipfile

TRAP_PORTAL = "shanwei"
TRAP_ENTRIES = [
    ("/trap/waf.html", "关于2023年度法治政府建设情况的报告（转载）"),
    ("/trap/rate.html", "汕尾市法治政府建设年度报告查询"),
    ("/trap/login.html", "法治政府建设年度报告（内部）"),
    ("/trap/soft404.html", "2019年度法治政府建设情况报告"),
    ("/trap/loop1.html", "2022年法治政府建设工作报告"),
    ("/trap/bomb.docx", "汕尾市2023年法治政府建设年度报告（附件）"),
    ("/trap/huge.html", "法治政府建设年度报告（合订本）"),
    ("/trap/drip.html", "法治政府建设情况报告（汇编）"),
    ("http://10.255.255.1/report.html", "内网：法治政府建设年度报告"),
]
EXTRA_LISTINGS = ["/trap/pager/1.html", "/trap/repeat/1.html", "/trap/session/list.html;jsessionid=A1"]
FAULTS = ["500", "502", "503", "429", "reset", "slow", "truncated"]


def _page(title: str, body: str, status_note: str = "") -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body>{status_note}{body}</body></html>").encode("utf-8")


def _listing(items: list[tuple[str, str]], next_href: str | None) -> bytes:
    lis = "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>2024-03-28</span></li>' for h, t in items)
    pager = f'<a href="{next_href}">下一页</a>' if next_href else ""
    return _page("法治政府建设年度报告", f'<ul class="list">{lis}</ul><div class="pager">{pager}</div>')


_BOMB: bytes | None = None


def zip_bomb() -> bytes:
    """A .docx-shaped zip whose one member inflates to 300 MB of zeros."""
    global _BOMB
    if _BOMB is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            with z.open("word/document.xml", "w", force_zip64=True) as member:
                chunk = b"\0" * (1 << 20)
                for _ in range(300):
                    member.write(chunk)
        _BOMB = buf.getvalue()
    return _BOMB


class Hostile:
    def __init__(self, rate: float = 0.2, seed: int = 1, slow_seconds: float = 3.0):
        self.rate, self.seed, self.slow_seconds = rate, seed, slow_seconds
        self.attempts: dict = {}
        self.lock = threading.Lock()
        self.requests = 0
        self.faulted = 0

    # -- random faults ------------------------------------------------------------
    def fault_for(self, portal: str, method: str, target: str, form: bytes) -> str | None:
        if target.startswith("/robots.txt"):
            return None
        key = f"{portal} {method} {target} {form!r}"
        with self.lock:
            n = self.attempts.get(key, 0)
            self.attempts[key] = n + 1
            self.requests += 1
        digest = hashlib.sha256(f"{self.seed}:{key}:{n}".encode()).digest()
        roll = int.from_bytes(digest[:4], "big") / 2 ** 32
        if n >= 2 or roll >= self.rate:
            return None
        with self.lock:
            self.faulted += 1
        return FAULTS[digest[4] % len(FAULTS)]

    def apply_fault(self, handler, fault: str, body: bytes) -> None:
        if fault in ("500", "502", "503"):
            _send(handler, int(fault), b"<html><body>Service Unavailable</body></html>")
        elif fault == "429":
            _send(handler, 429, b"Too Many Requests", {"Retry-After": "1"})
        elif fault == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            handler.connection.close()
        elif fault == "slow":
            time.sleep(self.slow_seconds)
            _send(handler, 200, body)
        elif fault == "truncated":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)

    # -- traps ---------------------------------------------------------------------
    def trap(self, handler, target: str) -> bool:
        """Serve a trap path; True when the request was answered here."""
        path = target.split("?", 1)[0]
        if not path.startswith("/trap/"):
            return False
        if path == "/trap/waf.html":
            _send(handler, 412, _page("", "<script>var $_ts={};$_ts.cd='qEt';document.cookie='FSSBBIl1UgzbN7N80T=5';"
                                       "location.reload();</script>"), {"Set-Cookie": "FSSBBIl1UgzbN7N80S=x; path=/"})
        elif path == "/trap/rate.html":
            _send(handler, 200, _page("提示", "<p>您的访问过于频繁，请稍后再试。</p>"))
        elif path == "/trap/login.html":
            _send(handler, 200, _page("用户登录", "<form><p>请先登录</p><input name='u'><input type='password' name='p'>"
                                              "<button>登录</button></form>"))
        elif path.startswith("/trap/soft404") or path.startswith("/trap/pager/item"):
            _send(handler, 200, _page("页面不存在", "<h1>404</h1><p>抱歉，您访问的页面不存在或已删除。</p>"))
        elif path == "/trap/loop1.html":
            _send(handler, 302, b"", {"Location": "/trap/loop2.html"})
        elif path == "/trap/loop2.html":
            _send(handler, 302, b"", {"Location": "/trap/loop1.html"})
        elif path == "/trap/bomb.docx":
            _send(handler, 200, zip_bomb(), {"Content-Type": "application/vnd.openxmlformats-officedocument"
                                                             ".wordprocessingml.document"})
        elif path == "/trap/huge.html":
            filler = ("<p>" + "法治" * 500 + "</p>").encode("utf-8") * 4000  # ~12 MB
            _send(handler, 200, _page("合订本", "").replace(b"</body>", filler + b"</body>"))
        elif path == "/trap/drip.html":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.end_headers()
            try:
                for _ in range(40):
                    handler.wfile.write(b" ")
                    handler.wfile.flush()
                    time.sleep(0.25)
            except OSError:
                pass
            handler.close_connection = True
        elif path.startswith("/trap/pager/"):
            n = int(path.rsplit("/", 1)[-1].split(".")[0])
            items = [(f"/trap/pager/item_{n}_{i}.html", f"第{n}页：法治政府建设情况报告{i}") for i in range(5)]
            _send(handler, 200, _listing(items, f"/trap/pager/{n + 1}.html"))
        elif path.startswith("/trap/repeat/"):
            n = int(path.rsplit("/", 1)[-1].split(".")[0])
            items = [(f"/trap/soft404-{i}.html", f"法治政府建设情况报告{i}") for i in range(5)]
            _send(handler, 200, _listing(items, f"/trap/repeat/{n + 1}.html"))
        elif path.startswith("/trap/session/list.html"):
            session = hashlib.md5(str(time.time_ns()).encode()).hexdigest()[:8]
            _send(handler, 200, _listing([("/trap/soft404-s.html", "法治政府建设情况报告（会话）")],
                                         f"/trap/session/list.html;jsessionid={session}"))
        else:
            _send(handler, 404, _page("404", "Not Found"))
        return True

    def inject_entries(self, html: bytes) -> bytes:
        """Put the trap entries at the top of the trap portal's listing."""
        items = "".join(f'<li><a href="{h}" title="{t}">{t}</a><span>2024-03-28</span></li>' for h, t in TRAP_ENTRIES)
        marker = b'<ul class="sw-list">'
        return html.replace(marker, marker + items.encode("utf-8"), 1) if marker in html else html


def _send(handler, status: int, body: bytes, headers: dict | None = None) -> None:
    handler.send_response(status)
    headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    for k, v in headers.items():
        handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    try:
        handler.wfile.write(body)
    except OSError:
        pass

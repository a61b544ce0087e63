"""A farm of N portals on loopback, one threaded server, one host name each.

Portal k is http://p<k>.farm.test:<port>/ and is one of four demo portal
families (trs with GBK pages, gkmlpt with its JSON API, next-page links by
file name and by query string), chosen round-robin. Its documents are the
demo documents of that family's portal with the government's name replaced
by portal k's own, and each report's middle paragraphs thinned in a way that
depends on k, so no two portals carry near-duplicate texts that a dedupe
stage would merge. Pages are rendered by the demo's own site classes, with
ETag and Last-Modified, so unchanged re-runs can be answered 304.

Host names resolve to 127.0.0.1 through Scrapy's resolver setting:

    -s TWISTED_DNS_RESOLVER=farm.FarmResolver    (DNS_RESOLVER before Scrapy renamed it)

with farm.py importable as `farm` — a folder holding only it (or a link to it)
on PYTHONPATH, not this folder, whose incremental.py would shadow the package
Twisted imports. The host names are not IP literals, so govlaw's address
guard lets them through as it would any public portal's.

so each portal is its own download slot, and CONCURRENT_REQUESTS_PER_DOMAIN
applies per portal as it does on the web.
"""
from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # this folder's incremental.py would shadow the package Twisted imports
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import dataclasses
import email.utils
import random
import re
import threading
import time
import traceback
from datetime import timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from govlaw.demo.catalog import load_documents, load_portals, page_count
from govlaw.demo.server import FAMILIES, Reply, _is_heading, _not_modified, _tail_start

DOMAIN = "farm.test"
# Template portal id -> the part of the government's name that portal k replaces.
FAMILY_PORTALS = {"yuanzhou": "袁州", "haizhou": "海州", "shanwei": "汕尾", "jxsft": "江西"}
_SYLLABLES = ("青溪云松石桥安平长宁永丰东阳西林南山北川金城玉泉清河白沙"
              "临江兴华德化定远新和宝龙凤台光明太嘉禾春润柳梧桐湘沅桂茂")


def district(k: int) -> str:
    """A two-character place name unique for k < len(_SYLLABLES)**2."""
    n = len(_SYLLABLES)
    return _SYLLABLES[k % n] + _SYLLABLES[(k // n) % n]


def host(k: int) -> str:
    return f"p{k:04d}.{DOMAIN}"


class FarmResolver(CachingThreadedResolver):
    """*.farm.test is 127.0.0.1; every other name is resolved as usual."""

    def getHostByName(self, name, timeout=()):
        if name == DOMAIN or name.endswith("." + DOMAIN):
            return defer.succeed("127.0.0.1")
        return super().getHostByName(name, timeout)


# ------------------------------------------------------------------ portals

class Farm:
    """The catalog of N portals: who they are, what they serve, where they start."""

    def __init__(self, n: int):
        self.n = n
        self.templates = {p.id: p for p in load_portals() if p.id in FAMILY_PORTALS}
        self.order = list(FAMILY_PORTALS)
        self.documents = load_documents()
        # Body paragraphs of every demo report, names of their governments left as they are.
        self.pool = [p for d in self.documents if d.is_report
                     for p in d.paragraphs[2:_tail_start(d.paragraphs)] if len(p) >= 60 and not _is_heading(p)]
        self._sites: dict[int, object] = {}
        self._lock = threading.Lock()
        self.port = 0

    def template(self, k: int):
        return self.templates[self.order[k % len(self.order)]]

    def base_url(self, k: int) -> str:
        return f"http://{host(k)}:{self.port}"

    def name(self, k: int) -> str:
        t = self.template(k)
        return t.name.replace(FAMILY_PORTALS[t.id], district(k))

    def _documents(self, k: int):
        """Portal k's documents: its family portal's, under k's name. A report keeps
        its opening paragraph, headings and closing; its other paragraphs are drawn, for each
        k, from the paragraphs of every demo report, so two portals' reports share
        little more than governments' reports from one template do (a dedupe stage
        must not merge them)."""
        t = self.template(k)
        old, new = FAMILY_PORTALS[t.id], district(k)
        rng = random.Random(f"farm-{k}")
        out = []
        for doc in self.documents:
            if t.id not in doc.portals:
                continue
            paras = doc.paragraphs
            if doc.is_report and len(paras) > 6:
                tail = _tail_start(paras)
                head = next((i + 1 for i, p in enumerate(paras) if len(p) >= 60), 2)  # through the opening
                paras = paras[:head] + [p if _is_heading(p) or len(p) < 60 else rng.choice(self.pool)
                                        for p in paras[head:tail]] + paras[tail:]
            paras = [p.replace(old, new) for p in paras]
            sub = lambda s: s.replace(old, new) if s else s  # noqa: E731
            out.append(dataclasses.replace(
                doc, title=sub(doc.title), publisher=sub(doc.publisher), recipient=sub(doc.recipient),
                doc_number=sub(doc.doc_number), paragraphs=paras, body="\n\n".join(paras), portals=[t.id]))
        return out

    def site(self, k: int):
        with self._lock:
            site = self._sites.get(k)
            if site is None:
                t = self.template(k)
                portal = dataclasses.replace(t, name=self.name(k), host_unit=self.name(k) + "办公室")
                site = FAMILIES[t.family](portal, self._documents(k), self.base_url(k), {t.id: portal})
                self._sites[k] = site
            return site

    def source(self, k: int) -> dict:
        """Portal k as an entry of govlaw's sources file."""
        t = self.template(k)
        return {"id": f"p{k:04d}", "name": self.name(k), "start_urls": [self.base_url(k) + t.start_path],
                "template": "auto"}

    def stock_start_urls(self, k: int) -> list[str]:
        """Where a stock spider starts on portal k: every listing page (or its
        JSON API), since trs page counts live only in a script."""
        t, base = self.template(k), self.base_url(k)
        pages = page_count(t, len(self.site(k).docs))
        if t.family == "trs":
            return [base + t.column_path + ("index.html" if i == 0 else f"index_{i}.html") for i in range(pages)]
        if t.family == "gkmlpt":
            return [base + f"/gkmlpt/api/all/{t.params['catid']}?page=1&sid={t.params['sid']}"]
        if t.params.get("paging") == "query":
            return [base + t.column_path + f"list.html?page={i + 1}" for i in range(pages)]
        return [base + t.column_path + ("index.html" if i == 0 else f"index_{i + 1}.html") for i in range(pages)]


# ------------------------------------------------------------------- server

_HOST = re.compile(r"p(\d{4,})\." + re.escape(DOMAIN) + r"(?::\d+)?$", re.I)


class _Handler(BaseHTTPRequestHandler):
    timeout = 30

    def version_string(self):
        return "nginx"

    def do_GET(self):
        self._serve("GET")

    def do_HEAD(self):
        self._serve("HEAD")

    def do_POST(self):
        self._serve("POST")

    def _serve(self, method):
        server: FarmServer = self.server
        size = self.headers.get("Content-Length", "0")
        form = self.rfile.read(int(size)) if size.isdigit() and int(size) > 0 else b""
        m = _HOST.match(self.headers.get("Host", ""))
        k = int(m.group(1)) if m else -1
        if 0 <= k < server.farm.n:
            try:
                reply = server.farm.site(k).handle("POST" if method == "POST" else "GET", self.path, form)
            except Exception:
                traceback.print_exc()
                reply = Reply(500, b"Internal Server Error")
        else:
            reply = Reply(404, b"no such portal")
        headers = {"Content-Type": reply.ctype, **reply.headers}
        if reply.etag:
            headers["ETag"] = reply.etag
        if reply.modified is not None:
            headers["Last-Modified"] = email.utils.format_datetime(reply.modified.astimezone(timezone.utc), usegmt=True)
        status = reply.status
        if method != "POST" and status == 200 and _not_modified(self.headers, reply):
            status = 304
        body = b"" if status == 304 or method == "HEAD" else reply.body
        self.send_response(status)
        for key, value in headers.items():
            if status != 304 or key != "Content-Type":
                self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        server.count(status, len(body), k, f"{method} {self.path}")

    def log_message(self, fmt, *args):
        pass


class FarmServer(ThreadingHTTPServer):
    """Serves a Farm on 127.0.0.1; counts requests, bytes and the moment of the last response."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, n: int, port: int = 0):
        self.farm = Farm(n)
        super().__init__(("127.0.0.1", port), _Handler)
        self.farm.port = self.server_address[1]
        self._count_lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._count_lock:
            self.requests, self.bytes, self.not_modified = 0, 0, 0
            self.first = self.last = None  # time.monotonic() of the first and last response
            self.hosts: set = set()
            self.served: list = []  # (portal k, "METHOD path", status) of every answer, in order

    def count(self, status: int, size: int, k: int, asked: str = ""):
        now = time.monotonic()
        with self._count_lock:
            self.requests += 1
            self.bytes += size
            self.not_modified += status == 304
            self.first = self.first or now
            self.last = now
            self.hosts.add(k)
            self.served.append((k, asked, status))

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def __enter__(self):
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=2)


def smoke(n: int = 8) -> None:
    """Fetch every start page of a small farm by its host name (a quick check)."""
    import http.client
    with FarmServer(n) as server:
        for k in range(n):
            for url in server.farm.stock_start_urls(k):
                path = url.split(str(server.farm.port), 1)[1]
                conn = http.client.HTTPConnection("127.0.0.1", server.farm.port)
                conn.request("GET", path, headers={"Host": f"{host(k)}:{server.farm.port}"})
                r = conn.getresponse()
                print(k, r.status, len(r.read()), url)
        print([d.title for d in server.farm.site(5).docs])


if __name__ == "__main__":
    smoke()

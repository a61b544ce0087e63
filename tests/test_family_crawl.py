"""The listing examples of tests/listings served as portals on loopback and
crawled by the real engine: the requests a family needs — a column id read
from the URL fragment, a POST form declared by the page, a JSON API with its
page parameter inside paramJson — must leave the spider as the real site's
own script would send them."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from conftest import crawl

LISTINGS = Path(__file__).parent / "listings"
TYPES = {"html": "text/html; charset=utf-8", "json": "application/json; charset=utf-8",
         "xml": "text/xml; charset=utf-8"}
PAGE_FILES = {"html": "page.html", "json": "page.json", "xml": "page.xml"}
# Each portal: the example whose address starts it, and the examples that answer its later requests.
PORTALS = {
    "gkmlpt": ["gkmlpt_shell_fragment", "gkmlpt_api_first", "gkmlpt_api_last"],
    "hanweb": ["hanweb_datastore_jpage", "hanweb_dataproxy_xml"],
    "jpaas": ["jpaas_unit_shell", "jpaas_unit_answer"],
}


def request_key(path_and_query: str) -> tuple:
    parts = urlsplit(path_and_query)
    return parts.path, tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))


class _Portal(BaseHTTPRequestHandler):
    pages: dict = {}
    log: list = []

    def _answer(self, form: dict | None):
        key = request_key(self.path)
        self.log.append((self.command, key, form))
        if self.path == "/robots.txt" or key not in self.pages and key[0] not in self.pages:
            body, ctype, status = b"not found", "text/plain", 404
        else:
            (body, ctype), status = self.pages.get(key) or self.pages[key[0]], 200
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self._answer(None)

    def do_POST(self):  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        self._answer(dict(parse_qsl(raw, keep_blank_values=True)))

    def log_message(self, *args):
        pass


def example(name: str) -> tuple[dict, dict, bytes]:
    folder = LISTINGS / name
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return meta, expected, (folder / PAGE_FILES[meta["kind"]]).read_bytes()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages, sources = {}, []
    for portal, names in PORTALS.items():
        for i, name in enumerate(names):
            meta, _, body = example(name)
            parts = urlsplit(meta["url"])
            key = request_key(parts.path + ("?" + parts.query if parts.query else ""))
            # The proxy answers every window the same way; a shell answers at its path.
            pages[key if parts.query and meta["kind"] == "json" else key[0]] = (body, TYPES[meta["kind"]])
            if i == 0:
                start = base + parts.path + ("#" + parts.fragment if parts.fragment else "")
                sources.append({"id": portal, "name": portal, "start_urls": [start]})
    _Portal.pages, _Portal.log = pages, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = tmp_path_factory.mktemp("families")
    (root / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    result = crawl(root / "sources.yaml", root / "out")
    server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    return list(_Portal.log)


def expected_requests(name: str) -> list[tuple]:
    _, expected, _ = example(name)
    out = []
    for f in expected["follow"]:
        parts = urlsplit(f["url"])
        out.append((f["method"], request_key(parts.path + ("?" + parts.query if parts.query else "")),
                    f.get("formdata") or None))
    return out


@pytest.mark.parametrize("portal", sorted(PORTALS))
def test_family_requests_leave_the_spider_as_the_site_sends_them(crawled, portal):
    listing_requests = [r for r in crawled if r[0] == "POST" or "/api" in r[1][0] or "dataproxy" in r[1][0]
                        or r[1][0].endswith(("/index", "/index.html"))]
    # The loopback portal answers every later page like the first, so a walk
    # stops at the first repeat: the next request of each page is what it can check.
    for name in PORTALS[portal]:
        for want in expected_requests(name)[:1]:
            assert want in listing_requests, (name, want)


def test_gkmlpt_column_comes_from_the_fragment(crawled):
    api = [r for r in crawled if r[1][0].startswith("/gkmlpt/api/")]
    assert api == [("GET", ("/gkmlpt/api/all/2806", (("page", "1"), ("sid", "749001"))), None),
                   ("GET", ("/gkmlpt/api/all/2806", (("page", "2"), ("sid", "749001"))), None)]


def test_hanweb_windows_are_posted_with_the_declared_form(crawled):
    posts = [r for r in crawled if r[0] == "POST"]
    assert [dict(r[1][1]) for r in posts] == [
        {"startrecord": "25", "endrecord": "48", "perpage": "8"}, {"startrecord": "49", "endrecord": "72", "perpage": "8"}]
    assert posts[0][2]["sourceContentType"] == "1" and posts[0][2]["columnid"] == "11032"

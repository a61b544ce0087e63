"""Discovery through the real engine: a portal given by its home page only,
served on loopback from the example pages of tests/discovery and
tests/listings (云溪县: home → 法定主动公开内容 → 法治政府建设年度报告, a TRS
column), crawled twice. The first run finds the column within its budget;
the second walks the remembered column and spends nothing on discovery; a
remembered column that is gone sends the portal back to discovery."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import crawl

TESTS = Path(__file__).parent
COLUMN = "/zwgk/fdzdgknr/fzzfjsndbg/"
PAGES = {
    "/": TESTS / "discovery" / "home_nav_zwgk" / "page.html",
    "/zwgk/fdzdgknr/": TESTS / "discovery" / "catalog_fdzdgknr_30" / "page.html",
    COLUMN: TESTS / "listings" / "trs_createpagehtml_html" / "page.html",
}


class _Portal(BaseHTTPRequestHandler):
    pages: dict = {}
    log: list = []
    # The example pages link their real-looking hosts; on loopback the portal
    # is this server and the justice bureau's host a closed port (never the network).
    hosts: dict = {}

    def do_GET(self):  # noqa: N802
        path = self.path.split("?", 1)[0]
        path = path[: -len("index.html")] if path.endswith("/index.html") else path
        if path != "/robots.txt":
            self.log.append(path)
        page = self.pages.get(path)
        body = page.read_bytes() if page else b"not found"
        for real, local in self.hosts.items():
            body = body.replace(real.encode(), local.encode())
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8" if page else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def summary(output: Path) -> dict:
    latest = sorted((output / "runs").glob("*.json"))[-1]
    return json.loads(latest.read_text(encoding="utf-8"))["portals"]["yunxi"]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    _Portal.pages, _Portal.log = dict(PAGES), []
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Portal.hosts = {"http://www.yunxi.gov.cn": base, "http://sfj.yunxi.gov.cn": "http://127.0.0.1:9"}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = tmp_path_factory.mktemp("discovery")
    sources = root / "sources.yaml"
    sources.write_text(yaml.safe_dump([{"id": "yunxi", "name": "云溪县人民政府", "region_code": "431127",
                                        "home_url": f"http://127.0.0.1:{server.server_address[1]}/"}],
                                      allow_unicode=True), encoding="utf-8")
    yield sources, root / "out"
    server.shutdown()


@pytest.fixture(scope="module")
def runs(portal):
    sources, output = portal
    out = []
    for _ in range(2):
        _Portal.log.clear()
        result = crawl(sources, output)
        assert result.returncode == 0, result.stderr[-3000:]
        out.append((summary(output), list(_Portal.log)))
    return out


def test_first_run_finds_the_column_from_the_home_page(runs):
    counts, log = runs[0]
    assert counts["found_via"] == "navigation" and counts["flag"] is None
    assert log[:2] == ["/", "/zwgk/fdzdgknr/"] and COLUMN in log
    # home and 法定主动公开内容 lead to the column; after it, at most three more steps look for siblings
    discovery = [p for p in log if not p.startswith(COLUMN) and "/t20" not in p]
    assert counts["discovery_requests"] == len(discovery) == 2 + 3
    assert counts["not_read"]["discovery:http:404"] == 3 and counts["listing_pages"] == 1


def test_unchanged_rerun_spends_nothing_on_discovery(runs):
    counts, log = runs[1]
    assert (counts["found_via"], counts["discovery_requests"]) == ("remembered", 0)
    assert "/" not in log and "/zwgk/fdzdgknr/" not in log
    assert COLUMN in log


def test_a_column_gone_is_discovered_again(portal, runs):
    sources, output = portal
    _Portal.pages.pop(COLUMN)
    _Portal.log.clear()
    result = crawl(sources, output)
    _Portal.pages[COLUMN] = PAGES[COLUMN]
    assert result.returncode == 0, result.stderr[-3000:]
    counts = summary(output)
    # the remembered column answered 404: back to the home page, in the same run
    pages = [p for p in _Portal.log if "/t20" not in p]  # known documents are asked for as well
    assert pages[:2] == [COLUMN, "/"]
    assert counts["discovery_requests"] >= 2

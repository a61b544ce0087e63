"""Retry delays, address guard, session ids, and chrome changes that are no
correction; and the politeness of a real crawl, measured at a loopback portal."""
from __future__ import annotations

import email.utils
import html
import json
from pathlib import Path

import pytest
import yaml
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import Settings

from conftest import crawl, read_jsonl
from govlaw import normalize
from govlaw.extract import extract_html
from govlaw.middleware import AddressGuardMiddleware, BackoffRetryMiddleware, retry_after_seconds
from govlaw.sources import Portal
from govlaw.urls import strip_session
from loopback import LoopbackPortal, Reply


def test_retry_after_in_seconds_and_as_a_date():
    assert retry_after_seconds(b"120") == 120.0
    when = email.utils.format_datetime(email.utils.localtime().replace(microsecond=0), usegmt=False)
    assert retry_after_seconds(when, now=email.utils.parsedate_to_datetime(when).timestamp() - 30) == 30.0
    assert retry_after_seconds(b"soon") is None


def test_backoff_doubles_and_honours_retry_after_up_to_the_cap():
    mw = BackoffRetryMiddleware(Settings({"RETRY_ENABLED": True, "RETRY_TIMES": 3, "RETRY_HTTP_CODES": [503],
                                          "RETRY_PRIORITY_ADJUST": -1, "GOVLAW_RETRY_BASE_DELAY": 2.0,
                                          "GOVLAW_RETRY_MAX_DELAY": 60.0, "RETRY_EXCEPTIONS": []}))
    delays = [mw.delay_for(Request("http://x/", meta={"retry_times": n})) for n in range(4)]
    for n, d in enumerate(delays):
        assert 2.0 * 2 ** n * 0.8 <= d <= 2.0 * 2 ** n * 1.2
    asked = Response("http://x/", status=429, headers={"Retry-After": "7"})
    assert mw.delay_for(Request("http://x/"), asked) == 7.0
    greedy = Response("http://x/", status=429, headers={"Retry-After": "86400"})
    assert mw.delay_for(Request("http://x/"), greedy) == 60.0


class _Crawler:
    def __init__(self, portals):
        self.spider = type("S", (), {"portals": portals})()


def test_private_addresses_are_refused_unless_a_portal_lives_there():
    public = Portal("p", "P", ("https://www.example.gov.cn/",), hosts=frozenset({"www.example.gov.cn"}))
    local = Portal("l", "L", ("http://127.0.0.1:8080/",), hosts=frozenset({"127.0.0.1:8080"}))
    guard = AddressGuardMiddleware(_Crawler([public]))
    for url in ("http://10.1.2.3/a.html", "http://127.0.0.1:8080/a", "http://192.168.0.1/", "http://localhost/",
                "http://[::1]/", "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(IgnoreRequest):
            guard.process_request(Request(url))
    assert guard.process_request(Request("https://www.example.gov.cn/a.html")) is None
    assert AddressGuardMiddleware(_Crawler([local])).process_request(Request("http://127.0.0.1:8080/a")) is None


def test_session_ids_are_stripped():
    assert strip_session("http://x.gov.cn/list.jsp;jsessionid=ABC123?page=2") == "http://x.gov.cn/list.jsp?page=2"
    assert strip_session("http://x.gov.cn/a.php?PHPSESSID=9&id=4") == "http://x.gov.cn/a.php?id=4"
    assert strip_session("http://x.gov.cn/api?sid=755&page=1") == "http://x.gov.cn/api?sid=755&page=1"


def test_chrome_changes_are_no_correction():
    page = sorted((Path(__file__).parent / "examples" / "ucap").glob("*.html"))[0]
    gold = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    original = page.read_bytes()
    changed = (original.replace("网站标识码".encode(), "网站标识码 （2026年改版）".encode())
               .replace(b"</body>", "<div class='visits'>访问量：98765 今天是：2026年1月1日 星期四</div></body>".encode()))
    assert "（2026年改版）".encode() in changed and "访问量：98765".encode() in changed
    a, b = extract_html(original, gold["url"]), extract_html(changed, gold["url"])
    assert a.body == b.body == gold["body"]
    assert normalize.content_hash(a.body) == normalize.content_hash(b.body)


# -- a real crawl, timed at the portal --------------------------------------------

GOLD = (Path(__file__).parent / "fixtures" / "attachments" / "report_text.txt").read_text(encoding="utf-8").strip()
TITLE = "清河县人民政府关于2023年度法治政府建设情况的报告"


def _report_page(title: str = TITLE) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in GOLD.split("\n\n"))
    return (f'<html><head><meta charset="utf-8"><title>{title}</title><meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="2024-03-28"></head><body><h1>{title}</h1>'
            f'<div class="content">{body}</div></body></html>')


LOOKALIKE = "清河县人民政府2023年政府信息公开工作年度报告"
LOOKALIKE_PAGE = (f'<html><head><meta charset="utf-8"><title>{LOOKALIKE}</title></head><body><h1>{LOOKALIKE}</h1>'
                  '<div class="content"><p>本报告由清河县人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制。</p>'
                  '<p>一、总体情况</p><p>2023年，清河县认真贯彻落实政府信息公开工作要求，主动公开政府信息1200条。</p>'
                  '</div></body></html>')


def _listing(links: list) -> str:
    links = [(link, TITLE) if isinstance(link, str) else link for link in links]
    items = "".join(f'<li><a href="{href}">{title}</a><span>2024-03-28</span></li>' for href, title in links)
    return f'<html><head><meta charset="utf-8"><title>法治政府建设年度报告</title></head><body><ul>{items}</ul></body></html>'


def _sources(tmp_path, base: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump([{"id": "qinghe", "name": "清河县人民政府", "start_urls": [base + "/list.html"],
                                     "region_code": "130123"}], allow_unicode=True), encoding="utf-8")
    return path


DELAY = 0.3


def test_a_real_crawl_spaces_its_requests_and_honours_retry_after(tmp_path):
    """The politeness settings and govlaw's retry middleware in a real Scrapy
    crawl: every request to the host at least DOWNLOAD_DELAY x 0.5 (Scrapy's
    randomisation) after the one before; a 429's Retry-After waited for; a
    503 without one backed off by GOVLAW_RETRY_BASE_DELAY; a Retry-After of an
    hour capped at GOVLAW_RETRY_MAX_DELAY; robots.txt obeyed; one User-Agent
    naming govlaw."""
    pages = ["/a.html", "/b.html", "/c.html", "/d.html"]

    def route(path, headers, seen):
        if path == "/robots.txt":
            return Reply(200, "User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
        if path == "/list.html":
            if seen == 0:
                return Reply(429, "访问过于频繁", {"Retry-After": "1"})
            return Reply(200, _listing(pages + ["/private/e.html"]))
        if path == "/a.html" and seen == 0:
            return Reply(503, "busy")
        if path == "/b.html" and seen == 0:
            return Reply(503, "busy", {"Retry-After": "3600"})
        if path in pages:
            return Reply(200, _report_page())
        return Reply(404, "not found")

    with LoopbackPortal(route) as portal:
        result = crawl(_sources(tmp_path, portal.base), tmp_path / "out",
                       "-s", f"DOWNLOAD_DELAY={DELAY}", "-s", "AUTOTHROTTLE_ENABLED=1",
                       "-s", f"AUTOTHROTTLE_START_DELAY={DELAY}", "-s", "GOVLAW_RETRY_BASE_DELAY=0.5",
                       "-s", "GOVLAW_RETRY_MAX_DELAY=2")
        log = portal.log
    assert result.returncode == 0, result.stderr[-3000:]
    paths = [p for _, p, _ in log]
    assert sorted(paths) == sorted(["/robots.txt", "/list.html", "/list.html", "/a.html", "/a.html", "/b.html",
                                    "/b.html", "/c.html", "/d.html"])  # /private/ never asked for
    arrivals = [t for t, _, _ in log]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert min(gaps) >= DELAY * 0.5 - 0.02, gaps

    def retry_gap(path):
        first, second = [t for t, p, _ in log if p == path]
        return second - first

    # A retry waits for its delay, then for its turn at the host (up to DELAY x 1.5 more).
    slack = DELAY * 1.5 + 0.15
    assert 1.0 <= retry_gap("/list.html") < 1.0 + slack  # Retry-After: 1
    assert 0.5 * 0.8 <= retry_gap("/a.html") < 0.5 * 1.2 + slack  # no Retry-After: GOVLAW_RETRY_BASE_DELAY ±20%
    assert 2.0 <= retry_gap("/b.html") < 2.0 + slack  # Retry-After: 3600, capped at GOVLAW_RETRY_MAX_DELAY
    ua = {h.get("User-Agent") for _, _, h in log}
    assert len(ua) == 1 and ua.pop().startswith("govlaw/")


def test_session_ids_in_links_match_known_pages(tmp_path):
    """A listing whose links carry a fresh session id on every visit: the second
    run knows the pages — asks for the reports with their validators (304s),
    not at all for the look-alike it has judged — and the record keeps one
    address per page, without the session id."""
    visits = {"n": 0}

    def route(path, headers, seen):
        if path == "/robots.txt":
            return Reply(404, "")
        if path == "/list.html":
            visits["n"] += 1
            token = f"{visits['n']:04d}a8f5f167f44f4964e6c998dee8"
            return Reply(200, _listing([f"/a.php?PHPSESSID={token}&id=7", f"/b.jsp;jsessionid={token}?id=8",
                                        f"/c.php?id=9&sid={token}", (f"/z.php?PHPSESSID={token}&id=1", LOOKALIKE)]))
        if path.startswith("/z.php"):
            return Reply(200, LOOKALIKE_PAGE)
        if path.startswith(("/a.php", "/b.jsp", "/c.php")):
            etag = '"v1"'
            if headers.get("If-None-Match") == etag:
                return Reply(304, b"", {"ETag": etag})
            return Reply(200, _report_page(), {"ETag": etag})
        return Reply(404, "not found")

    with LoopbackPortal(route) as portal:
        sources = _sources(tmp_path, portal.base)
        first = crawl(sources, tmp_path / "out")
        mark = len(portal.log)
        second = crawl(sources, tmp_path / "out")
        log = portal.log
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    asked = [p for _, p, _ in log if p != "/robots.txt"]
    # Requests never carry the session id.
    assert not [p for p in asked if "sessid" in p.lower() or "sid=" in p]
    assert [p for _, p, _ in log[:mark] if p.startswith("/z.php")] == ["/z.php?id=1"]
    documents = [(p, h) for _, p, h in log[mark:] if p.startswith(("/a.php", "/b.jsp", "/c.php", "/z.php"))]
    assert sorted(p for p, _ in documents) == ["/a.php?id=7", "/b.jsp?id=8", "/c.php?id=9"]
    assert all(h.get("If-None-Match") == '"v1"' for _, h in documents)  # known pages, asked conditionally
    [report] = read_jsonl(tmp_path / "out" / "reports.jsonl")
    assert sorted(u.split("/", 3)[-1] for u in report["urls"]) == ["a.php?id=7", "b.jsp?id=8", "c.php?id=9"]


def test_a_retry_waiting_for_its_time_holds_no_download_place(tmp_path):
    """Two portals on two hosts (two download slots) and CONCURRENT_REQUESTS=2:
    portal A answers its two listings 503 with Retry-After: 3 at first. While
    A's two retries wait they hold no place, so portal B's listing and its 10
    reports are all fetched before A is asked again; and A is asked again no
    earlier than 3 s after each 503, timed at A."""
    a_lists = ["/list1.html", "/list2.html"]
    b_pages = [f"/r{i}.html" for i in range(10)]
    titles = {p: f"清河县人民政府关于{2014 + i}年度法治政府建设情况的报告" for i, p in enumerate(b_pages)}

    def route_a(path, headers, seen):
        if path in a_lists:
            return Reply(503, "busy", {"Retry-After": "3"}) if seen == 0 else Reply(200, _listing([]))
        return Reply(404, "not found")

    def route_b(path, headers, seen):
        if path == "/list.html":
            return Reply(200, _listing([(p, titles[p]) for p in b_pages]))
        if path in titles:
            return Reply(200, _report_page(titles[path]))
        return Reply(404, "not found")

    with LoopbackPortal(route_a) as a, LoopbackPortal(route_b, host="127.0.0.2") as b:
        sources = tmp_path / "sources.yaml"
        sources.write_text(yaml.safe_dump([
            {"id": "busy", "name": "甲县人民政府", "start_urls": [a.base + p for p in a_lists], "region_code": "130123"},
            {"id": "free", "name": "清河县人民政府", "start_urls": [b.base + "/list.html"], "region_code": "130124"},
        ], allow_unicode=True), encoding="utf-8")
        result = crawl(sources, tmp_path / "out", "-s", "CONCURRENT_REQUESTS=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
        a_log, b_log = a.log, b.log
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p for _, p, _ in b_log if p in titles) == sorted(b_pages)
    retries = []
    for path in a_lists:
        first, second = [t for t, p, _ in a_log if p == path]
        assert 3.0 <= second - first < 5.0, (path, second - first)  # Retry-After: 3, then its turn
        retries.append(second)
    assert max(t for t, _, _ in b_log) < min(retries), (b_log, a_log)  # B finished while A waited

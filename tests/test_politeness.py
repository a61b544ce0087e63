"""Retry delays, address guard, session ids, and chrome changes that are no correction."""
from __future__ import annotations

import email.utils
import json
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import Settings

from govlaw import normalize
from govlaw.dedupe import strip_session
from govlaw.extract import extract_html
from govlaw.middleware import AddressGuardMiddleware, BackoffRetryMiddleware, retry_after_seconds
from govlaw.sources import Portal


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

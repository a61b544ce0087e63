"""What Scrapy keeps per host is let go once the run is done with the host
(govlaw/hosts.py): robots.txt parsers, idle download slots, idle connections."""
from __future__ import annotations

import re
import subprocess
import sys

from scrapy.core.downloader import Slot
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from govlaw.hosts import FinishedHostsRelease
from govlaw.sources import Portal
from tests.conftest import ROOT


def _stat(stderr: str, key: str) -> int | None:
    found = re.search(rf"'{re.escape(key)}': (\d+)", stderr)
    return int(found.group(1)) if found else None


def test_a_crawl_drops_each_portals_robots_parser_and_the_last_slot(demo_crawl):
    """The five demo portals: five host:port pairs, one host name. Each
    portal's robots.txt parser goes at its commit, fetched once; the slot of
    127.0.0.1 only when the last portal naming it is committed."""
    _, result = demo_crawl
    assert _stat(result.stderr, "robotstxt/request_count") == 5
    assert _stat(result.stderr, "govlaw/hosts/robots_parsers_dropped") == 5
    assert _stat(result.stderr, "govlaw/hosts/download_slots_dropped") == 1


class _Downloader:
    """The Downloader's parts the extension reads: its slots and middlewares."""

    def __init__(self, middlewares):
        self.slots: dict[str, Slot] = {}
        self.middleware = type("Middlewares", (), {"middlewares": middlewares})()


def test_a_host_named_by_a_portal_under_way_keeps_its_parser_and_slot():
    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
    robots = RobotsTxtMiddleware(crawler)
    crawler.engine = type("Engine", (), {"downloader": _Downloader([robots])})()
    ext = FinishedHostsRelease(crawler)
    portals = [Portal(id="city", name="市", start_urls=("http://www.city.gov.cn/a/",),
                      hosts=frozenset({"www.city.gov.cn"})),
               Portal(id="dept", name="局", start_urls=("http://www.city.gov.cn/b/",),
                      hosts=frozenset({"www.city.gov.cn", "sfj.city.gov.cn:8080"})),
               Portal(id="other", name="县", start_urls=("http://xian.gov.cn/",), hosts=frozenset({"xian.gov.cn"}))]
    ext.spider_opened(type("Spider", (), {"portals": portals})())
    slots = crawler.engine.downloader.slots
    for name in ("www.city.gov.cn", "sfj.city.gov.cn", "xian.gov.cn"):
        slots[name] = Slot(concurrency=2, delay=1.0)
    robots._parsers.update({"www.city.gov.cn": None, "sfj.city.gov.cn:8080": None, "xian.gov.cn": Deferred()})
    crawler.stats.open_spider()

    ext.portal_finished("city")          # dept still names www.city.gov.cn
    assert set(robots._parsers) == {"www.city.gov.cn", "sfj.city.gov.cn:8080", "xian.gov.cn"}
    assert set(slots) == {"www.city.gov.cn", "sfj.city.gov.cn", "xian.gov.cn"}

    slots["sfj.city.gov.cn"].active.add(object())   # a request still under way there
    ext.portal_finished("dept")
    assert set(robots._parsers) == {"xian.gov.cn"}
    assert set(slots) == {"sfj.city.gov.cn", "xian.gov.cn"}

    ext.portal_finished("other")         # its robots.txt still being fetched: kept
    assert set(robots._parsers) == {"xian.gov.cn"} and set(slots) == {"sfj.city.gov.cn"}
    assert crawler.stats.get_value("govlaw/hosts/robots_parsers_dropped") == 2
    assert crawler.stats.get_value("govlaw/hosts/download_slots_dropped") == 2
    assert not ext.by_netloc and not ext.by_name and not ext.hosts_of


def test_idle_connections_are_let_go_sooner():
    """govlaw's settings name its handler for http and https; its pool lets
    idle connections go after GOVLAW_IDLE_CONNECTION_TIMEOUT seconds. (In a
    process of its own: the handler needs an installed reactor.)"""
    code = """
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler
from scrapy.utils.misc import load_object
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
settings = Settings(); settings.setmodule("govlaw.settings", priority="project")
settings.set("GOVLAW_IDLE_CONNECTION_TIMEOUT", 7.5)
crawler = get_crawler(settings_dict=settings.copy_to_dict())
names = {load_object(settings["DOWNLOAD_HANDLERS"][s]).__name__ for s in ("http", "https")}
handler = load_object(settings["DOWNLOAD_HANDLERS"]["http"])(crawler)
print(sorted(names), handler._pool.cachedConnectionTimeout, handler._pool.maxPersistentPerHost)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    per_domain = Settings()
    per_domain.setmodule("govlaw.settings")
    assert result.stdout.split("\n")[-2] == (f"['PortalHTTPDownloadHandler'] 7.5 "
                                             f"{per_domain.getint('CONCURRENT_REQUESTS_PER_DOMAIN')}")

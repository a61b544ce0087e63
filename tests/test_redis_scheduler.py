"""A distributed worker's scheduler on a real Redis server: scrapy-redis'
queue and duplicate filter per portal, requests served in turn, live
arguments handed back whole, a dead worker's queue dropped, Redis gone."""
from __future__ import annotations

import redis as redis_client
import scrapy
from scrapy.http import FormRequest, Request
from scrapy.utils.test import get_crawler

from govlaw.distributed.queue import portal_keys
from govlaw.distributed.scheduler import RedisPortalScheduler
from govlaw.portals import PORTAL
from govlaw.signals import portal_finished
from tests.servers import free_port


class _Spider(scrapy.Spider):
    name = "unit"

    def parse_listing(self, response, walk, page):
        pass

    def listing_failed(self, failure):
        pass


def _scheduler(url: str, prefix: str):
    crawler = get_crawler(_Spider, {"GOVLAW_REDIS_URL": url, "GOVLAW_REDIS_PREFIX": prefix})
    spider = _Spider.from_crawler(crawler)
    scheduler = RedisPortalScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return crawler, spider, scheduler


def _request(spider, portal: str, path: str, walk=None, priority: int = 0, **kw):
    return Request(f"http://{portal}.example/{path}", callback=spider.parse_listing, errback=spider.listing_failed,
                   cb_kwargs={"walk": walk, "page": len(path)}, meta={PORTAL: portal}, priority=priority, **kw)


def test_portals_are_served_in_turn_with_their_live_arguments(redis):
    url, _ = redis
    crawler, spider, scheduler = _scheduler(url, "turns")
    server = redis_client.Redis.from_url(url)
    walk_a, walk_b = ["shared by a's requests"], {"b": 1}
    for path in ("1", "2", "3"):
        assert scheduler.enqueue_request(_request(spider, "a", path, walk_a))
    assert scheduler.enqueue_request(_request(spider, "b", "1", walk_b, priority=-5))
    assert scheduler.enqueue_request(_request(spider, "b", "hi", walk_b, priority=5))
    assert not scheduler.enqueue_request(_request(spider, "a", "2", walk_a))       # seen: filtered
    assert scheduler.enqueue_request(_request(spider, "a", "2", walk_a, dont_filter=True))
    assert (dict(scheduler.held), len(scheduler)) == ({"a": 4, "b": 2}, 6)
    requests_a, seen_a = portal_keys("turns", "a")
    assert (server.zcard(requests_a), server.scard(seen_a)) == (4, 3)  # the queue and fingerprints live in Redis
    assert scheduler.parked and all(isinstance(v, tuple) for v in scheduler.parked.values())

    served = []
    while (request := scheduler.next_request()) is not None:
        served.append(request)
    # In turn, one request of each portal; a portal's own by priority (equal
    # priorities come in the sorted set's order, as in scrapy-redis).
    assert [r.meta[PORTAL] for r in served] == ["a", "b", "a", "b", "a", "a"]
    assert [r.url for r in served if r.meta[PORTAL] == "b"] == ["http://b.example/hi", "http://b.example/1"]
    assert sorted(r.url[-1] for r in served if r.meta[PORTAL] == "a") == ["1", "2", "2", "3"]
    assert all(r.cb_kwargs["walk"] is (walk_a if r.url.startswith("http://a.") else walk_b) for r in served)
    assert [r.cb_kwargs["page"] for r in served if r.meta[PORTAL] == "b"] == [2, 1]
    assert all(r.callback == spider.parse_listing and r.errback == spider.listing_failed for r in served)
    assert all("govlaw_parked" not in r.meta and r.meta[PORTAL] in "ab" for r in served)
    assert (dict(scheduler.held), scheduler.has_pending_requests(), scheduler.parked) == ({}, False, {})
    stats = crawler.stats.get_stats()
    assert (stats["scheduler/enqueued/redis"], stats["scheduler/dequeued/redis"], stats["dupefilter/filtered"]) \
        == (6, 6, 1)

    # A committed portal's keys go; the other's fingerprints stay until it is.
    crawler.signals.send_catch_log(portal_finished, portal="a")
    assert (server.exists(requests_a, seen_a), server.scard(portal_keys("turns", "b")[1])) == (0, 2)
    scheduler.close("finished")
    assert list(server.scan_iter("turns:*")) == []


def test_a_form_request_travels_whole(redis):
    url, _ = redis
    _, spider, scheduler = _scheduler(url, "forms")
    walk = object()
    sent = FormRequest("http://p.example/search", formdata={"q": "法治政府建设", "page": "2"},
                       callback=spider.parse_listing, cb_kwargs={"walk": walk, "page": 2}, meta={PORTAL: "p"})
    scheduler.enqueue_request(sent)
    back = scheduler.next_request()
    assert (type(back), back.method, back.body, back.headers[b"Content-Type"]) == \
        (FormRequest, "POST", sent.body, b"application/x-www-form-urlencoded")
    assert back.cb_kwargs == {"walk": walk, "page": 2} and back.cb_kwargs["walk"] is walk
    scheduler.close("finished")


def test_a_dead_workers_queue_is_dropped_by_the_next_leaseholder(redis):
    url, _ = redis
    _, dead_spider, dead = _scheduler(url, "takeover")
    for path in ("1", "2", "3"):
        dead.enqueue_request(_request(dead_spider, "p", path))
    # The worker dies: its queue and fingerprints stay in Redis, its parked arguments die with it.
    crawler, spider, scheduler = _scheduler(url, "takeover")
    assert scheduler.enqueue_request(_request(spider, "p", "1"))  # not filtered by the dead worker's fingerprints
    served = [scheduler.next_request(), scheduler.next_request()]
    assert [r and r.url for r in served] == ["http://p.example/1", None]
    assert crawler.stats.get_value("govlaw/distributed/requests_unknown") is None
    scheduler.close("finished")


def test_requests_lost_from_redis_let_their_portal_drain(redis):
    url, _ = redis
    crawler, spider, scheduler = _scheduler(url, "lost")
    for path in ("1", "2"):
        scheduler.enqueue_request(_request(spider, "p", path))
    scheduler.enqueue_request(_request(spider, "q", "1"))
    redis_client.Redis.from_url(url).delete(portal_keys("lost", "p")[0])  # as a restart without its data would
    assert [scheduler.next_request().url, scheduler.next_request()] == ["http://q.example/1", None]
    assert (dict(scheduler.held), scheduler.parked) == ({}, {})
    assert crawler.stats.get_value("govlaw/distributed/requests_lost") == 2
    scheduler.close("finished")


def test_requests_wait_in_the_worker_while_redis_cannot_be_reached():
    crawler, spider, scheduler = _scheduler(f"redis://127.0.0.1:{free_port()}/0", "down")
    walk = ["live"]
    first, second = _request(spider, "p", "1", walk), _request(spider, "p", "2", walk)
    assert scheduler.enqueue_request(first) and scheduler.enqueue_request(second)
    assert dict(scheduler.held) == {"p": 2} and scheduler.parked == {}
    assert [scheduler.next_request(), scheduler.next_request(), scheduler.next_request()] == [first, second, None]
    assert crawler.stats.get_value("scheduler/enqueued/worker") == 2
    scheduler.close("finished")  # nothing raised: the keys go when Redis is back, or with the next run

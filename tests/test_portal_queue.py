"""The queue of a distributed run's portals, on a real Redis server: leases,
renewals, expiry back to the queue, giving up, done."""
from __future__ import annotations

import time

from govlaw.distributed.queue import PortalQueue


def test_leases_expire_back_to_the_queue_and_are_given_up_after_max_leases(redis):
    url, _ = redis
    q = PortalQueue(url, prefix="unit", lease_seconds=0.3, max_leases=2)
    q.fill("r1", "- id: a\n", ["a", "b"])
    assert (q.run_id(), q.sources_text()) == ("r1", "- id: a\n")
    assert [q.lease("w1"), q.lease("w2"), q.lease("w3")] == ["a", "b", None]
    assert sorted(q.status()["leased"]) == ["a", "b"] and not q.finished()
    q.done("w2", "b")
    time.sleep(0.2)
    assert q.renew("w1", ["a"]) == 1 and q.renew("w2", ["a"]) == 0  # only the holder renews
    time.sleep(0.2)
    assert q.reap() == []                    # renewed in time
    time.sleep(0.4)
    assert q.reap() == ["a"]                 # w1 stopped renewing: back in the queue
    assert q.lease("w2") == "a" and q.tries("a") == 2
    time.sleep(0.4)
    assert q.reap() == []                    # leased twice already: given up, not queued again
    status = q.status()
    assert (status["queued"], status["leased"], status["done"], status["failed"]) == ([], {}, ["b"], ["a"])
    assert q.finished()
    assert q.claim_finish("w2") and not q.claim_finish("w3")


def test_status_counts_a_leased_portals_requests_and_a_new_run_drops_leftovers(redis):
    import redis as redis_client

    from govlaw.distributed.queue import portal_keys

    url, _ = redis
    r = redis_client.Redis.from_url(url)
    q = PortalQueue(url, prefix="left", lease_seconds=30)
    q.fill("r1", "", ["a", "b"])
    assert q.lease("w1") == "a"
    requests, seen = portal_keys("left", "a")
    r.zadd(requests, {b"one": 0, b"two": 0})
    r.sadd(seen, "f1", "f2", "f3")
    r.sadd(portal_keys("left", "gone")[1], "f")   # left by a worker that died in an earlier run
    assert {k: v for k, v in q.status()["leased"]["a"].items() if k in ("requests", "seen")} == \
        {"requests": 2, "seen": 3}
    q.fill("r2", "", ["a"])
    assert sorted(r.scan_iter("left:portal:*")) == []

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


def test_a_run_is_queued_from_the_registry(redis, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    url, _ = redis
    settings = ["-s", f"GOVLAW_REDIS_URL={url}", "-s", "GOVLAW_REDIS_PREFIX=registry",
                "-s", f"GOVLAW_OUTPUT_DIR={tmp_path}"]

    def govlaw(*args):
        return subprocess.run([sys.executable, "-m", "govlaw.cli", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)

    queued = govlaw("queue", "--registry", "--province", "江苏", *settings)
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.endswith(": 109 portals queued\n")
    q = PortalQueue(url, prefix="registry")
    assert (len(q.status()["queued"]), q.status()["queued"][0]) == (109, "gov-320000")
    assert q.sources_text().startswith("# 109 governments of the national registry (govlaw registry export --province 江苏).\n")
    both = govlaw("queue", "--registry", "-a", "sources=x.yaml", "--force", *settings)
    assert (both.returncode, both.stderr) == (
        2, "govlaw: give -a sources=FILE or --registry, and -s GOVLAW_REDIS_URL=redis://HOST:PORT/DB\n")

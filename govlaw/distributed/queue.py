"""The portals of a distributed run, as jobs in Redis that workers lease.

A worker leases a whole portal, so that per-host politeness holds across
workers: no two workers crawl one portal's host at once. It renews its
leases while it works; a lease not renewed within GOVLAW_LEASE_SECONDS (a
dead worker) is reaped by any worker and the portal goes back to the queue,
where the next worker resumes it from the state's journal of fetched
responses. A portal is done when its commit is in the state.

Keys, under a prefix (default "govlaw"):
  run        the run id (the state's run the workers commit to)
  sources    the sources file's text, which every worker reads its portals from
  queue      list of portal ids waiting
  leases     hash portal → JSON {worker, since, expires}
  done       set of portal ids committed
  tries      hash portal → how many times it was leased
  failed     set of portal ids whose workers died GOVLAW_MAX_LEASES times: given up
  portal:<id>:requests, portal:<id>:seen
             the leaseholder's scrapy-redis queue and fingerprints for the portal
             (govlaw.distributed.scheduler), deleted when the portal is committed
Each change is one Lua script, so two workers never lease one portal.
"""
from __future__ import annotations

import json
import time

_LEASE = """
local portal = redis.call('LPOP', KEYS[1])
if not portal then return nil end
redis.call('HSET', KEYS[2], portal, ARGV[1])
redis.call('HINCRBY', KEYS[3], portal, 1)
return portal
"""
_RENEW = """
local renewed = 0
for i = 3, #ARGV do
  local held = redis.call('HGET', KEYS[1], ARGV[i])
  if held then
    local lease = cjson.decode(held)
    if lease['worker'] == ARGV[1] then
      lease['expires'] = tonumber(ARGV[2])
      redis.call('HSET', KEYS[1], ARGV[i], cjson.encode(lease))
      renewed = renewed + 1
    end
  end
end
return renewed
"""
_RELEASE_DONE = """
local held = redis.call('HGET', KEYS[1], ARGV[2])
if held and cjson.decode(held)['worker'] == ARGV[1] then
  redis.call('HDEL', KEYS[1], ARGV[2])
end
redis.call('SADD', KEYS[2], ARGV[2])
return 1
"""
_REAP = """
local back = {}
local leases = redis.call('HGETALL', KEYS[1])
for i = 1, #leases, 2 do
  local lease = cjson.decode(leases[i + 1])
  if tonumber(lease['expires']) < tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[1], leases[i])
    if redis.call('SISMEMBER', KEYS[3], leases[i]) == 0 then
      if tonumber(redis.call('HGET', KEYS[4], leases[i]) or 0) >= tonumber(ARGV[2]) then
        redis.call('SADD', KEYS[5], leases[i])
      else
        redis.call('LPUSH', KEYS[2], leases[i])
        table.insert(back, leases[i])
      end
    end
  end
end
return back
"""


def portal_keys(prefix: str, portal: str) -> tuple[str, str]:
    """The Redis keys of a portal's request queue and of its fingerprints."""
    return f"{prefix}:portal:{portal}:requests", f"{prefix}:portal:{portal}:seen"


class PortalQueue:
    def __init__(self, redis_url: str, prefix: str = "govlaw", lease_seconds: float = 60.0, max_leases: int = 3):
        import redis

        self.r = redis.Redis.from_url(redis_url, decode_responses=True)
        self.prefix = prefix
        self.lease_seconds = lease_seconds
        self.max_leases = max_leases  # a portal whose worker died this often is given up: failed
        self._lease = self.r.register_script(_LEASE)
        self._renew = self.r.register_script(_RENEW)
        self._release_done = self.r.register_script(_RELEASE_DONE)
        self._reap = self.r.register_script(_REAP)

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # filling -----------------------------------------------------------------
    def fill(self, run_id: str, sources_text: str, portal_ids: list[str]) -> None:
        """A new run: its id, its sources and every portal in the queue."""
        pipe = self.r.pipeline(transaction=True)
        for name in ("run", "sources", "queue", "leases", "done", "tries", "failed"):
            pipe.delete(self.key(name))
        for leftover in self.r.scan_iter(self.key("portal:*"), count=1000):  # an earlier run's dead workers'
            pipe.delete(leftover)
        pipe.set(self.key("run"), run_id)
        pipe.set(self.key("sources"), sources_text)
        if portal_ids:
            pipe.rpush(self.key("queue"), *portal_ids)
        pipe.execute()

    def run_id(self) -> str | None:
        return self.r.get(self.key("run"))

    def sources_text(self) -> str | None:
        return self.r.get(self.key("sources"))

    # working -------------------------------------------------------------------
    def lease(self, worker: str) -> str | None:
        """The next portal, leased to `worker`; None when the queue is empty."""
        now = time.time()
        lease = json.dumps({"worker": worker, "since": now, "expires": now + self.lease_seconds})
        return self._lease(keys=[self.key("queue"), self.key("leases"), self.key("tries")], args=[lease])

    def renew(self, worker: str, portals) -> int:
        """Push back the expiry of `worker`'s leases on `portals`; how many it still held."""
        portals = list(portals)
        if not portals:
            return 0
        return int(self._renew(keys=[self.key("leases")], args=[worker, time.time() + self.lease_seconds, *portals]))

    def done(self, worker: str, portal: str) -> None:
        self._release_done(keys=[self.key("leases"), self.key("done")], args=[worker, portal])

    def reap(self) -> list[str]:
        """Portals whose lease has expired, put back in the queue."""
        return list(self._reap(keys=[self.key("leases"), self.key("queue"), self.key("done"), self.key("tries"),
                                     self.key("failed")], args=[time.time(), self.max_leases]))

    def tries(self, portal: str) -> int:
        return int(self.r.hget(self.key("tries"), portal) or 0)

    # reading -------------------------------------------------------------------
    def status(self) -> dict:
        leases = {p: json.loads(v) for p, v in self.r.hgetall(self.key("leases")).items()}
        for portal, lease in leases.items():
            requests, seen = portal_keys(self.prefix, portal)
            lease["requests"], lease["seen"] = self.r.zcard(requests), self.r.scard(seen)
        return {"run": self.run_id(), "queued": self.r.lrange(self.key("queue"), 0, -1), "leased": leases,
                "done": sorted(self.r.smembers(self.key("done"))),
                "failed": sorted(self.r.smembers(self.key("failed")))}

    def finished(self) -> bool:
        """Nothing queued and nothing leased."""
        return self.r.llen(self.key("queue")) == 0 and self.r.hlen(self.key("leases")) == 0

    def claim_finish(self, worker: str) -> bool:
        """One worker only finishes the run (withdrawals, the run marked finished)."""
        run = self.run_id()
        return bool(self.r.set(self.key(f"finishing:{run}"), worker, nx=True, ex=24 * 3600))

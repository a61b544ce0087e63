"""BrowserChallengeMiddleware: a real browser for the portals that demand one.

Some portals answer every client that runs no JavaScript with a script
challenge (govlaw.browser.challenge). When a portal's answer is one, its page
is loaded once in headless Chromium (govlaw.browser.pool), whose script earns
the cookies; the page the browser then gets is handed on as the answer, and
the cookies go into Scrapy's cookie jar, so the portal's next requests are
plain Scrapy requests again. Only when the challenge comes back does the
portal go through the browser again.

Bounded on every side: one browser, GOVLAW_BROWSER_MAX_PAGES pages at once,
GOVLAW_BROWSER_TIMEOUT seconds a page, one visit at a time per portal (its
other challenged requests wait, then go out plainly with the fresh cookies),
and a portal that fails GOVLAW_BROWSER_MAX_TRIES visits in a row is given up
for the run: its challenged answers go on to the spider as they are (reported
blocked:waf), and the run summary flags it "challenge not passed".

Per portal, the sources file's `browser:` chooses: auto (a challenge calls
the browser), always (every page through the browser) or never.

Stats: govlaw/browser/<what> for the run and govlaw/browser/<what>/<portal>
per portal; the portal's run summary counts browser_pages and says whether
its challenge was passed.
"""
from __future__ import annotations

import asyncio
import http.cookiejar
import logging
import time
from dataclasses import dataclass

from scrapy import signals
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from govlaw import signals as govlaw_signals
from govlaw.browser.challenge import is_script_challenge
from govlaw.browser.pool import BrowserPool

logger = logging.getLogger(__name__)

PORTAL = "govlaw_portal"           # request meta: the portal a request belongs to
GENERATION = "govlaw_browser_gen"  # request meta: how many passes its portal had when it went out
ROUNDS = "govlaw_browser_rounds"   # request meta: times it was sent again after a browser visit
MODES = ("auto", "always", "never")
STATS = "govlaw/browser"


@dataclass
class PortalBrowser:
    """What the run knows of one portal's challenge."""
    mode: str = "auto"
    visits: int = 0
    passes: int = 0
    failures_in_a_row: int = 0
    given_up: bool = False
    lock: asyncio.Lock | None = None


class BrowserChallengeMiddleware:
    def __init__(self, crawler, pool: BrowserPool, max_tries: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.pool = pool
        self.max_tries = max(1, max_tries)
        self.portals: dict[str, PortalBrowser] = {}     # portals under way
        self.modes: dict[str, str] | None = None         # portal → its sources' browser mode
        self.rss_max = 0

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("GOVLAW_BROWSER_ENABLED", True):
            raise NotConfigured
        pool = BrowserPool(settings.get("GOVLAW_BROWSER_EXECUTABLE") or "chromium",
                           max_pages=settings.getint("GOVLAW_BROWSER_MAX_PAGES", 2),
                           timeout=settings.getfloat("GOVLAW_BROWSER_TIMEOUT", 20.0),
                           max_reloads=settings.getint("GOVLAW_BROWSER_MAX_RELOADS", 5))
        mw = cls(crawler, pool, settings.getint("GOVLAW_BROWSER_MAX_TRIES", 3))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(mw.portal_finished, signal=govlaw_signals.portal_finished)
        return mw

    # -- which portal, which mode ---------------------------------------------------
    def _portal(self, request) -> tuple[str | None, PortalBrowser | None]:
        portal = request.meta.get(PORTAL)
        if portal is None:
            return None, None  # robots.txt and other requests of no portal: never the browser
        state = self.portals.get(portal)
        if state is None:
            if portal not in (self.modes or {}):   # read again: a distributed run leases portals as it goes
                self.modes = {p.id: getattr(p, "browser", "auto") for p in getattr(self.crawler.spider, "portals", ())}
            state = self.portals[portal] = PortalBrowser(mode=self.modes.get(portal, "auto"))
        return portal, state

    def portal_finished(self, portal, summary=None, done=None, total=None):
        """A committed portal's state goes: a national run has thousands."""
        self.portals.pop(portal, None)

    # -- the downloader middleware ------------------------------------------------------
    def process_request(self, request, spider=None):
        portal, state = self._portal(request)
        if state is None or state.mode == "never":
            return None
        request.meta.setdefault(GENERATION, state.passes)
        if state.mode == "always" and request.method == "GET" and not state.given_up and not request.meta.get(ROUNDS):
            return self._through_browser(portal, state, request, None)  # a coroutine: Scrapy awaits it
        return None

    def process_response(self, request, response, spider=None):
        portal, state = self._portal(request)
        if state is None or state.mode == "never" or "browser" in response.flags:
            return response
        if not is_script_challenge(response.status, response.body, response.headers.get(b"Content-Type")):
            return response
        self._inc("challenged", portal)
        if state.given_up:
            self._inc("given_up_requests", portal)
            return response
        if request.method != "GET":
            # A browser loads pages; a challenged form post is left as it is.
            self._inc("challenged_posts", portal)
            return response
        return self._through_browser(portal, state, request, response)

    # -- a visit --------------------------------------------------------------------------
    async def _through_browser(self, portal: str, state: PortalBrowser, request, response):
        if state.lock is None:
            state.lock = asyncio.Lock()
        async with state.lock:  # one visit at a time per portal
            if state.given_up:
                self._inc("given_up_requests", portal)
                return response if response is not None else self._again(request)
            rounds = request.meta.get(ROUNDS, 0)
            if response is not None and state.passes > request.meta.get(GENERATION, 0) and rounds < 1:
                # Another request earned fresh cookies while this one was out: send it again, plainly.
                self._inc("resent", portal)
                return self._again(request)
            state.visits += 1
            self._inc("visits", portal)
            counts = self._counts(portal)
            if counts is not None:
                counts.browser_pages += 1
            try:
                visit = await self.pool.visit(request.url, key=portal, user_agent=_user_agent(request))
            except Exception as exc:  # the browser itself failed: as a visit that did not pass
                logger.error("browser visit of %s failed: %s", request.url, exc)
                visit = None
            self._measure(visit)
            if visit is not None and visit.passed:
                return self._passed(portal, state, request, visit, met=response is not None or visit.challenges > 0)
            return self._not_passed(portal, state, request, response, visit)

    def _passed(self, portal, state, request, visit, met: bool):
        state.passes += 1
        state.failures_in_a_row = 0
        self._inc("passed", portal)
        counts = self._counts(portal)
        if counts is not None and met:  # `always` mode meets no challenge on most pages
            counts.challenge = "passed"
        self._keep_cookies(request, visit.cookies)
        logger.log(logging.INFO if met else logging.DEBUG,
                   "browser passed the challenge of %s after %d challenge answers (%.2f s, portal %s)",
                   request.url, visit.challenges, visit.seconds, portal)
        if visit.body is None:
            return self._again(request)  # a download: fetched plainly, with the cookies just earned
        headers = Headers(visit.headers)
        url = visit.final_url or request.url
        cls = responsetypes.from_args(headers=headers, url=url, body=visit.body)
        return cls(url=url, status=visit.status, headers=headers, body=visit.body, request=request,
                   flags=["browser"])

    def _not_passed(self, portal, state, request, response, visit):
        state.failures_in_a_row += 1
        self._inc("failed", portal)
        why = visit.reason if visit is not None else "browser error"
        logger.warning("browser did not pass the challenge of %s: %s (portal %s, %d of %d tries)",
                       request.url, why, portal, state.failures_in_a_row, self.max_tries)
        if state.failures_in_a_row >= self.max_tries and not state.given_up:
            state.given_up = True
            self._inc("portals_given_up")
            counts = self._counts(portal)
            if counts is not None:
                counts.challenge = "not passed"
            logger.warning("portal %s: challenge not passed in %d tries; its challenged pages are left unread "
                           "this run", portal, self.max_tries)
        if response is None:  # `always` mode: the page was never fetched plainly; fetch it so
            return self._again(request)
        return response

    # -- helpers --------------------------------------------------------------------------
    def _again(self, request):
        again = request.replace(dont_filter=True)
        again.meta[ROUNDS] = request.meta.get(ROUNDS, 0) + 1
        again.meta.pop(GENERATION, None)
        return again

    def _keep_cookies(self, request, cookies: list[dict]) -> None:
        """The browser's cookies into Scrapy's jar for the request's cookie
        jar, where CookiesMiddleware finds them for the portal's next requests."""
        jars = self._jars()
        if jars is None or not cookies:
            return
        jar = jars[request.meta.get("cookiejar")]
        for c in cookies:
            domain = c.get("domain") or ""
            expires = c.get("expires")
            expires = int(expires) if expires and expires > 0 else None
            jar.set_cookie(http.cookiejar.Cookie(
                0, c["name"], c["value"], None, False, domain, domain.startswith("."), domain.startswith("."),
                c.get("path") or "/", True, bool(c.get("secure")), expires, expires is None, None, None,
                {"HttpOnly": None} if c.get("httpOnly") else {}))
        self._inc("cookies_kept", request.meta.get(PORTAL), len(cookies))

    def _jars(self):
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        for mw in getattr(getattr(downloader, "middleware", None), "middlewares", ()):
            if isinstance(mw, CookiesMiddleware):
                return mw.jars
        return None

    def _counts(self, portal: str):
        journal = getattr(self.crawler.spider, "journal", None)
        return journal.count(portal) if journal is not None else None

    def _inc(self, what: str, portal: str | None = None, count: int = 1) -> None:
        self.stats.inc_value(f"{STATS}/{what}", count)
        if portal is not None:
            self.stats.inc_value(f"{STATS}/{what}/{portal}", count)

    def _measure(self, visit) -> None:
        if visit is not None:
            self.stats.inc_value(f"{STATS}/milliseconds", int(visit.seconds * 1000))
        rss = self.pool.rss_bytes()
        if rss > self.rss_max:
            self.rss_max = rss
            self.stats.set_value(f"{STATS}/rss_max_bytes", rss)

    async def spider_closed(self, spider=None, reason=None):
        if not self.pool.started:
            return
        self.stats.set_value(f"{STATS}/launches", self.pool.launches)
        began = time.monotonic()
        await self.pool.close()
        logger.info("browser closed (%.1f s); largest browser memory seen %.0f MiB", time.monotonic() - began,
                    self.rss_max / 2 ** 20)


def _user_agent(request) -> str | None:
    """The crawl's own User-Agent: the portal sees the same client in the
    browser and in the plain requests that carry its cookies."""
    value = request.headers.get(b"User-Agent")
    return value.decode("latin-1") if value else None

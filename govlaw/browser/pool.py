"""One headless Chromium, started on first need, shared by every portal
that needs it, and the visits it makes.

A visit opens the page, lets its script run and follows the reloads the
script starts, until an answer comes that is not a challenge (passed), the
challenge has come back too many times, or the time is up (not passed).
Each portal gets its own browser context, so the cookies a portal earned stay
with its later visits and never mix with another portal's.

Playwright is imported only when the browser starts: a crawl that meets no
challenge never loads it.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field

from govlaw.browser.challenge import CHALLENGE_STATUSES, is_script_challenge

logger = logging.getLogger(__name__)

# This machine's network is closed to Chromium's own background traffic (updates,
# sync, field trials, QUIC probes): switched off, so nothing waits on it.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# What a challenge page never needs to load to do its work.
_SKIPPED_RESOURCES = {"image", "media", "font", "stylesheet"}
# Response headers that described the bytes on the wire, not the decoded body handed on.
_WIRE_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


@dataclass
class Visit:
    url: str
    passed: bool
    status: int | None = None          # of the answer the visit ended on
    headers: list = field(default_factory=list)  # [(name, value)] of that answer
    body: bytes | None = None          # None when the browser could not hand it over (a download)
    final_url: str | None = None
    challenges: int = 0                # challenge answers seen on the way
    seconds: float = 0.0
    cookies: list = field(default_factory=list)  # the context's cookies for the page, as Playwright gives them
    reason: str | None = None          # why it did not pass


class BrowserPool:
    def __init__(self, executable: str, max_pages: int = 2, timeout: float = 20.0, max_reloads: int = 5):
        self.executable = executable
        self.max_pages = max(1, max_pages)
        self.timeout = timeout
        self.max_reloads = max_reloads
        self.launches = 0
        self._playwright = None
        self._browser = None
        self._contexts: dict = {}
        self._pages: asyncio.Semaphore | None = None
        self._starting: asyncio.Lock | None = None

    @property
    def started(self) -> bool:
        return self._browser is not None

    async def _start(self):
        if self._starting is None:
            self._starting = asyncio.Lock()
            self._pages = asyncio.Semaphore(self.max_pages)
        async with self._starting:  # two first visits at once still start one browser
            if self._browser is not None:
                return
            from playwright.async_api import async_playwright

            began = time.monotonic()
            self._playwright = await async_playwright().start()
            try:
                # launch() gives the browser a fresh, temporary user-data directory
                # of its own, removed when it closes.
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable, args=LAUNCH_ARGS, headless=True)
            except BaseException:
                await self._playwright.stop()
                self._playwright = None
                raise
            self.launches += 1
            logger.info("browser started for script challenges (%s, %.1f s)", self._browser.version,
                        time.monotonic() - began)

    async def _context(self, key: str, user_agent: str | None):
        context = self._contexts.get(key)
        if context is None:
            context = await self._browser.new_context(user_agent=user_agent, java_script_enabled=True,
                                                      ignore_https_errors=False)
            await context.route("**/*", _skip_decoration)
            self._contexts[key] = context
        return context

    async def visit(self, url: str, key: str, user_agent: str | None = None) -> Visit:
        """Load `url` in the context of `key` (a portal) and wait for an answer that is not a challenge."""
        await self._start()
        assert self._pages is not None
        async with self._pages:
            context = await self._context(key, user_agent)
            began = time.monotonic()
            visit = await self._visit(context, url)
            visit.seconds = time.monotonic() - began
            try:
                visit.cookies = await context.cookies(visit.final_url or url)
            except Exception:  # a page that left for another scheme: no cookies to read
                visit.cookies = []
            return visit

    async def _visit(self, context, url: str) -> Visit:
        page = await context.new_page()
        answers: asyncio.Queue = asyncio.Queue()

        def on_response(response):
            if response.request.is_navigation_request() and response.frame == page.main_frame:
                # The body is asked for at once: a challenge page reloads itself
                # quickly, and the browser forgets a page's body once it has left it.
                answers.put_nowait((response, asyncio.ensure_future(_body(response))))

        page.on("response", on_response)
        loads, over = 0, False

        async def at_most_so_many_loads(route):
            # The page's own reloads, counted as they leave: the one past the limit,
            # and any after the visit has ended, never reach the portal.
            nonlocal loads
            if route.request.is_navigation_request():
                loads += 1
                if over or loads > 1 + self.max_reloads:
                    await route.abort()
                    return
            await route.fallback()

        await page.route("**/*", at_most_so_many_loads)
        deadline = time.monotonic() + self.timeout
        visit = Visit(url=url, passed=False)
        navigation = asyncio.ensure_future(page.goto(url, wait_until="commit", timeout=self.timeout * 1000))
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    visit.reason = "timeout"
                    return visit
                getter = asyncio.ensure_future(answers.get())
                waiting = {getter} if navigation.done() else {getter, navigation}
                done, _ = await asyncio.wait(waiting, timeout=left, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    failed = navigation.done() and not navigation.cancelled() and navigation.exception()
                    if failed:  # the page could not be loaded at all (refused, reset, a bad address)
                        visit.reason = f"error: {str(failed).splitlines()[0]}"
                        return visit
                    if not done:
                        visit.reason = "timeout"
                        return visit
                    continue  # the first load has committed; its answer is on its way
                response, body_task = getter.result()
                body = await body_task
                status = response.status
                visit.final_url = response.url
                if 300 <= status < 400:
                    continue  # a redirect: its target is the next answer
                headers = await _headers(response)
                ctype = next((v for k, v in headers if k.lower() == "content-type"), None)
                # A body the browser could not keep was a page that left at once: what challenges do.
                if is_script_challenge(status, body, ctype) if body is not None else status in CHALLENGE_STATUSES:
                    visit.challenges += 1
                    visit.status = status
                    if visit.challenges > self.max_reloads:
                        visit.reason = f"challenge came back {visit.challenges} times"
                        return visit
                    continue
                visit.passed, visit.status, visit.body = True, status, body
                visit.headers = [(k, v) for k, v in headers if k.lower() not in _WIRE_HEADERS]
                return visit
        finally:
            over = True
            if not navigation.done():
                navigation.cancel()
            if not visit.passed:
                try:
                    # Leaving the page ends its script and its timers (a reload it set up)
                    # while the page's requests are still watched; then it closes.
                    await page.goto("about:blank", timeout=5000)
                except Exception:
                    pass
            try:
                await page.close()
            except Exception:
                pass
            # A navigation that failed after the visit ended has nobody to tell.
            if navigation.done() and not navigation.cancelled():
                navigation.exception()

    async def forget(self, key: str) -> None:
        """Close the context of `key`: its cookies are gone, the next visit starts afresh."""
        context = self._contexts.pop(key, None)
        if context is not None:
            await context.close()

    def rss_bytes(self) -> int:
        """Resident memory of the browser's processes (every Chromium process
        below this one), from /proc; 0 where that cannot be read."""
        return browser_tree_rss(os.getpid())

    async def close(self) -> None:
        for context in list(self._contexts.values()):
            try:
                await context.close()
            except Exception:
                pass
        self._contexts.clear()
        if self._browser is not None:
            try:
                await self._browser.close()
            except Exception:
                logger.exception("the browser did not close cleanly")
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None


async def _skip_decoration(route):
    request = route.request
    if request.resource_type in _SKIPPED_RESOURCES or request.url.split("?", 1)[0].endswith("/favicon.ico"):
        await route.abort()
    else:
        await route.continue_()


async def _body(response) -> bytes | None:
    try:
        return await response.body()
    except Exception:  # gone with the page that reloaded, or a download the browser did not keep
        return None


async def _headers(response) -> list:
    try:
        return [(h["name"], h["value"]) for h in await response.headers_array()]
    except Exception:
        return [(k, v) for k, v in response.headers.items()]


def browser_tree_pss(root: int) -> int:
    """Proportional set size of the same processes: memory they share counted
    once across them (what the browser really takes), from smaps_rollup."""
    total = 0
    for pid in _browser_pids(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="latin-1") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def _browser_pids(root: int) -> list[int]:
    """Chromium processes below `root` (pid (comm) state ppid … in /proc/<pid>/stat)."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return []
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("latin-1")
        except OSError:
            continue
        close = stat.rfind(")")
        names[int(entry)] = stat[stat.find("(") + 1:close]
        children.setdefault(int(stat[close + 2:].split()[1]), []).append(int(entry))
    out, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if "chrom" in names.get(pid, "").lower():
            out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def browser_tree_rss(root: int) -> int:
    """Sum of the resident memory of the Chromium processes descended from
    `root` (memory they share is counted in each)."""
    total = 0
    for pid in _browser_pids(root):
        try:
            with open(f"/proc/{pid}/statm", encoding="latin-1") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

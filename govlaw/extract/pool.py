"""Extraction off the reactor: a pool of worker processes that read pages.

Parsing a page costs several times what fetching it does, and Python runs
one thread at a time: on the reactor's thread it would leave every other
core idle and hold up the downloads. The spider hands each reading
(govlaw.extract.reading) to this pool and awaits it; meanwhile the reactor
goes on downloading.

    GOVLAW_EXTRACT_WORKERS   worker processes; unset: one per core; 0: read
                             in the crawling process itself (small runs, tests)
    GOVLAW_EXTRACT_TIMEOUT   seconds a reading may take, queueing included
                             (default: twice the file parser's own limit)

Workers are started on the first page (forkserver: clean processes that do
not inherit the reactor), and shut down when the spider closes. A worker
that dies takes the pool's other readings with it; those are read again,
each alone in a fresh process, so only the reading that kills its process
fails. A reading that fails, or outlasts the timeout, raises ReadingFailed:
the spider logs one line and rejects the page. Stats: govlaw/extract/readings,
govlaw/extract/worker_cpu_seconds (CPU the workers spent reading),
govlaw/extract/failed.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool

from scrapy import signals

from govlaw.extract.attachments import PARSE_SECONDS

logger = logging.getLogger(__name__)


class ReadingFailed(Exception):
    """The page could not be read: its process died, or it took too long."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason  # a page:… rejection reason


def _worker_init() -> None:
    # The crawl's own process handles Ctrl-C and stops the crawl; a worker
    # interrupted mid-reading would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _timed(fn, args):
    """Runs in the worker: the reading and the CPU it cost there."""
    started = time.process_time()
    result = fn(*args)
    return result, time.process_time() - started


class ExtractionPool:
    def __init__(self, workers: int, timeout: float, crawler=None):
        self.workers = max(0, workers)
        self.timeout = timeout
        self.crawler = crawler  # for its stats, which exist once the crawl has started
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._context = None
        self._ready = None  # the background start of the workers, awaited by the first reading

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        raw = settings.get("GOVLAW_EXTRACT_WORKERS")
        workers = (os.cpu_count() or 1) if raw in (None, "") else settings.getint("GOVLAW_EXTRACT_WORKERS")
        timeout = settings.getfloat("GOVLAW_EXTRACT_TIMEOUT", 0) or 2.0 * PARSE_SECONDS
        pool = cls(workers, timeout, crawler)
        crawler.signals.connect(pool.warm, signal=signals.spider_opened)
        crawler.signals.connect(pool.close, signal=signals.spider_closed)
        return pool

    def warm(self, spider=None) -> None:
        """Start the workers in a thread as the crawl opens. Starting them
        waits for the fork server to import the extraction code (a second or
        two): on the reactor's thread that wait would stall every download,
        and time every politeness delay wrong."""
        if self.workers and self._ready is None:
            self._ready = asyncio.get_event_loop().run_in_executor(None, self._warm_up)

    def _warm_up(self) -> None:
        self._shared().submit(_timed, len, ((),)).result(timeout=self.timeout)

    # ------------------------------------------------------------------ running

    async def read(self, fn, *args):
        """fn(*args), in a worker process when the pool has any (fn and its
        arguments must pickle: module-level functions, bytes, dataclasses)."""
        if not self.workers:
            return fn(*args)
        if self._ready is not None:
            try:
                await self._ready
            except Exception:  # noqa: BLE001 - the pool is started again below, on demand
                logger.warning("extraction workers did not start in the background; starting them now")
            self._ready = None
        try:
            return await self._attempt(self._shared(), fn, args, shared=True)
        except (BrokenProcessPool, asyncio.TimeoutError):
            # Another reading may have killed the pool, or this one waited
            # behind slow ones: read it again alone, in a process of its own.
            pass
        executor = self._new_executor(1)
        try:
            return await self._attempt(executor, fn, args, shared=False)
        except BrokenProcessPool:
            self._failed()
            raise ReadingFailed("page:parse_failed", "the parsing process died") from None
        except asyncio.TimeoutError:
            self._failed()
            raise ReadingFailed("page:parse_timeout", f"parsing took over {self.timeout:g} s") from None
        finally:
            _stop(executor, kill=True)

    async def _attempt(self, executor, fn, args, shared: bool):
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(executor, _timed, fn, args)
            result, cpu = await asyncio.wait_for(future, self.timeout)
        except BrokenProcessPool:
            if shared:
                self._discard(executor, kill=False)
            raise
        except asyncio.TimeoutError:
            if shared:  # a reading stuck in a worker: that pool is not to be trusted again
                self._discard(executor, kill=True)
            raise
        if self.crawler is not None:
            self.crawler.stats.inc_value("govlaw/extract/readings")
            self.crawler.stats.inc_value("govlaw/extract/worker_cpu_seconds", cpu)
        return result

    def _failed(self):
        if self.crawler is not None:
            self.crawler.stats.inc_value("govlaw/extract/failed")

    # ------------------------------------------------------------- processes

    def _new_executor(self, workers: int) -> concurrent.futures.ProcessPoolExecutor:
        if self._context is None:
            # forkserver: workers fork from a clean server process that has
            # loaded the extraction code once, not from the reactor's process.
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(["govlaw.extract.reading", "datasketch"])
        return concurrent.futures.ProcessPoolExecutor(workers, mp_context=self._context, initializer=_worker_init)

    def _shared(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._executor is None:
            self._executor = self._new_executor(self.workers)
            logger.info("reading pages in %d worker processes", self.workers)
        return self._executor

    def _discard(self, executor, kill: bool) -> None:
        if executor is self._executor:
            self._executor = None  # the next reading starts a fresh pool
            logger.warning("extraction workers restarted (%s)", "a reading timed out" if kill else "a worker died")
            _stop(executor, kill)

    def close(self, spider=None, reason=None) -> None:
        if self._executor is not None:
            _stop(self._executor, kill=False, wait=True)
            self._executor = None


def _stop(executor, kill: bool, wait: bool = False) -> None:
    if kill:
        # Private, but the only handle on a worker stuck in a reading:
        # shutdown() alone would wait for it.
        for process in list(getattr(executor, "_processes", {}).values()):
            try:
                process.kill()
            except (OSError, AttributeError):
                pass
    # Readings still queued are not cancelled: a killed pool fails them with
    # BrokenProcessPool, and they are read again elsewhere. Only the end of
    # the crawl waits for the workers to exit; the reactor never does.
    executor.shutdown(wait=wait)

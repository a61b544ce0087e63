"""The analysts' exports kept up to date while a run goes on.

The exports are updated, not rebuilt (govlaw.analysts.database keeps a
digest per report), so their cost follows the reports that changed since
the last export. Left to the end of a first run, that is every report: some
seconds per thousand, with the network idle and the run not yet over. So
every GOVLAW_ANALYST_REFRESH seconds, when portals have been committed since,
the exports and the HTML report are brought up to date in a process of their
own (the crawl's reactor and its memory are not involved), reading the state
file on a read-only connection; the end of the run then waits for a refresh
under way and exports only what the last portals changed.

    GOVLAW_ANALYST_REFRESH   seconds between refreshes (default 30; 0: only at the end)

Only one process writes the exports at a time: a refresh is not started
while one is under way, and the end of the run waits for it. A refresh that
fails is logged in one line; the end of the run writes everything again.
A distributed worker does not refresh: the worker that finishes the run
writes the exports from the shared state.
"""
from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import time
from pathlib import Path

from twisted.internet import task

logger = logging.getLogger(__name__)


def refresh(state_path: str, output_dir: str, options, html_report: bool) -> tuple[float, int]:
    """Runs in the refresh process: the exports, then the HTML report."""
    from govlaw import htmlreport
    from govlaw.analysts import export

    started = time.monotonic()
    written = export(state_path, Path(output_dir), options)
    if html_report:
        htmlreport.write_report(output_dir)
    return time.monotonic() - started, written.get("reports.csv", 0)


class ExportRefresher:
    def __init__(self, run, options, interval: float):
        self.run = run
        self.options = options
        self.interval = interval
        self.executor: concurrent.futures.ProcessPoolExecutor | None = None
        self.future: concurrent.futures.Future | None = None
        self.committed_then = 0
        self.loop = task.LoopingCall(self._tick)

    @classmethod
    def start(cls, run, options, settings) -> "ExportRefresher | None":
        """A refresher for the run, started; None where refreshing does not apply."""
        interval = settings.getfloat("GOVLAW_ANALYST_REFRESH", 30.0)
        state_path = getattr(run.store, "path", None)
        if interval <= 0 or not options.enabled or state_path is None or settings.get("GOVLAW_REDIS_URL"):
            return None
        refresher = cls(run, options, interval)
        refresher.loop.start(interval, now=False)
        return refresher

    def _tick(self) -> None:
        if self.future is not None:
            if not self.future.done():
                return  # one writer at a time
            self._collect()
        progress = getattr(self.run, "portals", None)
        committed = len(progress.committed) if progress is not None else 0
        if committed == self.committed_then:
            return
        self.committed_then = committed
        if self.executor is None:
            # Forkserver, as the extraction pool: a clean process, not a copy of the reactor's.
            self.executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
        self.future = self.executor.submit(refresh, str(self.run.store.path), str(self.run.output_dir),
                                           self.options, bool(self.run.html_report))

    def _collect(self) -> None:
        future, self.future = self.future, None
        try:
            seconds, reports = future.result()
        except Exception as exc:  # the end of the run writes them again
            logger.warning("analysts' exports not refreshed (%s: %s); the end of the run writes them",
                           type(exc).__name__, exc)
            return
        logger.info("analysts' exports refreshed during the run: %d reports, %.1f s", reports, seconds)

    def settle(self) -> None:
        """At the end of the run: stop refreshing and wait for a refresh under
        way, so that the run's own export is the only writer left."""
        if self.loop.running:
            self.loop.stop()
        if self.future is not None:
            try:
                self.future.result(timeout=600)
            except Exception:  # logged by _collect; the final export follows anyway
                pass
            self._collect()
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None

"""The analysts' exports kept up to date while a run goes on, and written
at its end, in a process of their own.

The exports are updated, not rebuilt (govlaw.analysts.database keeps a
digest per report), so their cost follows the reports that changed since
the last export. Left to the end of a first run, that is every report: some
seconds per thousand, with the network idle and the run not yet over. So
every GOVLAW_ANALYST_REFRESH seconds, when portals have been committed since,
the exports and the HTML report are brought up to date in a process of their
own, reading the state file on a read-only connection (one snapshot); the
end of the run waits for a refresh under way and has the same process
export only what the last portals changed. The crawling process neither
spends its reactor's time on them nor keeps the memory they take (ledger,
digests, the report's pages): that process ends with its export.

    GOVLAW_ANALYST_REFRESH   seconds between refreshes (default 30; 0: only at the end)

Only one process writes the exports at a time: a refresh is not started
while one is under way, and the end of the run waits for it. A refresh that
fails is logged in one line; one at the end that fails is done again in the
crawling process (govlaw.closing). What the export process logs is logged
again by the crawling process. A distributed worker, or a state in a
database server, exports in the crawling process at the end: the worker
that finishes the run writes the exports from the shared state.
"""
from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import time
from pathlib import Path

from twisted.internet import task

logger = logging.getLogger(__name__)


class _Kept(logging.Handler):
    """The export process's log lines, handed back to the crawling process."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[tuple[str, int, str]] = []

    def emit(self, record):
        self.lines.append((record.name, record.levelno, record.getMessage()))


def refresh(state_path: str, output_dir: str, options, html_report: bool) -> tuple[float, int, list]:
    """Runs in the export process: the exports, then the HTML report."""
    from govlaw import htmlreport
    from govlaw.analysts import export

    kept, root = _Kept(), logging.getLogger("govlaw")
    root.addHandler(kept)
    root.setLevel(logging.INFO)
    try:
        started = time.monotonic()
        written = export(state_path, Path(output_dir), options)
        if html_report:
            htmlreport.write_report(output_dir)
        return time.monotonic() - started, written.get("reports.csv", 0), kept.lines
    finally:
        root.removeHandler(kept)


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
        """A refresher for the run, started; None where the exports are the
        crawling process's to write at the end (see above)."""
        interval = settings.getfloat("GOVLAW_ANALYST_REFRESH", 30.0)
        state_path = getattr(run.store, "path", None)
        if not options.enabled or state_path is None or settings.get("GOVLAW_REDIS_URL"):
            return None
        refresher = cls(run, options, interval)
        if interval > 0:
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
        self.future = self._submit()

    def _submit(self) -> concurrent.futures.Future:
        if self.executor is None:
            # Forkserver, as the extraction pool: a clean process, not a copy of the reactor's.
            self.executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
        return self.executor.submit(refresh, str(self.run.store.path), str(self.run.output_dir),
                                    self.options, bool(self.run.html_report))

    def _collect(self, final: bool = False) -> bool:
        future, self.future = self.future, None
        try:
            seconds, reports, lines = future.result()
        except Exception as exc:
            logger.warning("analysts' exports not %s (%s: %s)", "written in their own process; writing them here"
                           if final else "refreshed; the end of the run writes them", type(exc).__name__, exc)
            return False
        for name, level, message in lines:
            if final or level >= logging.WARNING:
                logging.getLogger(name).log(level, "%s", message)
        if not final:
            logger.info("analysts' exports refreshed during the run: %d reports, %.1f s", reports, seconds)
        return True

    def finish(self) -> bool:
        """At the end of the run: the last export, after any refresh under way,
        in the export process. False when it failed (the caller exports)."""
        self.settle(shut_down=False)
        self.future = self._submit()
        try:
            self.future.result(timeout=3600)
        except Exception:  # told by _collect
            pass
        done = self._collect(final=True)
        self._shut_down()
        return done

    def settle(self, shut_down: bool = True) -> None:
        """Stop refreshing and wait for a refresh under way: no writer of the
        exports is left behind (also when a run ends without finishing)."""
        if self.loop.running:
            self.loop.stop()
        if self.future is not None:
            try:
                self.future.result(timeout=600)
            except Exception:  # told by _collect
                pass
            self._collect()
        if shut_down:
            self._shut_down()

    def _shut_down(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None

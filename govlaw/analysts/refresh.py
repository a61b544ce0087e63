"""The analysts' exports kept up to date while a run goes on, and written
at its end, in a process of their own.

The exports are updated, not rebuilt (govlaw.analysts.database keeps a
digest per report), so their cost follows the reports that changed since
the last export (some milliseconds each: the full-text index of a body),
plus a pass over the whole corpus (the CSVs, the ledger, the report's index
pages). Left to the end of a first run, that is every report, with the
network idle and the run not yet over. So while portals are being
committed the exports and the HTML report are brought up to date in a
process of their own, reading the state file on a read-only connection
(one snapshot): at most every GOVLAW_ANALYST_REFRESH seconds, and never
more than half of that process's time (a refresh waits, after the last one,
as long as the last one took), so a national corpus does not keep a core
busy. The crawling process neither spends its reactor's time on them nor
keeps the memory they take (ledger, digests, the report's pages).

At the end of the run, a refresh under way is stopped, not waited for: it
is told by a signal, and gives up at the next report it would write, each
file whole (govlaw.db's transaction rolled back, the report's new folder
removed; a CSV already renamed into place is the newer one). The same
process then exports what changed since the last refresh that finished,
once, on a machine whose crawl is over. What the end of a run waits for is
thus the changes of its last seconds and one pass over the corpus, not a
whole refresh more.

    GOVLAW_ANALYST_REFRESH   least seconds between refreshes (default 10; 0: only at the end)

Only one process writes the exports at a time. A refresh that fails is
logged in one line; one at the end that fails is done again in the
crawling process (govlaw.closing). What the export process logs is logged
again by the crawling process. A distributed worker, or a state in a
database server, exports in the crawling process at the end: the worker
that finishes the run writes the exports from the shared state.
"""
from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import signal
import time
from pathlib import Path

from twisted.internet import task

logger = logging.getLogger(__name__)

# How the crawling process tells the export process to stop the export under way.
STOP_SIGNAL = getattr(signal, "SIGUSR1", None)


class _Kept(logging.Handler):
    """The export process's log lines, handed back to the crawling process."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[tuple[str, int, str]] = []

    def emit(self, record):
        self.lines.append((record.name, record.levelno, record.getMessage()))


class Stopped(BaseException):
    """Raised at a checkpoint of an export told to stop. A BaseException, as
    KeyboardInterrupt is: no `except Exception` on the way swallows it, and
    every writer's clean-up (rollback, temporary files) runs."""


# The export process's one piece of state: whether the export under way was
# told to stop. Set by the signal's handler, read at each checkpoint, cleared
# as each export starts. (It lives in the export process only.)
_told_to_stop = False


def _on_stop_signal(signum, frame) -> None:
    global _told_to_stop
    _told_to_stop = True


def _set_up_export_process() -> None:
    if STOP_SIGNAL is not None:
        signal.signal(STOP_SIGNAL, _on_stop_signal)


def _checkpoint() -> None:
    if _told_to_stop:
        raise Stopped


def refresh(state_path: str, output_dir: str, options, html_report: bool) -> tuple[float, int | None, list]:
    """Runs in the export process: the exports, then the HTML report.
    Returns (seconds, reports exported or None when told to stop, log lines)."""
    global _told_to_stop
    from govlaw import htmlreport
    from govlaw.analysts import export

    _told_to_stop = False
    kept, root = _Kept(), logging.getLogger("govlaw")
    root.addHandler(kept)
    root.setLevel(logging.INFO)
    started = time.monotonic()
    try:
        written = export(state_path, Path(output_dir), options, _checkpoint)
        if html_report:
            htmlreport.write_report(output_dir, _checkpoint)
        return time.monotonic() - started, written.get("reports.csv", 0), kept.lines
    except Stopped:
        return time.monotonic() - started, None, kept.lines
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
        self.last_started: float | None = None
        self.last_ended: float | None = None
        self.last_took = 0.0
        self.finished = 0                   # refreshes done: the export process is set up to be told to stop
        self.loop = task.LoopingCall(self._tick)

    @classmethod
    def start(cls, run, options, settings) -> "ExportRefresher | None":
        """A refresher for the run, started; None where the exports are the
        crawling process's to write at the end (see above)."""
        interval = settings.getfloat("GOVLAW_ANALYST_REFRESH", 10.0)
        state_path = getattr(run.store, "path", None)
        if not options.enabled or state_path is None or settings.get("GOVLAW_REDIS_URL"):
            return None
        refresher = cls(run, options, interval)
        if interval > 0:
            refresher.last_started = time.monotonic()   # the first refresh an interval into the run
            refresher.loop.start(min(interval, 1.0), now=False)
        return refresher

    def due(self, now: float) -> bool:
        """Whether a refresh may start now: none under way, the interval
        passed since the last one started, and as long as it took since it
        ended (the export process busy half of the time at most)."""
        if self.future is not None:
            return False
        if self.last_started is not None and now - self.last_started < self.interval:
            return False
        return self.last_ended is None or now - self.last_ended >= self.last_took

    def _tick(self) -> None:
        if self.future is not None and self.future.done():
            self._collect()
        if not self.due(time.monotonic()):
            return
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
                max_workers=1, mp_context=multiprocessing.get_context("forkserver"),
                initializer=_set_up_export_process)
        self.last_started = time.monotonic()
        return self.executor.submit(refresh, str(self.run.store.path), str(self.run.output_dir),
                                    self.options, bool(self.run.html_report))

    def _collect(self, final: bool = False) -> bool:
        future, self.future = self.future, None
        self.last_ended = time.monotonic()
        self.last_took = self.last_ended - (self.last_started or self.last_ended)
        try:
            seconds, reports, lines = future.result()
        except Exception as exc:
            logger.warning("analysts' exports not %s (%s: %s)", "written in their own process; writing them here"
                           if final else "refreshed; the end of the run writes them", type(exc).__name__, exc)
            return False
        self.finished += 1
        for name, level, message in lines:
            if final or level >= logging.WARNING:
                logging.getLogger(name).log(level, "%s", message)
        if reports is None:
            logger.info("analysts' exports: the refresh under way stopped after %.1f s; the end of the run "
                        "writes what it would have", seconds)
            return not final
        if not final:
            logger.info("analysts' exports refreshed during the run: %d reports, %.1f s", reports, seconds)
        return True

    def finish(self) -> bool:
        """At the end of the run: the last export, in the export process,
        after stopping any refresh under way. False when it failed (the
        caller exports)."""
        return self.start_final() and self.end_final()

    def start_final(self) -> bool:
        """Stop any refresh under way and start the last export; the caller
        may go on with its own end of the run meanwhile, then calls
        end_final. False when it could not be started (the caller exports)."""
        self.settle(shut_down=False)
        try:
            self.future = self._submit()
        except Exception as exc:  # a broken pool: its process died
            logger.warning("analysts' exports not written in their own process; writing them here (%s: %s)",
                           type(exc).__name__, exc)
            self._shut_down()
            return False
        return True

    def end_final(self) -> bool:
        """Wait for the last export. False when it failed (the caller exports)."""
        done = self._wait(final=True, timeout=3600)
        self._shut_down()
        return done

    def settle(self, shut_down: bool = True) -> None:
        """Stop refreshing, and stop a refresh under way (it leaves the
        exports as they were): no writer of the exports is left behind,
        also when a run ends without finishing."""
        if self.loop.running:
            self.loop.stop()
        if self.future is not None:
            self._tell_to_stop()
            self._wait(final=False, timeout=600)
        if shut_down:
            self._shut_down()

    def _wait(self, final: bool, timeout: float) -> bool:
        """Wait for the export under way, then collect it (see _collect)."""
        try:
            self.future.result(timeout=timeout)
        except Exception:  # told by _collect
            pass
        return self._collect(final=final)

    def _tell_to_stop(self) -> None:
        """Signal the export process, if it is still at work. Not before it
        has finished one refresh: until its initializer ran, the signal
        would end it. (The executor names its processes only in an
        attribute of its own; without it, the refresh is waited for.)"""
        if STOP_SIGNAL is None or not self.finished or self.future.done():
            return
        for pid in list(getattr(self.executor, "_processes", None) or ()):
            try:
                os.kill(pid, STOP_SIGNAL)
            except OSError:
                pass

    def _shut_down(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None

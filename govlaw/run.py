"""One crawl run: its id, its output directory lock and its state store.

Created once per crawler and shared by the pipelines (`RunContext.of`), so
the dedupe and feed stages see the same store and the same run.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
from pathlib import Path

from govlaw import feed
from govlaw.errors import GovlawError
from govlaw.incremental import Journal
from govlaw.portals import PortalProgress
from govlaw.state import OutputLocked, is_server_url, open_store

logger = logging.getLogger(__name__)


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class OutputError(GovlawError):
    """The output directory (or the state file's folder) cannot be used."""


def check_output_dir(path: str | Path, fix: str = "pass -s GOVLAW_OUTPUT_DIR=<a directory you can write to>",
                     what: str = "output directory") -> Path:
    """Make sure `path` is a directory this process can write, creating it if
    need be; an OutputError names it and the fix otherwise."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{what} {path} is a file, not a directory; {fix}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{what} {path} is a file, not a directory; {fix}") from None
    except OSError as exc:
        blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        why = f"{blocker} is a file" if blocker is not None else (exc.strerror or str(exc))
        raise OutputError(f"cannot create {what} {path}: {why}; {fix}") from exc
    probe = path / f".govlaw-write-test-{os.getpid()}"
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"{what} {path} is not writable ({exc.strerror or exc}); {fix}") from exc
    return path


def check_state_path(path: str | Path) -> Path:
    """GOVLAW_STATE_PATH names a file in a directory this process can write."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"state file {path} is a directory; pass -s GOVLAW_STATE_PATH=<a file name>, "
                          "e.g. state.sqlite inside it")
    check_output_dir(path.parent, "pass -s GOVLAW_STATE_PATH=<a file in a directory you can write to>",
                     "state file's directory")
    return path


class RunContext:
    def __init__(self, output_dir: str | Path, state_path: str | Path | None = None, backups: int = 3,
                 run_id: str | None = None):
        self.output_dir = check_output_dir(output_dir)
        server = is_server_url(state_path)
        if state_path and not server:
            check_state_path(state_path)
        self._lock_fh = _lock(self.output_dir)
        self.state_path = state_path if server else Path(state_path or self.output_dir / "state.sqlite")
        # States kept in <output>/backups after each committed run; a database
        # server's state is backed up by its operator.
        self.backups = 0 if server else backups
        try:
            # Checked against the marker the last run left: a lost or damaged
            # state stops the run here (StateError) instead of passing for a first run.
            self.store = open_store(self.state_path, self.output_dir)
        except BaseException:
            self._unlock()
            raise
        # A previous run that committed its state but died before writing its
        # files gets them written now, before anything else happens.
        recovered = feed.export(self.store, self.output_dir) if self.store.unexported_runs() else []
        if recovered:
            logger.info("wrote feed files left over by interrupted runs: %s", ", ".join(recovered))
        unfinished = None if run_id else self.store.unfinished_run()
        if run_id:
            # A distributed run, begun by `govlaw queue` and carried on by every
            # worker: the portals already committed are done, whoever did them.
            self.run_id, self.started = run_id, utc_now()
            self.store.begin_run(self.run_id, self.started)
            self.committed_before = self.store.committed_portals(self.run_id)
        elif unfinished:
            # A run killed before its end: this one carries it on, under its
            # id, skipping the portals it committed (govlaw.closing).
            self.run_id, self.started = unfinished
            self.committed_before = self.store.committed_portals(self.run_id)
            logger.info("resuming run %s: %d portals already committed", self.run_id, len(self.committed_before))
        else:
            self.started = utc_now()
            self.run_id = self._new_run_id()
            self.committed_before = set()
            self.store.begin_run(self.run_id, self.started)
        self.resumed = bool(unfinished or run_id)
        self.journal = Journal()
        self.portals = PortalProgress([], self.committed_before)
        self.crawled_portals: list[str] = []
        self.portal_names: dict[str, tuple[str, str | None]] = {}  # id → (name, region code), for old states' copies
        self.html_report = False  # GOVLAW_HTML_REPORT: the HTML report written after the run

    def _new_run_id(self) -> str:
        """A UTC timestamp; two runs in one second take the next free second,
        so that run ids (and change file names) always sort in run order."""
        moment = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        while True:
            run_id = moment.strftime("%Y%m%dT%H%M%SZ")
            if not (self.output_dir / "changes" / f"{run_id}.jsonl").exists() and not self.store.later_run(run_id):
                return run_id
            moment += dt.timedelta(seconds=1)

    @classmethod
    def of(cls, crawler) -> "RunContext":
        ctx = getattr(crawler, "_govlaw_run", None)
        if ctx is None:
            settings = crawler.settings
            from govlaw.state.url import state_location

            output = settings.get("GOVLAW_OUTPUT_DIR", "output")
            run_id = None
            if settings.get("GOVLAW_REDIS_URL"):
                from govlaw.distributed.worker import queued_run

                run_id = queued_run(settings)[0]
            ctx = cls(output, state_location(settings, output), settings.getint("GOVLAW_STATE_BACKUPS", 3), run_id)
            ctx.html_report = settings.getbool("GOVLAW_HTML_REPORT", True)
            crawler._govlaw_run = ctx
        return ctx

    def close(self) -> None:
        self.store.close()
        self._unlock()

    def _unlock(self) -> None:
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None


def _lock(output_dir: Path):
    path = output_dir / ".lock"
    try:
        fh = open(path, "a+")
    except OSError as exc:
        raise OutputError(f"cannot open the lock file {path} ({exc.strerror or exc}); make it writable by this "
                          "user, or pass -s GOVLAW_OUTPUT_DIR=<a directory you can write to>") from exc
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise OutputLocked(
            f"output directory {output_dir} is in use by another govlaw run (pid {holder}); "
            "refusing to start a second run on the same output") from None
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    return fh

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
from govlaw.incremental import Journal
from govlaw.state import OutputLocked, open_store

logger = logging.getLogger(__name__)


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class RunContext:
    def __init__(self, output_dir: str | Path, state_path: str | Path | None = None):
        self.output_dir = Path(output_dir)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self._lock_fh = _lock(self.output_dir)
        self.store = open_store(state_path or self.output_dir / "state.sqlite")
        # A previous run that committed its state but died before writing its
        # files gets them written now, before anything else happens.
        recovered = feed.export(self.store, self.output_dir) if self.store.unexported_runs() else []
        if recovered:
            logger.info("wrote feed files left over by interrupted runs: %s", ", ".join(recovered))
        self.started = utc_now()
        self.run_id = self._new_run_id()
        self.store.begin_run(self.run_id, self.started)
        self.journal = Journal()
        self.crawled_portals: list[str] = []

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
            ctx = cls(settings.get("GOVLAW_OUTPUT_DIR", "output"), settings.get("GOVLAW_STATE_PATH"))
            crawler._govlaw_run = ctx
        return ctx

    def close(self) -> None:
        self.store.close()
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None


def _lock(output_dir: Path):
    path = output_dir / ".lock"
    fh = open(path, "a+")
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

"""The last few states, kept after each committed run.

A state lost or damaged between runs (a disk error, an rm, a half-copied
file) would otherwise mean a full re-crawl that announces every report as
new. After every committed run the state is copied with SQLite's backup API
to <output>/backups/state-<run_id>.sqlite (written under a temporary name,
flushed, renamed), and only the newest GOVLAW_STATE_BACKUPS are kept.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

DIRNAME = "backups"
_NAME = re.compile(r"^state-(\d{8}T\d{6}Z)\.sqlite$")


def backup_dir(output_dir: str | Path) -> Path:
    return Path(output_dir) / DIRNAME


def path_for(output_dir: str | Path, run_id: str) -> Path:
    return backup_dir(output_dir) / f"state-{run_id}.sqlite"


def take(store, output_dir: str | Path, run_id: str, keep: int) -> Path | None:
    """Copy the state as it is now (the run is committed), then drop all but
    the newest `keep` backups. keep <= 0 keeps none and takes none."""
    if keep <= 0:
        return None
    folder = backup_dir(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".state-*.tmp"):  # a run killed while copying (runs never overlap: the lock)
        stale.unlink(missing_ok=True)
    final = path_for(output_dir, run_id)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        os.unlink(tmp)  # the backup API wants to create the database itself
        store.backup(tmp)
        _fsync(tmp)
        os.replace(tmp, final)
        _fsync(folder)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    for _, old in backups(output_dir)[keep:]:
        old.unlink(missing_ok=True)
    return final


def backups(output_dir: str | Path) -> list[tuple[str, Path]]:
    """(run id, path) of every backup, newest first."""
    folder = backup_dir(output_dir)
    if not folder.is_dir():
        return []
    found = [(m.group(1), p) for p in folder.iterdir() if (m := _NAME.match(p.name))]
    return sorted(found, reverse=True)


def _fsync(path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

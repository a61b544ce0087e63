"""State: the only memory between runs, behind one small interface."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from govlaw.state.base import OutputLocked, Store
from govlaw.state.guard import EX_STATE, MARKER, StateError, check
from govlaw.state.sqlite import SQLiteStore

__all__ = ["EX_STATE", "MARKER", "OutputLocked", "StateError", "Store", "SQLiteStore", "open_store"]


def open_store(path, output_dir=None) -> Store:
    """Open the state at `path`. With `output_dir` (a run's output), the
    state is checked first against the marker and the snapshot there, and a
    lost, empty, damaged or foreign state raises StateError instead of
    passing for a first run."""
    if output_dir is not None:
        output_dir = Path(output_dir)
        check(path, output_dir / MARKER, output_dir / "reports.jsonl")
    try:
        return SQLiteStore(path)
    except sqlite3.DatabaseError as exc:  # damaged in a way quick_check did not see
        raise StateError(f"state file {path} cannot be opened ({exc}); restore the last good state with "
                         "`govlaw state restore`") from exc

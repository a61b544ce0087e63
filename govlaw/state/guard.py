"""A state is checked before a run trusts it.

An emptied or deleted state.sqlite looks exactly like a first run to SQLite
(it creates the tables and carries on), and every known report would be
announced again as new. So each committed run also leaves a marker beside
the feed (state.marker.json: the run id and how many reports the state
holds), and a run starts only when the state and the marker agree:

  no state, no marker, no snapshot     a first run
  no state / empty state + marker      refused: the state was lost
  not SQLite, fails quick_check        refused: damaged
  SQLite without govlaw's tables       refused: not a govlaw state
  marker's run missing from the state  refused: an older or another state

A refusal is a StateError: one line naming the file and the fix, and the
exit status EX_STATE.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path

logger = logging.getLogger(__name__)

EX_STATE = 3  # the state cannot be trusted; `govlaw state restore` brings back a good one
MARKER = "state.marker.json"
# 1: versions without text; 2: versions with title and body, copies per address;
# 3: match keys and version bodies zlib-compressed (BLOB), rows from before still TEXT;
# 4: the body stored once (in its version), LSH bands, verdicts and the fetched-response journal.
# A state of any of them is read; an older govlaw refuses a newer state instead of misreading it.
SCHEMA_VERSION = 4
# portal_runs is not required: states from before it get it from the migration.
REQUIRED = {"reports", "versions", "addresses", "pages", "runs", "changes"}
_SQLITE_MAGIC = b"SQLite format 3\x00"
FIX = "restore the last good state with `govlaw state restore`"


class StateError(Exception):
    """The state cannot be opened safely. `str()` is the whole story, in one
    line; `exit_code` is what the process should exit with."""

    def __init__(self, message: str, exit_code: int = EX_STATE):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def read_marker(path: Path) -> dict | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        # Written atomically, so unreadable means someone edited it: the
        # state itself is still checked, only the cross-check is lost.
        logger.warning("ignoring unreadable state marker %s: %s", path, exc)
        return None
    return data if isinstance(data, dict) and data.get("run_id") else None


def inspect(path: str | Path) -> dict:
    """What a state file is, without changing it: {"problem": str | None,
    "empty": bool, "last_run": run id | None, "reports": int}."""
    path = Path(path)
    out = {"problem": None, "empty": False, "last_run": None, "reports": 0}
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return {**out, "empty": True, "problem": "missing"}
    if size == 0:
        return {**out, "empty": True, "problem": "empty (0 bytes)"}
    with open(path, "rb") as fh:
        if fh.read(16) != _SQLITE_MAGIC:
            return {**out, "problem": "damaged (not an SQLite database)"}
    # Read-only, and without a write-ahead log left over (a cleanly closed
    # state has none) immutable too: SQLite then creates no -shm/-wal files
    # beside a state it is only looking at.
    wal = path.with_name(path.name + "-wal").exists()
    try:
        db = sqlite3.connect(path.resolve().as_uri() + ("?mode=ro" if wal else "?mode=ro&immutable=1"), uri=True)
    except sqlite3.Error as exc:
        return {**out, "problem": f"unreadable ({exc})"}
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            return {**out, "problem": "damaged (quick_check: " + "; ".join(problems)[:160] + ")"}
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return {**out, "empty": True, "problem": "empty (no tables)"}
        missing = REQUIRED - tables
        if missing:
            return {**out, "problem": "not a govlaw state (no " + ", ".join(sorted(missing)) + " table)"}
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            return {**out, "problem": f"written by a newer govlaw (schema {version}, this one reads {SCHEMA_VERSION})"}
        row = db.execute("SELECT MAX(run_id) FROM runs WHERE finished IS NOT NULL").fetchone()
        out["last_run"] = row[0] if row else None
        out["reports"] = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        out["runs"] = {r for (r,) in db.execute("SELECT run_id FROM runs WHERE finished IS NOT NULL")}
    except sqlite3.DatabaseError as exc:
        return {**out, "problem": f"damaged ({exc})"}
    finally:
        db.close()
    return out


def check(path: str | Path, marker_path: str | Path | None = None, snapshot: str | Path | None = None) -> None:
    """Raise StateError unless the state at `path` can be used: a good state
    that holds the marker's run, or no state at all on a genuinely first run
    (no marker, no snapshot listing reports)."""
    path = Path(path)
    marker = read_marker(Path(marker_path)) if marker_path else None
    info = inspect(path)
    if info["empty"]:
        if marker:
            raise StateError(
                f"state file {path} is {info['problem']} but run {marker['run_id']} left "
                f"{marker.get('reports', '?')} reports in it ({marker_path}); {FIX}, "
                f"or delete {marker_path} to start a new state")
        listed = _snapshot_lines(snapshot)
        if listed:
            raise StateError(
                f"state file {path} is {info['problem']} but {snapshot} lists {listed} reports; {FIX}, "
                f"or move {snapshot} away to start a new state")
        return
    if info["problem"]:
        raise StateError(f"state file {path} is {info['problem']}; {FIX}")
    if marker and marker["run_id"] not in info["runs"]:
        raise StateError(
            f"state file {path} does not hold run {marker['run_id']}, the last one committed ({marker_path}): "
            f"it is an older or another output's state; {FIX}")


def write_marker(marker_path: str | Path, run_id: str, reports: int, state_path: str | Path) -> None:
    from govlaw.feed import atomic_write

    atomic_write(Path(marker_path), json.dumps(
        {"run_id": run_id, "reports": reports, "state": os.fspath(state_path)}, ensure_ascii=False,
        indent=2, sort_keys=True) + "\n")


def _snapshot_lines(snapshot) -> int:
    if not snapshot:
        return 0
    try:
        with open(snapshot, "rb") as fh:
            return sum(1 for line in fh if line.strip())
    except FileNotFoundError:
        return 0

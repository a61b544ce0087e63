"""State: the only memory between runs, behind one small interface."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from govlaw.state.base import OutputLocked, Store
from govlaw.state.guard import EX_STATE, MARKER, StateError, check
from govlaw.state.sqlite import SQLiteStore

__all__ = ["EX_STATE", "MARKER", "OutputLocked", "StateError", "Store", "SQLiteStore", "open_store"]


def is_server_url(location) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def open_store(path, output_dir=None) -> Store:
    """Open the state at `path` (a file, or a postgresql:// URL). With
    `output_dir` (a run's output), a state file is checked first against the
    marker and the snapshot there, and a lost, empty, damaged or foreign
    state raises StateError instead of passing for a first run."""
    if is_server_url(path):
        from govlaw.state.postgres import PostgresStore

        try:
            return PostgresStore(path)
        except Exception as exc:  # psycopg's errors: the server, the URL, the credentials
            raise StateError(f"state database {_without_password(path)} cannot be opened: "
                             f"{str(exc).strip().splitlines()[0]}", exit_code=2) from exc
    if output_dir is not None:
        output_dir = Path(output_dir)
        check(path, output_dir / MARKER, output_dir / "reports.jsonl")
    try:
        return SQLiteStore(path)
    except sqlite3.DatabaseError as exc:  # damaged in a way quick_check did not see
        raise StateError(f"state file {path} cannot be opened ({exc}); restore the last good state with "
                         "`govlaw state restore`") from exc


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url

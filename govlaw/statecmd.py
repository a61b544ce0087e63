"""`govlaw state`: look at the state, its backups and its versions; restore it.

    govlaw state check [--output D] [--state FILE]     is the state usable? which backups are there?
    govlaw state restore [RUN_ID] [--output D]         put back the newest good backup (or RUN_ID's)
    govlaw state versions REPORT_ID [--output D]       every version of a report, with its text

Exit status: 0 fine; 3 the state is lost or damaged (check), or no usable
backup (restore); 75 a run holds the output (restore waits for it to end).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from govlaw.state import backup, guard
from govlaw.state.guard import EX_STATE, StateError

EX_TEMPFAIL = 75


def add_parser(sub) -> None:
    p = sub.add_parser("state", help="check the state, restore it from a backup, show a report's versions",
                       description=__doc__.split("\n")[0])
    actions = p.add_subparsers(dest="action", required=True)
    for name, text in (("check", "verify the state and list its backups"),
                       ("restore", "restore the newest good backup, or the one of RUN_ID"),
                       ("versions", "print every version of a report (JSON lines, with title and body)")):
        a = actions.add_parser(name, help=text)
        if name == "restore":
            a.add_argument("run_id", nargs="?", metavar="RUN_ID")
        if name == "versions":
            a.add_argument("report_id", metavar="REPORT_ID")
        a.add_argument("--output", default="output", help="the output directory (default: output)")
        a.add_argument("--state", help="the state file, when not <output>/state.sqlite (GOVLAW_STATE_PATH)")
    p.set_defaults(func=main)


def main(args) -> int:
    output = Path(args.output)
    state = Path(args.state) if args.state else output / "state.sqlite"
    try:
        return {"check": check, "restore": restore, "versions": versions}[args.action](args, output, state)
    except StateError as exc:
        return _fail(str(exc), exc.exit_code)


def check(args, output: Path, state: Path) -> int:
    marker = guard.read_marker(output / guard.MARKER)
    info = guard.inspect(state)
    try:
        guard.check(state, output / guard.MARKER, output / "reports.jsonl")
        problem = None
    except StateError as exc:
        problem = exc
    if info["empty"] and problem is None:
        print(f"state {state}: none yet (a first run will create it)")
    elif problem is None:
        print(f"state {state}: ok, {info['reports']} reports, last run {info['last_run']}")
    print(f"marker {output / guard.MARKER}: " + (f"run {marker['run_id']}, {marker.get('reports', '?')} reports"
                                                   if marker else "none"))
    found = backup.backups(output)
    print(f"backups in {backup.backup_dir(output)}: " + ("none" if not found else "newest first"))
    for run_id, path in found:
        b = guard.inspect(path)
        status = b["problem"] or f"ok, {b['reports']} reports"
        print(f"  {run_id}  {path.stat().st_size:>10} bytes  {status}")
    if problem is not None:
        return _fail(str(problem), problem.exit_code)
    return 0


def restore(args, output: Path, state: Path) -> int:
    from govlaw.feed import export
    from govlaw.run import _lock
    from govlaw.state import OutputLocked, SQLiteStore

    try:
        lock = _lock(output)  # no run may write the state while it is replaced
    except OutputLocked as exc:
        return _fail(f"{exc}; wait for it to end, then restore", EX_TEMPFAIL)
    try:
        run_id, source, info = _pick(output, args.run_id)
        tmp = state.with_name(f".{state.name}.restore.tmp")
        shutil.copyfile(source, tmp)
        _fsync(tmp)
        if guard.inspect(tmp)["problem"]:  # the copy itself must read back
            tmp.unlink()
            raise StateError(f"copying {source} to {state} failed; check the disk, then restore again")
        if state.exists() and state.stat().st_size:
            # Kept, not deleted: whatever it still holds can be looked at.
            os.replace(state, state.with_name(state.name + ".before-restore"))
        # A write-ahead log left by the old file would be replayed into the restored one.
        for suffix in ("-wal", "-shm", "-journal"):
            state.with_name(state.name + suffix).unlink(missing_ok=True)
        os.replace(tmp, state)
        _fsync(state.parent)
        guard.write_marker(output / guard.MARKER, info["last_run"], info["reports"], state)
        store = SQLiteStore(state)
        try:
            export(store, output)  # the snapshot and Atom feed as the restored state has them
        finally:
            store.close()
    finally:
        lock.close()  # closing the file releases the lock
    print(f"restored {state} from {source} (run {run_id}: {info['reports']} reports, last run {info['last_run']})")
    return 0


def _pick(output: Path, run_id: str | None):
    found = backup.backups(output)
    if run_id:
        path = backup.path_for(output, run_id)
        if not path.exists():
            names = ", ".join(r for r, _ in found) or "none"
            raise StateError(f"no backup of run {run_id} in {backup.backup_dir(output)} (there are: {names})")
        info = guard.inspect(path)
        if info["problem"]:
            raise StateError(f"backup {path} is {info['problem']}; name another run, or omit RUN_ID for the newest good one")
        return run_id, path, info
    for rid, path in found:
        info = guard.inspect(path)
        if not info["problem"]:
            return rid, path, info
    raise StateError(f"no usable backup in {backup.backup_dir(output)}; the state must be rebuilt by a new crawl "
                     f"into an empty output directory")


def versions(args, output: Path, state: Path) -> int:
    from govlaw.state import SQLiteStore

    info = guard.inspect(state)
    if info["problem"]:
        raise StateError(f"state file {state} is {info['problem']}; restore the last good state with "
                         "`govlaw state restore`")
    store = SQLiteStore(state)
    try:
        rows = store.versions_of(args.report_id)
    finally:
        store.close()
    if not rows:
        return _fail(f"no report {args.report_id} in {state}; its id is the `id` field of reports.jsonl", 1)
    for row in rows:
        sys.stdout.write(json.dumps({"id": args.report_id, **row}, ensure_ascii=False) + "\n")
    return 0


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"govlaw: {message}\n")
    sys.stderr.flush()
    return code


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["add_parser", "main", "EX_STATE"]

"""The feed: a snapshot of every known report, a change file per run, an Atom feed.

Every file is written to a temporary name, flushed to disk and renamed over
the old one, so a reader (or a crash) never sees half a file. The files are
derived from the state, so a run that died after committing its state gets
its files written by the next run.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

ATOM_ENTRIES = 200


def _umask() -> int:
    """The process's umask, read without changing it where the system allows
    (os.umask sets it: another thread could create a file meanwhile)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data) -> None:
    """Write `data` (a string, or an iterable of strings written one after
    the other as they come) to `path` whole or not at all. The file gets the
    mode any new file gets (0644 under the usual umask 022), not mkstemp's
    0600: the feed is meant to be read, by a web server's user too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
            if isinstance(data, str):
                fh.write(data)
            else:
                for chunk in data:
                    fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def jsonl(records) -> str:
    return "".join(jsonl_lines(records))


def jsonl_lines(records):
    """One JSON line per record, made as each record is read: a snapshot of
    a national state is written without holding it in memory."""
    for r in records:
        yield json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"


def json_document(value, size: int = 1 << 16):
    """`value` as indented JSON (as json.dumps(..., indent=2, sort_keys=True)
    writes it), in pieces of about `size` characters: a run's summary of
    3,000 portals is half a million small strings when joined at once."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, sort_keys=True)
    piece, length = [], 0
    for chunk in encoder.iterencode(value):
        piece.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(piece)
            piece, length = [], 0
    yield "".join(piece) + "\n"


def export(store, output_dir: Path, feed_title: str = "govlaw: 法治政府建设年度报告") -> list[str]:
    """Write every run's change file that is not yet on disk, then the
    snapshot and the Atom feed. Returns the run ids exported."""
    output_dir = Path(output_dir)
    done = []
    # Runs not yet exported anywhere, and finished runs whose change file this
    # output directory lacks (another machine's worker exported them).
    missing = [r for r in store.finished_runs() if not (output_dir / "changes" / f"{r}.jsonl").exists()]
    for run_id in sorted(set(store.unexported_runs()) | set(missing)):
        atomic_write(output_dir / "changes" / f"{run_id}.jsonl", jsonl_lines(store.changes_of(run_id)))
        done.append(run_id)
    atomic_write(output_dir / "reports.jsonl", jsonl_lines(store.all_reports()))
    atomic_write(output_dir / "reports.atom", atom(store.recent_changes(ATOM_ENTRIES), feed_title))
    for run_id in done:
        store.mark_exported(run_id)
    return done


def atom(changes: list[dict], title: str) -> str:
    updated = max((c["at"] for c in changes), default="1970-01-01T00:00:00Z")
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"  <title>{escape(title)}</title>",
           "  <id>urn:govlaw:feed</id>",
           f"  <updated>{updated}</updated>",
           "  <generator>govlaw</generator>"]
    for c in changes:
        label = {"new": "新增", "updated": "更正", "withdrawn": "撤回"}.get(c["change"], c["change"])
        summary = f'{c["change"]}: {c.get("publisher") or ""} {c.get("report_year") or ""} (version {c["version"]})'
        out += ["  <entry>",
                f'    <id>urn:govlaw:{c["id"]}:v{c["version"]}:{c["change"]}</id>',
                f'    <title>[{label}] {escape(c.get("title") or c["id"])}</title>',
                f'    <updated>{c["at"]}</updated>',
                f'    <link href="{escape(c.get("url") or "", {chr(34): "&quot;"})}"/>',
                f'    <category term="{c["change"]}"/>',
                f"    <summary>{escape(summary.strip())}</summary>",
                "  </entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


# What differs between two runs that read the same pages: when, and which run.
RUN_TIMES = frozenset({"first_seen", "last_seen", "at", "run_id", "seen_at"})


def without_run_times(output_dir: Path) -> tuple[list[dict], list[dict]]:
    """An output directory's snapshot and change lines (every run's, in run
    order), without run ids and times: what two crawls of the same pages —
    one process or several, interrupted or not — must agree on."""
    def clean(line: dict) -> dict:
        out = {k: v for k, v in line.items() if k not in RUN_TIMES}
        if "history" in out:
            out["history"] = [{k: v for k, v in h.items() if k not in RUN_TIMES} for h in out["history"]]
        return out

    output_dir = Path(output_dir)
    reports = [clean(json.loads(x)) for x in (output_dir / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    changes = [clean(json.loads(x)) for f in sorted((output_dir / "changes").glob("*.jsonl"))
               for x in f.read_text(encoding="utf-8").splitlines()]
    return reports, changes

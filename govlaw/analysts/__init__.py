"""For analysts: the ledger (government × year → on time, late, missing…),
reports.csv and ledger.csv for spreadsheets, and govlaw.db for SQL and
Datasette, with full-text search.

Everything here is derived from the state after a run has committed it
(`export_all`, called by govlaw.closing once the feed is written), or again
on demand (`govlaw ledger`). Nothing here writes to the state.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from govlaw.analysts import csvs, database, ledger, statefile

logger = logging.getLogger(__name__)

DB_NAME = "govlaw.db"
METADATA_NAME = "govlaw.metadata.json"


@dataclass
class Options:
    """What the exports need besides the state: the settings that shape the
    ledger, and the sources' entries (the governments to account for)."""
    enabled: bool = True
    years: object = None                 # GOVLAW_LEDGER_YEARS
    due: str = ledger.DEFAULT_DUE         # GOVLAW_REPORT_DUE
    csv_bodies: bool = False              # GOVLAW_ANALYST_CSV_BODIES
    portals: list = field(default_factory=list)
    today: dt.date | None = None          # the run's date (UTC) unless given

    @classmethod
    def from_settings(cls, settings, portals) -> "Options":
        return cls(enabled=settings.getbool("GOVLAW_ANALYST_EXPORTS", True),
                   years=settings.get("GOVLAW_LEDGER_YEARS"),
                   due=str(settings.get("GOVLAW_REPORT_DUE") or ledger.DEFAULT_DUE).strip(),
                   csv_bodies=settings.getbool("GOVLAW_ANALYST_CSV_BODIES", False),
                   portals=list(portals or []))

    def check(self) -> list[int]:
        """The report years; a LedgerSettingError (one line) when a setting is wrong."""
        from govlaw.sources import due_problem

        if due_problem(self.due):
            raise ledger.LedgerSettingError(f"GOVLAW_REPORT_DUE={self.due!r} is not a day of the year written "
                                            "MM-DD; write e.g. -s GOVLAW_REPORT_DUE=04-01")
        return ledger.report_years(self.years, self.today or _today())


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def export_all(store, output_dir, options: Options | None = None) -> dict | None:
    """Write reports.csv, ledger.csv, govlaw.db and its Datasette metadata
    from the committed state. Never raises: the state and the feed are
    already written, and a failure here is logged, not allowed to undo them.
    Returns what was written (file → rows), or None."""
    options = options if options is not None else Options()
    if not options.enabled:
        return None
    # A state file is read on a read-only connection of its own; a database
    # server's state through the store's connection (the same statements).
    source = getattr(store, "path", None) or getattr(store, "db", None)
    if source is None:
        logger.warning("analysts' exports not written: the state cannot be read (%s)", type(store).__name__)
        return None
    try:
        return export(source, Path(output_dir), options)
    except ledger.LedgerSettingError as exc:
        logger.error("analysts' exports not written: %s", exc)
    except Exception:
        logger.exception("analysts' exports not written; the state and the feed are, and `govlaw ledger "
                         "--output %s` writes them again", output_dir)
    return None


def export(state, output_dir: Path, options: Options) -> dict:
    """The exports from the state file at `state` (a path), or through an
    open connection to the state; errors are raised."""
    import contextlib

    from govlaw.analysts import metadata

    years = options.check()
    today = options.today or _today()
    reading = statefile.open_read_only(state) if isinstance(state, (str, Path)) else contextlib.nullcontext(state)
    with reading as db:
        # Records without their bodies for the ledger and the CSV; bodies and
        # versions streamed into the database, one report at a time.
        reports = statefile.reports(db, bodies=options.csv_bodies)
        addresses = statefile.addresses(db)
        changes = list(statefile.changes(db))
        portal_runs = statefile.last_portal_runs(db)
        govs = ledger.governments(options.portals)
        owner_of = {r["id"]: ledger.report_owner(r) for r in reports}
        code_of = {g.owner: g.code for g in govs}
        report_government = {rid: code_of[o] for rid, o in owner_of.items() if o in code_of}
        rows = ledger.build(govs, reports, portal_runs, years, options.due, today, owner_of)
        csvs.write_reports(output_dir / "reports.csv", reports, report_government, options.csv_bodies)
        csvs.write_ledger(output_dir / "ledger.csv", rows)
        database.write(output_dir / DB_NAME, govs, statefile.iter_reports(db), report_government,
                       statefile.versions(db), addresses, changes, rows)
    metadata.write(output_dir / METADATA_NAME)
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ledger.STATUSES}
    logger.info("analysts' exports: %d reports, ledger of %d governments × %d years (%s)", len(reports), len(govs),
                len(years), ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    return {"reports.csv": len(reports), "ledger.csv": len(rows), DB_NAME: len(reports)}

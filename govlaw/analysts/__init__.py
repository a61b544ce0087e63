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
    def from_settings(cls, settings, portals) -> Options:
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


# What the ledger reads of a report; the rest of the record (sections, texts,
# history) is left behind as each record goes by.
LEDGER_FIELDS = ("id", "report_year", "withdrawn", "publish_date", "first_seen", "last_seen", "url", "missing_parts")


def export(state, output_dir: Path, options: Options, checkpoint=database.go_on) -> dict:
    """The exports from the state file at `state` (a path), or through an
    open connection to the state; errors are raised. `checkpoint` is called
    as each changed report is written into govlaw.db (see database.write)."""
    import contextlib

    from govlaw.analysts import metadata

    years = options.check()
    today = options.today or _today()
    reading = statefile.open_read_only(state) if isinstance(state, (str, Path)) else contextlib.nullcontext(state)
    with reading as db:
        govs = ledger.governments(options.portals)
        code_of = {g.owner: g.code for g in govs}
        wanted = set(years)
        # One pass over the records, one at a time: each gives its line of
        # reports.csv, and those that count for a government of the sources
        # keep what the ledger needs. Bodies are read only for the CSV's
        # column, when asked for, and by govlaw.db for the reports that changed.
        report_government: dict[str, str] = {}
        owner_of: dict[str, tuple] = {}
        counted: list[dict] = []

        def rows():
            for r in (statefile.iter_reports(db) if options.csv_bodies else statefile.lean_reports(db)):
                owner = ledger.report_owner(r)
                code = code_of.get(owner)
                if code is not None:
                    report_government[r["id"]] = code
                    if r.get("report_year") and int(r["report_year"]) in wanted:
                        owner_of[r["id"]] = owner
                        counted.append({k: r.get(k) for k in LEDGER_FIELDS})
                yield r

        csvs.write_reports(output_dir / "reports.csv", rows(), report_government, options.csv_bodies)
        # The ledger goes into govlaw.db row by row as it is judged; ledger.csv
        # is then read back from it, so the ledger is never held whole.
        judged = ledger.rows(govs, counted, statefile.last_portal_runs(db), years, options.due, today, owner_of)
        written = database.write(output_dir / DB_NAME, db, govs, report_government, judged, checkpoint)
    csvs.write_ledger(output_dir / "ledger.csv", database.read_ledger(output_dir / DB_NAME))
    metadata.write(output_dir / METADATA_NAME)
    counts = database.ledger_counts(output_dir / DB_NAME)
    logger.info("analysts' exports: %d reports (%s), ledger of %d governments × %d years (%s)", written.reports,
                "built whole" if written.built else f"{len(written.texts)} rewritten, {len(written.details)} updated, "
                f"{len(written.removed)} removed", len(govs), len(years),
                ", ".join(f"{k} {counts[k]}" for k in ledger.STATUSES if counts.get(k)))
    return {"reports.csv": written.reports, "ledger.csv": sum(counts.values()), DB_NAME: written.reports}

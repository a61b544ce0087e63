"""What the HTML report shows, read from the analysts' database
(<output>/govlaw.db): governments, the ledger of government × year, reports
with their sections, versions and addresses, and the change log.

Read-only and tolerant: a JSON column that does not parse is shown as empty
rather than stopping the report, and columns are read by name so a table
that gains columns does not break it."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from govlaw.errors import GovlawError


class ReportDataError(GovlawError):
    """The database is missing or is not the analysts' database."""


# Slots: a national ledger is some 20,000 cells, held while the pages are written.
@dataclass(slots=True)
class Cell:
    """One government × year of the ledger."""
    year: int
    status: str
    days_late: int | None = None
    due_date: str | None = None
    publish_date: str | None = None
    report_id: str | None = None
    missing_parts: list = field(default_factory=list)
    reason: str | None = None


@dataclass(slots=True)
class Government:
    code: str
    name: str
    level: str
    province: str
    cells: dict[int, Cell] = field(default_factory=dict)


# What the list of reports shows of each; a report's page reads the rest of
# its row when it is written (Dataset.report_rows).
LISTED = ("id", "report_year", "title", "publisher", "admin_level", "publish_date", "version", "missing_parts",
          "withdrawn", "region_code")
# The newest changes read; the change log itself can be as long as the state's history.
CHANGES_SHOWN = 500


@dataclass
class Dataset:
    years: list[int]
    governments: list[Government]          # in code order
    reports: list[dict]                    # every report's LISTED fields, newest year first
    changes: list[dict]                    # the newest CHANGES_SHOWN, newest first
    addresses: dict[str, list[dict]]       # report id → addresses
    ledger_of_report: dict[str, list[tuple[Government, Cell]]]
    db: sqlite3.Connection | None = None   # texts are read report by report, never all at once
    change_count: int = 0                  # changes in the database, shown or not

    def report_rows(self):
        """Every report's row without its texts, one at a time."""
        if self.db is None:
            yield from self.reports
            return
        cur = self.db.execute(f"SELECT {', '.join(_report_columns(self.db))} FROM reports ORDER BY id")
        names = [d[0] for d in cur.description]
        for row in cur:
            yield _report(dict(zip(names, row)))

    def texts(self, report: dict) -> dict:
        """The report with its body and sections, and its versions (oldest first) with theirs."""
        full = dict(report)
        if self.db is None:
            full.setdefault("versions", [])
            return full
        row = _rows(self.db, "SELECT body, sections FROM reports WHERE id = ?", report["id"])
        full["body"] = row[0]["body"] if row else None
        full["sections"] = json_list(row[0]["sections"]) if row else []
        full["versions"] = _rows(self.db, "SELECT * FROM versions WHERE report_id = ? ORDER BY version", report["id"])
        return full

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def provinces(self) -> list[str]:
        seen: dict[str, None] = {}
        for g in self.governments:
            seen.setdefault(g.province, None)
        return list(seen)


def json_list(value) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return []
    return parsed if isinstance(parsed, list) else []


def json_object(value) -> dict | None:
    if value in (None, ""):
        return None
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _rows(db: sqlite3.Connection, sql: str, *params) -> list[dict]:
    return list(_each(db, sql, *params))


def _each(db: sqlite3.Connection, sql: str, *params):
    """The rows as dicts, one at a time."""
    cur = db.execute(sql, params)
    names = [d[0] for d in cur.description]
    for row in cur:
        yield dict(zip(names, row))


def _report_columns(db: sqlite3.Connection) -> list[str]:
    return [name for (_, name, *_) in db.execute("PRAGMA table_info(reports)") if name not in ("body", "sections")]


def _report(r: dict) -> dict:
    r["missing_parts"] = json_list(r.get("missing_parts"))
    r["withdrawn"] = bool(r.get("withdrawn"))
    return r


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def load(db_path: Path) -> Dataset:
    if not db_path.is_file():
        raise ReportDataError(f"{db_path}: no analysts' database yet; a crawl writes it (or run the crawl again)")
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        wanted = {"governments", "reports", "versions", "addresses", "ledger", "changes"}
        if not wanted <= tables:
            raise ReportDataError(f"{db_path}: not govlaw's analysts' database (no table "
                                  f"{', '.join(sorted(wanted - tables))})")
        data = _read(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise ReportDataError(f"{db_path}: cannot be read ({exc})") from exc
    except BaseException:
        db.close()
        raise
    data.db = db
    return data


def _read(db: sqlite3.Connection) -> Dataset:
    governments: dict[str, Government] = {}
    for row in _rows(db, "SELECT * FROM governments ORDER BY code"):
        governments[row["code"]] = Government(row["code"], row.get("name") or row["code"], row.get("level") or "",
                                              row.get("province") or "")
    years: set[int] = set()
    ledger_of_report: dict[str, list] = {}
    seen: dict = {}

    def once(value):
        return seen.setdefault(value, value)

    for row in _each(db, "SELECT * FROM ledger ORDER BY government_code, year"):
        year = _int(row.get("year"))
        if year is None:
            continue
        code = row["government_code"]
        gov = governments.get(code)
        if gov is None:  # a ledger row for a government the table lacks: shown all the same
            gov = governments[code] = Government(code, row.get("government_name") or code, row.get("level") or "",
                                                 row.get("province") or "")
        # A national ledger repeats a few statuses, due days and reasons in
        # 20,000 cells: each is kept once.
        cell = Cell(year, once(row.get("status") or "unknown"), _int(row.get("days_late")), once(row.get("due_date")),
                    once(row.get("publish_date")), row.get("report_id"), json_list(row.get("missing_parts")),
                    once(row.get("reason")))
        gov.cells[year] = cell
        years.add(year)
        if cell.report_id:
            ledger_of_report.setdefault(cell.report_id, []).append((gov, cell))
    columns = [c for c in _report_columns(db) if c in LISTED]
    reports = [_report(r) for r in _rows(db, f"SELECT {', '.join(columns)} FROM reports")]
    reports.sort(key=lambda r: (-(_int(r.get("report_year")) or 0), r.get("region_code") or "", r["id"]))
    addresses: dict[str, list[dict]] = {}
    for row in _each(db, "SELECT * FROM addresses ORDER BY report_id, url"):
        addresses.setdefault(row["report_id"], []).append(row)
    changes = _rows(db, f"SELECT * FROM changes ORDER BY at DESC, run_id DESC, rowid LIMIT {CHANGES_SHOWN}")
    for c in changes:
        c["diff"] = json_object(c.get("diff"))
    govs = sorted(governments.values(), key=lambda g: g.code)
    return Dataset(sorted(years), govs, reports, changes, addresses, ledger_of_report,
                   change_count=db.execute("SELECT COUNT(*) FROM changes").fetchone()[0])

"""output/reports.csv and output/ledger.csv, for spreadsheets.

UTF-8 with a byte-order mark: Excel reads a CSV without one in the
system's code page and shows the Chinese as mojibake. The columns and their
order are fixed (README, "For analysts"); lists are written as JSON. Report
bodies are left out unless asked for (GOVLAW_ANALYST_CSV_BODIES): a
spreadsheet cell holds at most 32,767 characters, and a body can be longer.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from govlaw.analysts.ledger import COLUMNS as LEDGER_COLUMNS
from govlaw.extract.sections import MANDATED_PARTS
from govlaw.feed import atomic_write

BOM = "\ufeff"
REPORT_COLUMNS = ["id", "report_year", "publisher", "title", "government_code", "region_code", "admin_level",
                  "publish_date", "signed_date", "doc_number", "url", "portal", "version", "first_seen", "last_seen",
                  "withdrawn", "missing_parts", "parts_present"]


def _cell(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value


def _lines(columns: list[str], rows, batch: int = 500):
    """The CSV text in chunks: the BOM and the header, then `batch` rows at a time."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    yield BOM + buf.getvalue()
    buf.seek(0)
    buf.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow([_cell(row.get(c)) for c in columns])
        if n % batch == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def report_rows(reports, report_government: dict[str, str]):
    """One row per record of `reports` (an iterable, read once, as it goes)."""
    for r in reports:
        missing = list(r.get("missing_parts") or [])
        yield dict(r, government_code=report_government.get(r["id"]), missing_parts=missing,
                   parts_present=sum(1 for p in MANDATED_PARTS if p not in missing), withdrawn=bool(r.get("withdrawn")))


def write_reports(path: Path, reports, report_government: dict[str, str], bodies: bool = False) -> None:
    columns = REPORT_COLUMNS + (["body"] if bodies else [])
    atomic_write(Path(path), _lines(columns, report_rows(reports, report_government)))


def write_ledger(path: Path, rows) -> None:
    atomic_write(Path(path), _lines(LEDGER_COLUMNS, rows))

"""output/govlaw.metadata.json: titles, descriptions and canned queries for
Datasette (`datasette serve output/govlaw.db --metadata output/govlaw.metadata.json`)."""
from __future__ import annotations

import json
from pathlib import Path

from govlaw.analysts.search import SEARCH_SQL
from govlaw.feed import atomic_write

STATUS_NOTE = ("on_time / late (days_late counted from the due date to the publish date) / missing (due date "
               "passed, the portal's report column was read to its end after it, nothing found) / unknown (portal "
               "not crawled, unreachable, blocked, column not found: never counted as missing) / not_due / "
               "withdrawn. Due by 1 April of the next year unless the source says otherwise "
               "(《法治政府建设与责任落实督察工作规定》第二十五条).")

QUERIES = {
    "search": {
        "title": "Full-text search (two characters or more)",
        "description": "Reports whose title or body contains the phrase, e.g. 行政复议 or 复议.",
        "sql": SEARCH_SQL,
    },
    "no_report_for_year": {
        "title": "Governments of a province with no report for a year",
        "description": "Ledger rows marked missing; :province as in the ledger (江苏省), :year (2024).",
        "sql": "SELECT government_code, government_name, level, due_date, reason FROM ledger\n"
               "WHERE province = :province AND year = CAST(:year AS INTEGER) AND status = 'missing'\n"
               "ORDER BY level, government_code",
    },
    "missing_part": {
        "title": "Reports missing a mandated part",
        "description": "Part: measures, shortcomings, leadership_duties (第一责任人), next_year_plan, other.",
        "sql": "SELECT report_id, report_year, publisher, title, url FROM reports_missing_part\n"
               "WHERE part = :part ORDER BY report_year DESC, publisher",
    },
}


def metadata() -> dict:
    return {
        "title": "govlaw: 法治政府建设年度报告",
        "description": "Annual reports on building law-based government, who published them for which year, and "
                       "how late. Rebuilt after every crawl from govlaw's state.",
        "databases": {"govlaw": {
            "tables": {
                "governments": {"description": "The governments of the sources; a department's code is its "
                                               "source id, parent_code its government's."},
                "reports": {"description": "One row per report (the newest version). missing_parts is a JSON "
                                           "list; sections a JSON list of {heading, part, text}."},
                "versions": {"description": "Every version of every report, with its title and body."},
                "addresses": {"description": "Every address a report was found at."},
                "ledger": {"description": "One row per government and report year. " + STATUS_NOTE},
                "changes": {"description": "New, corrected and withdrawn reports, run by run."},
                "reports_fts": {"hidden": True},
                "report_digests": {"hidden": True},
                "export_inputs": {"hidden": True},
                "missing_by_province": {"description": "Governments with a missing report, by province and year."},
                "days_late_by_level": {"description": "Published reports, how many late and by how much, by "
                                                      "level and year."},
                "reports_missing_part": {"description": "One row per report and mandated part it lacks."},
                "ledger_summary": {"description": "Ledger rows by year and status."},
            },
            "queries": QUERIES,
        }},
    }


def write(path: Path) -> None:
    atomic_write(Path(path), json.dumps(metadata(), ensure_ascii=False, indent=2) + "\n")

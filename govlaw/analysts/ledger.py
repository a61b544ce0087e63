"""The ledger: for every government of the sources and every report year,
the report expected of it, when it was due, and what became of it.

The annual report on building law-based government is due by 1 April of the
following year: 《法治政府建设与责任落实督察工作规定》(厅字〔2019〕28号, in force
15 April 2019) 第二十五条 has local governments and their departments make
the past year's report public, through newspapers or websites, before
(之前) 1 April — read here as "on 1 April at the latest". Some provinces set
other dates for their departments (1 March), so a source may carry its own
`due: "MM-DD"`.

A report counts for the government that published it. A department's report
(江西省司法厅, 海门区司法局, a 人民政府办公室) counts for the department, and a
township's (包场镇人民政府) for the township, not for the government above
them: a department listed in the sources has rows of its own.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from govlaw import registry as registry_mod
from govlaw.analysts.statefile import PortalRun

logger = logging.getLogger(__name__)

STATUSES = ("on_time", "late", "missing", "unknown", "not_due", "withdrawn")
GOVERNMENT_LEVELS = ("province", "city", "county")
FIRST_YEAR = 2019  # the year the 督察工作规定 made the annual report a duty
DEFAULT_DUE = "04-01"

COLUMNS = ["government_code", "government_name", "level", "province", "year", "due_date", "status",
           "days_late", "report_id", "report_url", "publish_date", "missing_parts", "reason"]


class LedgerSettingError(ValueError):
    """GOVLAW_LEDGER_YEARS or GOVLAW_REPORT_DUE cannot be read."""


@dataclass(frozen=True)
class Government:
    """One entry of the sources, as the ledger counts it."""
    code: str              # registry code; the source id for a department or township
    name: str
    level: str | None
    province: str | None
    parent_code: str | None
    portal: str            # the source id: the portal whose crawls are the evidence
    home_url: str | None
    due: str | None        # the source's own MM-DD, else the setting's
    owner: tuple           # what a report's publisher must resolve to, to count here


@dataclass(frozen=True)
class Verdict:
    status: str
    days_late: int | None = None
    report: dict | None = None
    reason: str | None = None


# -- settings ------------------------------------------------------------------------

def report_years(value, today: dt.date) -> list[int]:
    """GOVLAW_LEDGER_YEARS: "2019-2024", "2021-" (to last year), "2022,2024", a
    list of years, or None/"" for 2019 to last year (relative to `today`)."""
    last = today.year - 1
    if value in (None, ""):
        return list(range(FIRST_YEAR, last + 1))
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    years: set[int] = set()
    for item in items:
        text = str(item).strip()
        m = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})?", text)
        if m:
            start, end = int(m.group(1)), int(m.group(2) or last)
            if end < start:
                raise LedgerSettingError(f"GOVLAW_LEDGER_YEARS: {text!r} ends before it starts; write e.g. 2019-2024")
            years.update(range(start, end + 1))
        elif re.fullmatch(r"\d{4}", text):
            years.add(int(text))
        elif text:
            raise LedgerSettingError(f"GOVLAW_LEDGER_YEARS: {text!r} is not a year or a range; write e.g. "
                                     "2019-2024, 2021- or 2022,2024")
    return sorted(years)


def due_date(year: int, month_day: str) -> dt.date:
    """The day the report of `year` is due: MM-DD of the next year (02-29
    falls back to 02-28 in a common year)."""
    month, day = map(int, month_day.split("-"))
    try:
        return dt.date(year + 1, month, day)
    except ValueError:
        return dt.date(year + 1, month, day - 1)


# -- who is who ----------------------------------------------------------------------

def _organ_key(organ: str) -> str:
    return re.sub(r"\s+", "", organ or "")


def governments(portals, registry=None) -> list[Government]:
    """The sources' entries as governments, with the registry's codes, levels
    and provinces. Two entries for one government keep the first."""
    registry = registry or registry_mod.load()
    out: dict[str, Government] = {}
    for p in portals:
        match = registry.match_publisher(p.name, p.region_code)
        entry = match.entry if match else registry.get(p.region_code)
        level = p.level or (match.level if match else (entry.level if entry else None))
        province = registry.province(entry).name if entry else None
        if level in GOVERNMENT_LEVELS and entry is not None:
            code, parent, owner = entry.code, entry.parent, ("government", entry.code)
        elif level in GOVERNMENT_LEVELS:
            code = p.region_code or p.id
            parent, owner = None, ("government", code)
        else:
            # A department or a township: its own rows, under its government's code.
            code, parent = p.id, entry.code if entry else p.region_code
            organ = match.organ if match else p.name
            owner = ("organ", parent, _organ_key(organ))
        home = p.home_url or (entry.home_url if entry else None)
        if code in out:
            logger.warning("ledger: sources entries %s and %s are the same government (%s); the ledger keeps %s",
                           out[code].portal, p.id, code, out[code].portal)
            continue
        out[code] = Government(code, p.name, level, province, parent, p.id, home, p.due, owner)
    return list(out.values())


def report_owner(record: dict, registry=None) -> tuple | None:
    """Whose report this is, in the terms of Government.owner."""
    registry = registry or registry_mod.load()
    match = registry.match_publisher(record.get("publisher"), record.get("region_code"))
    if match is not None:
        if match.level in GOVERNMENT_LEVELS:
            return ("government", match.entry.code)
        return ("organ", match.entry.code, _organ_key(match.organ))
    code = record.get("region_code")
    if record.get("admin_level") in GOVERNMENT_LEVELS and code:
        entry = registry.get(code)
        return ("government", entry.code if entry else code)
    if record.get("publisher") and code:
        return ("organ", code, _organ_key(record["publisher"]))
    return None


# -- the status ----------------------------------------------------------------------

def evidence_date(record: dict) -> tuple[dt.date | None, str | None]:
    """The day a report is taken to have been published, and a note when it
    is not its stated publish date: a report without one is dated by the day
    govlaw first saw it (a late date at worst, never an early one)."""
    for key, note in (("publish_date", None), ("first_seen", "no publish date: first seen {} taken as published")):
        value = record.get(key)
        try:
            day = dt.date.fromisoformat(str(value)[:10]) if value else None
        except ValueError:
            day = None
        if day is not None:
            return day, note.format(day.isoformat()) if note else None
    return None, "no publish date and no first-seen date"


def judge(due: dt.date, today: dt.date, reports: list[dict], portal_run: PortalRun | None) -> Verdict:
    """The status of one government's report for one year.

    - on_time: a report (not withdrawn) published on or before the due day;
      late: published after it, days_late counted from the due day to the
      publish day (published 2 April against 1 April: 1 day late). The first
      published of several reports counts. A report without a publish date
      is dated by its first sighting, and the reason says so.
    - withdrawn: every report found for the year has been taken down.
    - not_due: no report, and the due day has not passed yet (today is the
      due day or before).
    - missing: no report, the due day has passed, and the newest crawl of
      the government's portal, made after the due day, reached its report
      column (pages read, or answered 304 Not Modified) with no listing
      failure and no flag on the portal.
    - unknown: no report, the due day has passed, and the portal was never
      crawled, last crawled on or before the due day, unreachable, blocked
      by a challenge, its column not found, or its listing read only in part.
      Absence is never claimed without evidence of a complete look.
    """
    active = [r for r in reports if not r.get("withdrawn")]
    if active:
        dated = sorted(((evidence_date(r), r["id"], r) for r in active),
                       key=lambda t: (t[0][0] or dt.date.max, t[1]))
        (day, note), _, report = dated[0]
        if day is None:
            return Verdict("unknown", None, report, note)
        if day <= due:
            return Verdict("on_time", 0, report, note)
        return Verdict("late", (day - due).days, report, note)
    if reports:
        newest = max(reports, key=lambda r: (r.get("last_seen") or "", r["id"]))
        return Verdict("withdrawn", None, newest, "the report was taken down from every address it was found at")
    if today <= due:
        return Verdict("not_due", None, None, None)
    return _absence(due, portal_run)


def _absence(due: dt.date, portal_run: PortalRun | None) -> Verdict:
    """No report after the due day: missing only on evidence of a complete look."""
    if portal_run is None:
        return Verdict("unknown", reason="portal not crawled")
    s, crawled = portal_run.summary, portal_run.crawled_on
    when = f"run {portal_run.run_id}"
    if crawled is None or crawled <= due:
        return Verdict("unknown", reason=f"portal last crawled in {when}, not after the due date")
    if s.get("flag"):
        return Verdict("unknown", reason=f"{when}: {s['flag']}")
    # A listing that answered 304 Not Modified was reached as surely as one read again.
    reached = (s.get("listing_pages") or 0) + (s.get("not_modified") or 0)
    if not reached and (s.get("blocked") or s.get("challenge")):
        what = f" ({s['challenge']})" if s.get("challenge") else ""
        return Verdict("unknown", reason=f"{when}: blocked by a challenge{what}, no listing page read")
    if not reached:
        return Verdict("unknown", reason=f"{when}: no listing page read")
    if s.get("listing_failures"):
        failures = "; ".join(s["listing_failures"][:2])
        return Verdict("unknown", reason=f"{when}: listing read only in part ({failures})")
    via = f", column found via {s['found_via']}" if s.get("found_via") else ""
    return Verdict("missing", reason=f"{when}: report column reached ({s.get('listing_pages') or 0} listing pages "
                                     f"read, {s.get('not_modified') or 0} unchanged){via}, no report for the year")


# -- the rows ------------------------------------------------------------------------

def build(govs: list[Government], records: list[dict], portal_runs: dict[str, PortalRun], years: list[int],
          default_due: str = DEFAULT_DUE, today: dt.date | None = None, owners: dict[str, tuple] | None = None,
          registry=None) -> list[dict]:
    """One row per government and year, in the order of the sources, then year.
    `owners`: report id → report_owner, when already worked out."""
    return list(rows(govs, records, portal_runs, years, default_due, today, owners, registry))


def rows(govs: list[Government], records: list[dict], portal_runs: dict[str, PortalRun], years: list[int],
         default_due: str = DEFAULT_DUE, today: dt.date | None = None, owners: dict[str, tuple] | None = None,
         registry=None):
    """The rows of `build` one at a time: the exports write them as they
    come, and a national ledger is never held whole."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    registry = registry or registry_mod.load()
    by_owner: dict[tuple, dict[int, list[dict]]] = {}
    for record in records:
        owner = owners[record["id"]] if owners is not None else report_owner(record, registry)
        if owner is not None and record.get("report_year"):
            by_owner.setdefault(owner, {}).setdefault(int(record["report_year"]), []).append(record)
    for gov in govs:
        mine = by_owner.get(gov.owner, {})
        for year in years:
            due = due_date(year, gov.due or default_due)
            verdict = judge(due, today, mine.get(year, []), portal_runs.get(gov.portal))
            report = verdict.report or {}
            yield {
                "government_code": gov.code, "government_name": gov.name, "level": gov.level,
                "province": gov.province, "year": year, "due_date": due.isoformat(), "status": verdict.status,
                "days_late": verdict.days_late, "report_id": report.get("id"), "report_url": report.get("url"),
                "publish_date": report.get("publish_date"),
                "missing_parts": list(report.get("missing_parts") or []) if report else None,
                "reason": verdict.reason}

"""The coverage matrix: governments × years, one cell per ledger entry.

At 3,000 governments one table would be 21,000 cells; the overview counts
statuses per province and level × year, and each province has its own page
with a row per government. Both filter by province and level in the page
(assets/report.js): rows carry data-province and data-level."""
from __future__ import annotations

from collections import Counter

from govlaw.htmlreport.data import Cell, Dataset, Government
from govlaw.htmlreport.layout import (
    LEVELS,
    STATUSES,
    esc,
    file_name,
    level_label,
    status_label,
    status_letter,
)


def province_file(index: int) -> str:
    return f"province-{index:02d}.html"


def province_files(data: Dataset) -> dict[str, str]:
    return {name: province_file(i) for i, name in enumerate(data.provinces(), 1)}


def cell_title(gov: Government, cell: Cell) -> str:
    words = [f"{gov.name} {cell.year}: {status_label(cell.status)}"]
    if cell.status == "late" and cell.days_late is not None:
        words.append(f"{cell.days_late} days late")
    if cell.publish_date:
        words.append(f"published {cell.publish_date}")
    if cell.due_date:
        words.append(f"due {cell.due_date}")
    if cell.missing_parts:
        words.append("missing parts: " + ", ".join(map(str, cell.missing_parts)))
    if cell.reason:
        words.append(cell.reason)
    return "; ".join(words)


def _cell(gov: Government, cell: Cell | None, year: int, root: str) -> str:
    if cell is None:
        return '<td class="cell none" title="no ledger entry">·</td>'
    text = esc(status_letter(cell.status))
    if cell.status == "late" and cell.days_late is not None:
        text += f'<small>+{cell.days_late}d</small>'
    if cell.report_id:
        text = f'<a href="{root}reports/{file_name(cell.report_id)}">{text}</a>'
    return (f'<td class="cell st-{esc(cell.status)}" data-status="{esc(cell.status)}" data-year="{year}" '
            f'title="{esc(cell_title(gov, cell))}">{text}</td>')


def _filters(provinces: list[str] | None, levels: list[str], table_id: str) -> str:
    out = [f'<form class="filters" data-table="{table_id}">']
    if provinces is not None:
        options = "".join(f'<option value="{esc(p)}">{esc(p)}</option>' for p in provinces)
        out.append(f'<label>Province <select name="province"><option value="">all</option>{options}</select></label>')
    options = "".join(f'<option value="{esc(lv)}">{esc(level_label(lv))}</option>' for lv in levels)
    out.append(f'<label>Level <select name="level"><option value="">all</option>{options}</select></label>')
    out.append(f'<output class="shown" id="{table_id}-shown" aria-live="polite"></output></form>')
    return "".join(out)


def _levels(govs: list[Government]) -> list[str]:
    known = list(LEVELS)
    present = {g.level for g in govs}
    return [lv for lv in known if lv in present] + sorted(present - set(known))


def overview(data: Dataset) -> str:
    """Counts per (province, level) × year; a row links to its province's page."""
    files = province_files(data)
    groups: dict[tuple[str, str], list[Government]] = {}
    for g in data.governments:
        groups.setdefault((g.province, g.level), []).append(g)
    order = {lv: i for i, lv in enumerate(_levels(data.governments))}
    head = "".join(f"<th scope='col'>{y}</th>" for y in data.years)
    rows = []
    for (province, level), govs in sorted(groups.items(), key=lambda kv: (files[kv[0][0]], order[kv[0][1]])):
        cells = []
        for year in data.years:
            counts = Counter(g.cells[year].status for g in govs if year in g.cells)
            parts = [f'<span class="count st-{s}" title="{n} {esc(status_label(s))}">'
                     f"{esc(status_letter(s))}&nbsp;{n}</span>" for s in STATUSES if (n := counts.get(s))]
            cells.append(f'<td data-year="{year}">{" ".join(parts) or "·"}</td>')
        rows.append(f'<tr data-province="{esc(province)}" data-level="{esc(level)}">'
                    f'<th scope="row"><a href="{files[province]}">{esc(province)}</a></th>'
                    f"<td>{esc(level_label(level))}</td><td>{len(govs)}</td>{''.join(cells)}</tr>")
    return (_filters(list(files), _levels(data.governments), "overview")
            + '<table class="matrix overview filterable" id="overview"><thead><tr><th scope="col">Province</th>'
            f"<th scope='col'>Level</th><th scope='col'>Governments</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def province_page(data: Dataset, province: str) -> str:
    govs = [g for g in data.governments if g.province == province]
    head = "".join(f"<th scope='col'>{y}</th>" for y in data.years)
    rows = []
    for g in govs:
        cells = "".join(_cell(g, g.cells.get(y), y, "") for y in data.years)
        rows.append(f'<tr data-province="{esc(province)}" data-level="{esc(g.level)}" data-code="{esc(g.code)}">'
                    f'<th scope="row">{esc(g.name)} <small>{esc(g.code)}</small></th>'
                    f"<td>{esc(level_label(g.level))}</td>{cells}</tr>")
    totals = Counter(c.status for g in govs for c in g.cells.values())
    summary = ", ".join(f"{totals[s]} {status_label(s)}" for s in STATUSES if totals.get(s))
    return (f"<p>{len(govs)} governments; {esc(summary)}. Each cell is a year's report: hover for dates, "
            "click to open it.</p>"
            + _filters(None, _levels(govs), "matrix")
            + '<table class="matrix filterable" id="matrix"><thead><tr><th scope="col">Government</th>'
            f"<th scope='col'>Level</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")

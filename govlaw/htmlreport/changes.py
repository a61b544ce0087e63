"""The latest changes (new, corrected with what changed, withdrawn) and the
list of every report."""
from __future__ import annotations

from govlaw.htmlreport.data import CHANGES_SHOWN, Dataset
from govlaw.htmlreport.layout import esc, file_name, level_label

KINDS = {"new": "new", "updated": "corrected", "withdrawn": "withdrawn"}
# Changes listed on their page; the overview shows the first few.
LIMIT = CHANGES_SHOWN


def _what_changed(change: dict) -> str:
    d = change.get("diff") or {}
    if change.get("change") != "updated" or not d:
        return ""
    words = [f"{d[k]} {label}" for k, label in (("paragraphs_changed", "paragraphs changed"),
                                                ("paragraphs_added", "added"), ("paragraphs_removed", "removed"))
             if isinstance(d.get(k), int) and d[k]]
    return "; ".join(words) or "same paragraphs, other details"


def changes_table(data: Dataset, limit: int = LIMIT, root: str = "") -> str:
    shown = data.changes[:limit]
    if not shown:
        return "<p>No changes recorded yet.</p>"
    known = {r["id"] for r in data.reports}
    rows = []
    for c in shown:
        kind = c.get("change") or ""
        title = esc(c.get("title") or c.get("report_id"))
        if c.get("report_id") in known:
            anchor = "#versions" if kind == "updated" else ""
            title = f'<a href="{root}reports/{file_name(c["report_id"])}{anchor}">{title}</a>'
        rows.append(f'<tr class="change-{esc(kind)}" data-change="{esc(kind)}"><td>{esc(c.get("at"))}</td>'
                    f'<td><span class="kind kind-{esc(kind)}">{esc(KINDS.get(kind, kind))}</span></td>'
                    f"<td>{title}</td><td>{esc(_what_changed(c))}</td></tr>")
    more = (f"<p>{data.change_count - limit} older changes are in govlaw.db (table changes).</p>"
            if data.change_count > limit and limit == LIMIT else "")
    return ('<table class="changes"><thead><tr><th>When</th><th>Change</th><th>Report</th><th>What changed</th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}")


def reports_table(data: Dataset) -> str:
    rows = []
    for r in data.reports:
        missing = r.get("missing_parts") or []
        state = "withdrawn" if r.get("withdrawn") else ""
        rows.append(f'<tr class="{state}"><td>{esc(r.get("report_year"))}</td>'
                    f'<td><a href="reports/{file_name(r["id"])}">{esc(r.get("title") or r["id"])}</a></td>'
                    f"<td>{esc(r.get('publisher'))}</td><td>{esc(level_label(r.get('admin_level') or ''))}</td>"
                    f"<td>{esc(r.get('publish_date'))}</td><td>{esc(r.get('version'))}</td>"
                    f"<td>{esc(', '.join(map(str, missing)) or '—')}</td><td>{esc(state)}</td></tr>")
    return (f"<p>{len(data.reports)} reports.</p><table class='reports'><thead><tr><th>Year</th><th>Title</th>"
            "<th>Publisher</th><th>Level</th><th>Published</th><th>Version</th><th>Missing parts</th><th></th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")

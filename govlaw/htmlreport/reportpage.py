"""A page per report: what it is, whether it is in the ledger on time, its
five mandated parts, its text by sections, every address where it was
found, and its versions with what changed between them."""
from __future__ import annotations

from govlaw.htmlreport import diff
from govlaw.htmlreport.data import Dataset
from govlaw.htmlreport.layout import (
    esc,
    level_label,
    paragraphs,
    parts_present,
    parts_table,
    status_label,
)

FACTS = [("report_year", "Report year"), ("publisher", "Publisher"), ("region_code", "Region code"),
         ("admin_level", "Level"), ("publish_date", "Published"), ("signed_date", "Signed"),
         ("doc_number", "Document number"), ("portal", "Portal"), ("version", "Version"),
         ("first_seen", "First seen")]
# Not the last sighting: it moves at every run for every report still
# online, and a page that changed with it would be written again at every run
# (govlaw.db and reports.csv have it).


def _link(url: str | None) -> str:
    if not url:
        return ""
    # Only web addresses become links: a javascript: or data: address from a page stays text.
    if str(url).lower().startswith(("http://", "https://")):
        return f'<a href="{esc(url)}" rel="noreferrer">{esc(url)}</a>'
    return esc(url)


def facts(report: dict) -> str:
    rows = []
    for key, label in FACTS:
        value = report.get(key)
        if value in (None, ""):
            continue
        shown = level_label(value) if key == "admin_level" else value
        rows.append(f"<tr><th scope='row'>{esc(label)}</th><td>{esc(shown)}</td></tr>")
    rows.append(f"<tr><th scope='row'>Address</th><td>{_link(report.get('url'))}</td></tr>")
    if report.get("withdrawn"):
        rows.append("<tr class='withdrawn'><th scope='row'>Status</th><td>withdrawn: gone from every address</td></tr>")
    return f'<table class="facts">{"".join(rows)}</table>'


def ledger_lines(data: Dataset, report: dict) -> str:
    entries = data.ledger_of_report.get(report["id"], [])
    if not entries:
        return ""
    items = []
    for gov, cell in entries:
        late = f", {cell.days_late} days late" if cell.status == "late" and cell.days_late is not None else ""
        due = f" (due {cell.due_date})" if cell.due_date else ""
        items.append(f'<li class="st-{esc(cell.status)}">{esc(gov.name)} {cell.year}: '
                     f"<b>{esc(status_label(cell.status))}</b>{esc(late)}{esc(due)}</li>")
    return f'<h2>In the ledger</h2><ul class="ledger">{"".join(items)}</ul>'


def sections(report: dict) -> str:
    secs = report.get("sections") or []
    if not secs:
        return f'<h2>Text</h2><div class="text">{paragraphs(report.get("body"))}</div>'
    out = ['<h2>Text, by sections</h2><nav class="toc"><ol>']
    out += [f'<li><a href="#s{i}">{esc(s.get("heading") or "(no heading)")}</a></li>' for i, s in enumerate(secs, 1)]
    out.append("</ol></nav>")
    for i, s in enumerate(secs, 1):
        part = s.get("part")
        badge = f' <span class="part-badge" data-part="{esc(part)}">{esc(part)}</span>' if part else ""
        out.append(f'<section class="section" id="s{i}"><h3><span class="heading">{esc(s.get("heading") or "(no heading)")}</span>{badge}</h3>'
                   f'{paragraphs(s.get("text"))}</section>')
    return "\n".join(out)


def addresses(data: Dataset, report: dict) -> str:
    rows = data.addresses.get(report["id"], [])
    if not rows:
        return ""
    items = "".join(f"<li>{_link(a.get('url'))} <small>portal {esc(a.get('portal') or '—')}</small></li>"
                    for a in rows)
    return f'<h2>Found at {len(rows)} address{"es" if len(rows) != 1 else ""}</h2><ul class="addresses">{items}</ul>'


def versions(report: dict) -> str:
    vs = report.get("versions") or []
    if not vs:
        return ""
    rows = "".join(f"<tr><td>{esc(v.get('version'))}</td><td>{esc(v.get('seen_at'))}</td>"
                   f"<td>{esc(v.get('title'))}</td><td><code>{esc(str(v.get('content_hash') or '')[:12])}</code></td></tr>"
                   for v in vs)
    out = [f'<h2 id="versions">Versions</h2><table class="versions"><thead><tr><th>Version</th><th>Seen</th><th>Title</th>'
           f"<th>Content hash</th></tr></thead><tbody>{rows}</tbody></table>"]
    for older, newer in zip(vs, vs[1:]):
        title = f"Version {esc(older.get('version'))} → {esc(newer.get('version'))}"
        if older.get("body") is None or newer.get("body") is None:
            out.append(f"<h3>{title}</h3><p>The older text was not kept.</p>")
            continue
        html, counts = diff.render(older["body"], newer["body"])
        if older.get("title") != newer.get("title"):
            html = (f'<p class="title-change">Title: {diff.inline(older.get("title") or "", newer.get("title") or "")}'
                    f"</p>{html}")
        summary = f"{counts['changed']} changed, {counts['added']} added, {counts['removed']} removed paragraphs"
        out.append(f'<section class="version-diff" id="diff-{esc(newer.get("version"))}"><h3>{title}</h3>'
                   f'<p class="diff-summary">{summary}</p>{html}</section>')
    return "\n".join(out)


def report_page(data: Dataset, report: dict) -> str:
    report = data.texts(report)
    return "\n".join(part for part in (
        facts(report),
        ledger_lines(data, report),
        '<h2 id="parts">Mandated parts</h2>' + parts_table(parts_present(report), report.get("sections") or []),
        sections(report),
        addresses(data, report),
        versions(report),
    ) if part)

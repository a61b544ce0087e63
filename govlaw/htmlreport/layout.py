"""The frame every page of the HTML report shares, and the words it shows.

Everything from the database came from the web: it is escaped here, once, by
`esc`, and no page writes a value without it. Pages link to the shipped
stylesheet and script by relative paths, so the report opens from the file
system with no server and no network."""
from __future__ import annotations

import html
import json
import re

from govlaw.extract.sections import MANDATED_PARTS

# The ledger's statuses: the letter a cell shows (so the matrix reads without
# colour), and the words of the legend.
STATUSES = {
    "on_time": ("O", "on time", "published by the deadline"),
    "late": ("L", "late", "published after the deadline"),
    "missing": ("M", "missing", "due, and not found on the government's portal"),
    "withdrawn": ("W", "withdrawn", "found, then gone from every address"),
    "not_due": ("N", "not due", "its deadline has not come yet"),
    "unknown": ("?", "unknown", "its portal was not read completely after the deadline"),
}

# The five parts a report must have (法治政府建设与责任落实督察工作规定), by the
# names the extractor gives them and the names the reports use.
PART_NAMES = {
    "measures": "主要举措和成效",
    "shortcomings": "存在的不足和原因",
    "leadership_duties": "党政主要负责人履行推进法治建设第一责任人职责情况",
    "next_year_plan": "下一年度工作安排",
    "other": "其他",
}
assert list(PART_NAMES) == MANDATED_PARTS

LEVELS = {"province": "省级 province", "city": "市级 city", "county": "县级 county",
          "township": "乡级 township", "department": "部门 department"}


def esc(value) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def status_letter(status: str) -> str:
    return STATUSES.get(status, ("?",))[0]


def status_label(status: str) -> str:
    return STATUSES[status][1] if status in STATUSES else status


def level_label(level: str) -> str:
    return LEVELS.get(level, level or "—")


def file_name(report_id: str) -> str:
    """A report's page name: its id, with anything but [A-Za-z0-9_-] replaced."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", report_id or "_") + ".html"


def paragraphs(text: str | None) -> str:
    """Plain text as paragraphs: blank lines split them, single newlines break lines."""
    out = []
    for block in re.split(r"\n\s*\n", text or ""):
        if block.strip():
            out.append("<p>" + "<br>".join(esc(line) for line in block.strip().split("\n")) + "</p>")
    return "\n".join(out)


def page(title: str, body: str, root: str = "", crumbs: list[tuple[str, str]] | None = None) -> str:
    """A whole page. `root` is the relative path back to the report's top
    folder ("" or "../"); `crumbs` are (href from the root, label) pairs."""
    nav = [f'<a href="{root}index.html">Overview</a>', f'<a href="{root}reports.html">Reports</a>',
           f'<a href="{root}changes.html">Latest changes</a>']
    trail = "".join(f' › <a href="{root}{esc(href)}">{esc(label)}</a>' for href, label in crumbs or [])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No favicon request: a page opened from the file system asks for nothing it does not ship.
        '<link rel="icon" href="data:,">\n'
        f"<title>{esc(title)} · govlaw</title>\n"
        f'<link rel="stylesheet" href="{root}assets/report.css">\n'
        f'<script src="{root}assets/report.js" defer></script>\n'
        "</head>\n<body>\n"
        f'<header><nav>{" · ".join(nav)}</nav><div class="crumbs">govlaw{trail}</div></header>\n'
        f"<main>\n<h1>{esc(title)}</h1>\n{body}\n</main>\n"
        "<footer>法治政府建设年度报告 — written by govlaw from govlaw.db</footer>\n"
        "</body>\n</html>\n")


def legend() -> str:
    items = "".join(f'<li><span class="cell st-{s}" aria-hidden="true">{esc(letter)}</span> '
                    f"<b>{esc(label)}</b> — {esc(words)}</li>"
                    for s, (letter, label, words) in STATUSES.items())
    return f'<ul class="legend" aria-label="legend">{items}</ul>'


def parts_present(report: dict) -> set[str]:
    """The mandated parts a report has: its parts_present list when the
    database gives one, else the five less its missing_parts."""
    listed = report.get("parts_present")
    if isinstance(listed, str):
        try:
            listed = json.loads(listed)
        except ValueError:
            listed = None
    if isinstance(listed, list):
        return {p for p in listed if p in PART_NAMES}
    return set(PART_NAMES) - set(report.get("missing_parts") or [])


def parts_table(present: set[str], sections: list[dict]) -> str:
    """The five mandated parts: present or missing, with the headings that hold each."""
    headings: dict[str, list[str]] = {}
    for s in sections:
        if s.get("part"):
            headings.setdefault(s["part"], []).append(s.get("heading") or "")
    rows = []
    for part, name in PART_NAMES.items():
        has = part in present
        where = "；".join(headings.get(part, []))
        rows.append(f'<tr class="{"present" if has else "missing"}" data-part="{part}">'
                    f"<td>{esc(name)}</td><td><code>{part}</code></td>"
                    f'<td class="mark">{"✓ present" if has else "✗ missing"}</td><td>{esc(where)}</td></tr>')
    return ('<table class="parts"><caption>The five mandated parts</caption>'
            "<thead><tr><th>Part</th><th>Key</th><th>In this report</th><th>Section headings</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")

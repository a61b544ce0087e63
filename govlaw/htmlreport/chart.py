"""The timeliness chart: when reports were published against their
deadline, year by year — a strip plot in plain SVG, drawn here (no script,
no library), with a table of the same figures beside it for those who do
not read charts."""
from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter

from govlaw.htmlreport.data import Dataset
from govlaw.htmlreport.layout import esc

WIDTH, HEIGHT = 760, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
# Days before/after the deadline shown; points further out sit on the edge, marked.
FLOOR, CEILING = -120, 365


def _days(publish: str | None, due: str | None) -> int | None:
    try:
        return (dt.date.fromisoformat(str(publish)[:10]) - dt.date.fromisoformat(str(due)[:10])).days
    except (TypeError, ValueError):
        return None


def points(data: Dataset) -> dict[int, list[tuple[int, str]]]:
    """Year → (days after the deadline, government name) of every published report."""
    out: dict[int, list[tuple[int, str]]] = {y: [] for y in data.years}
    for g in data.governments:
        for year, cell in g.cells.items():
            days = _days(cell.publish_date, cell.due_date)
            if days is not None and cell.status in ("on_time", "late", "withdrawn"):
                out[year].append((days, g.name))
    return out


def timeliness(data: Dataset) -> str:
    by_year = points(data)
    years = [y for y in data.years if by_year.get(y)]
    if not years:
        return '<p class="chart-empty">No report with a publish date and a deadline yet.</p>'
    lo = max(FLOOR, min(d for y in years for d, _ in by_year[y]) - 10)
    hi = min(CEILING, max(max(d for y in years for d, _ in by_year[y]) + 10, 30))
    lo = min(lo, -30)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(days: int) -> float:
        days = max(lo, min(hi, days))
        return TOP + (hi - days) / (hi - lo) * plot_h

    band = plot_w / len(years)
    # The most reports one dot stands for: the largest dot, whatever the number of governments.
    most = max(max(Counter(d for d, _ in by_year[y]).values()) for y in years)
    svg = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
           'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
           '<title id="chart-title">Days from the deadline to publication, per report year</title>',
           '<desc id="chart-desc">Each dot is the reports of a year published that many days from the deadline, '
           'larger for more; above the red line they were late. '
           'The table after the chart gives the same figures.</desc>']
    for tick in _ticks(lo, hi):
        y = y_of(tick)
        svg.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:+d}</text>')
    zero = y_of(0)
    svg.append(f'<line class="deadline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}"/>'
               f'<text class="deadline-label" x="{WIDTH - RIGHT - 4}" y="{zero - 5:.1f}" text-anchor="end">'
               "deadline</text>")
    svg.append(f'<text class="axis" x="14" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 14 {TOP + plot_h / 2:.0f})"'
               ' text-anchor="middle">days after the deadline</text>')
    for i, year in enumerate(years):
        centre = LEFT + band * (i + 0.5)
        svg.append(f'<text class="tick" x="{centre:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{year}</text>')
        pts = by_year[year]
        # One dot per day: reports published the same number of days from the
        # deadline share it, its area growing with their number (3,000
        # governments stay a few hundred dots a year).
        same_day: dict[int, list[str]] = {}
        for days, name in pts:
            same_day.setdefault(days, []).append(name)
        for j, (days, names) in enumerate(sorted(same_day.items())):
            # Neighbouring days are spread sideways by their rank: deterministic, no random jitter.
            x = centre + ((j * 7) % 11 - 5) * min(band / 14, 4)
            cls = "late" if days > 0 else "on-time"
            clipped = " clipped" if days < lo or days > hi else ""
            r = 2.5 + 5.5 * math.sqrt((len(names) - 1) / most) if most > 1 else 3.5
            who = names[0] if len(names) == 1 else f"{len(names)} reports"
            svg.append(f'<circle class="dot {cls}{clipped}" cx="{x:.1f}" cy="{y_of(days):.1f}" r="{r:.1f}">'
                       f"<title>{esc(who)} {year}: {days:+d} days</title></circle>")
        median = statistics.median(d for d, _ in pts)
        svg.append(f'<line class="median" x1="{centre - band / 3:.1f}" x2="{centre + band / 3:.1f}" '
                   f'y1="{y_of(median):.1f}" y2="{y_of(median):.1f}"><title>median {median:+g} days</title></line>')
    svg.append("</svg>")
    rows = []
    for year in years:
        ds = [d for d, _ in by_year[year]]
        late = [d for d in ds if d > 0]
        rows.append(f"<tr><th scope='row'>{year}</th><td>{len(ds)}</td><td>{len(ds) - len(late)}</td>"
                    f"<td>{len(late)}</td><td>{statistics.median(ds):+g}</td><td>{max(late) if late else '—'}</td></tr>")
    table = ('<table class="chart-table"><caption>Publication against the deadline</caption><thead><tr>'
             "<th>Year</th><th>Published</th><th>On time</th><th>Late</th><th>Median days</th>"
             f"<th>Most days late</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return f'<figure class="timeliness">{"".join(svg)}<figcaption>{table}</figcaption></figure>'


def _ticks(lo: int, hi: int) -> list[int]:
    span = hi - lo
    step = next(s for s in (10, 30, 60, 90, 120, 180) if span / s <= 8)
    first = -(-lo // step) * step
    return list(range(first, hi + 1, step))

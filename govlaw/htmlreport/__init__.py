"""The HTML report: static pages written from the analysts' database
(<output>/govlaw.db) into <output>/report/, to open from the file system.

    govlaw report [--output D]        write D/report/ from D/govlaw.db
    write_report(output_dir)          the same from Python (after a crawl when GOVLAW_HTML_REPORT is on)

Pages: index.html (coverage overview, timeliness chart, latest changes),
province-NN.html (the matrix of one province's governments × years),
changes.html, reports.html, and reports/<id>.html for each report.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from govlaw.htmlreport import changes, chart, matrix, reportpage, reuse
from govlaw.htmlreport import data as data_mod
from govlaw.htmlreport.layout import esc, file_name, legend, page

logger = logging.getLogger(__name__)

DATABASE = "govlaw.db"
FOLDER = "report"


def _index(data: data_mod.Dataset) -> str:
    files = matrix.province_files(data)
    links = " · ".join(f'<a href="{f}">{esc(p)}</a>' for p, f in files.items())
    return "\n".join([
        f"<p>{len(data.governments)} governments, {len(data.reports)} reports, years "
        f"{esc(data.years[0]) if data.years else '—'}–{esc(data.years[-1]) if data.years else '—'}.</p>",
        '<h2 id="coverage">Coverage</h2>', legend(),
        "<p>Each cell counts the governments of a province and level by their report's status that year. "
        "A province's page shows every government.</p>",
        matrix.overview(data),
        f'<p class="provinces">Provinces: {links}</p>',
        '<h2 id="timeliness">Timeliness</h2>', chart.timeliness(data),
        '<h2 id="changes">Latest changes</h2>', changes.changes_table(data, limit=20),
        '<p><a href="changes.html">All changes</a></p>',
    ])


def render(data: data_mod.Dataset):
    """Every page but the reports' own as (its path inside the report folder, its HTML), one at a time."""
    yield "index.html", page("Annual reports on law-based government", _index(data))
    yield "changes.html", page("Latest changes", changes.changes_table(data), crumbs=[("changes.html", "Changes")])
    yield "reports.html", page("Reports", changes.reports_table(data), crumbs=[("reports.html", "Reports")])
    for province, name in matrix.province_files(data).items():
        yield name, page(f"{province} — coverage", legend() + matrix.province_page(data, province),
                         crumbs=[(name, province)])


def report_page(data: data_mod.Dataset, report: dict) -> str:
    return page(report.get("title") or report["id"], reportpage.report_page(data, report), root="../",
                crumbs=[("reports.html", "Reports")])


def _go_on() -> None:
    """The checkpoint of a report nobody stops."""


def write_report(output_dir: str | Path, checkpoint=_go_on) -> Path:
    """Write <output_dir>/report/ from <output_dir>/govlaw.db; return the
    path of its index. The new folder replaces the old one whole, so a
    reader never sees half of one run's report and half of another's; the
    pages of reports whose page would be the same are hard links to the old
    folder's (reuse). `checkpoint` is called before each report's page is
    written: what it raises abandons the new folder, the old one stays."""
    output_dir = Path(output_dir)
    data = data_mod.load(output_dir / DATABASE)
    final = output_dir / FOLDER
    staging = Path(tempfile.mkdtemp(prefix=".report-", dir=output_dir))
    written = kept = 0
    try:
        (staging / "reports").mkdir()
        for name, text in render(data):
            (staging / name).write_text(text, encoding="utf-8")
            written += 1
        before, code, texts = reuse.previous(final), reuse.renderer(), reuse.text_digests(data.db)
        keys: dict[str, str] = {}
        for report in data.report_rows():
            name = f"reports/{file_name(report['id'])}"
            keys[name] = reuse.page_key(code, data, report, texts)
            if before.get(name) == keys[name] and reuse.carry(final / name, staging / name):
                kept += 1
                continue
            checkpoint()
            (staging / name).unlink(missing_ok=True)   # two ids of one file name: the last one's page
            (staging / name).write_text(report_page(data, report), encoding="utf-8")
            written += 1
        (staging / reuse.MANIFEST).write_text(json.dumps(keys, sort_keys=True) + "\n", encoding="utf-8")
        assets = staging / "assets"
        assets.mkdir()
        for item in resources.files(__package__).joinpath("assets").iterdir():
            if item.name.endswith((".css", ".js")):
                (assets / item.name).write_bytes(item.read_bytes())
        old = None
        if final.exists():
            old = output_dir / f".report-old-{os.getpid()}"
            final.rename(old)
        staging.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        data.close()
    logger.info("HTML report: %s (%d pages written, %d unchanged kept)", final / "index.html", written, kept)
    return final / "index.html"


def after_run(output_dir: str | Path, enabled: bool = True) -> Path | None:
    """After a run's analysts' exports: the report, when GOVLAW_HTML_REPORT is
    on (`enabled`). Never raises: the state and the feed are written, and a
    report that cannot be written is logged with the command that writes it again."""
    if not enabled:
        return None
    try:
        return write_report(output_dir)
    except data_mod.ReportDataError as exc:
        logger.error("HTML report not written: %s", exc)
    except Exception:
        logger.exception("HTML report not written; `govlaw report --output %s` writes it again", output_dir)
    return None

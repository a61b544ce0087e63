"""The HTML report as a person sees it, in Debian's Chromium driven by
Playwright, opened from the file system: crawl the demo portals twice (the
second time with 汕尾's 2021 report corrected and 海州's 2020 report taken
down) → govlaw.db → `govlaw report` → pages.

The ledger is built with the due day set to 1 March, so the demo's reports
published in March count as late and the matrix has every status to show."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright import sync_api

from conftest import crawl, read_jsonl
from govlaw.cli import main as govlaw
from govlaw.demo.catalog import load_documents
from govlaw.demo.server import DemoPortals
from govlaw.htmlreport.layout import PART_NAMES, file_name

# Debian's Chromium (`make test` installs it), never a downloaded browser.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DUE = "03-01"
CORRECTED = "shanwei-report-2021"
TWO_ADDRESSES = "yuanzhou-report-2022"  # on 袁州's portal and reposted by 江西省司法厅
# A paragraph's text with its <ins> or <del> elements taken out.
WITHOUT = "p => { const c = p.cloneNode(true); c.querySelectorAll('%s').forEach(e => e.remove()); return c.textContent; }"


def _doc(slug: str, state: int = 1):
    return next(d for d in load_documents(state=state) if d.slug == slug)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    output = tmp_path_factory.mktemp("html-report")
    sources = output.parent / "html-report-sources.yaml"
    with DemoPortals() as demo:
        demo.write_sources(sources)
        first = crawl(sources, output, "-s", f"GOVLAW_REPORT_DUE={DUE}")
        demo.set_state(2)
        second = crawl(sources, output, "-s", f"GOVLAW_REPORT_DUE={DUE}")
    assert first.returncode == second.returncode == 0, (first.stderr + second.stderr)[-3000:]
    # The crawl wrote the analysts' database (govlaw.db) after its feed; the report is written from it.
    assert (output / "govlaw.db").is_file()
    assert govlaw(["report", "--output", str(output)]) == 0
    return output


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    """A page that records console errors and uncaught exceptions; none may occur."""
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    pg.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    pg.shots = tmp_path
    yield pg
    pg.close()
    assert errors == []


def _open(page, path: Path):
    assert path.is_file(), path
    page.goto(path.as_uri())
    page.wait_for_load_state("load")


def _shot(page, name: str) -> None:
    path = page.shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def _visible_rows(page, table: str) -> list[tuple[str, str]]:
    return [tuple(row) for row in page.eval_on_selector_all(
        f"#{table} tbody tr", "rows => rows.filter(r => r.offsetParent !== null)"
                              ".map(r => [r.dataset.province, r.dataset.level])")]


def _ledger(site: Path) -> dict[tuple[str, int], dict]:
    import sqlite3

    db = sqlite3.connect(site / "govlaw.db")
    db.row_factory = sqlite3.Row
    try:
        return {(r["government_code"], r["year"]): dict(r) for r in db.execute("SELECT * FROM ledger")}
    finally:
        db.close()


def _province_page(page, site: Path, province: str) -> Path:
    _open(page, site / "report" / "index.html")
    href = page.get_attribute(f'#overview tr[data-province="{province}"] th a', "href")
    return site / "report" / href


def test_overview_filters_by_province_and_level(site, page):
    _open(page, site / "report" / "index.html")
    everything = _visible_rows(page, "overview")
    # 袁州区 and the 司法厅 (江西), 海门区 and 海州区 (江苏, both counties), 汕尾市 (广东).
    assert sorted(everything) == sorted([("江西省", "county"), ("江西省", "department"), ("江苏省", "county"),
                                         ("广东省", "city")])
    assert page.is_visible("ul.legend") and page.is_visible("svg.chart")
    page.select_option("form[data-table=overview] select[name=province]", "江西省")
    assert sorted(_visible_rows(page, "overview")) == [("江西省", "county"), ("江西省", "department")]
    page.select_option("form[data-table=overview] select[name=level]", "department")
    assert _visible_rows(page, "overview") == [("江西省", "department")]
    assert page.text_content("#overview-shown") == "1 of 4 rows shown"
    page.select_option("form[data-table=overview] select[name=province]", "")
    page.select_option("form[data-table=overview] select[name=level]", "county")
    assert sorted(_visible_rows(page, "overview")) == [("江苏省", "county"), ("江西省", "county")]
    _shot(page, "overview-county")


def test_matrix_shows_a_late_cell_with_its_days_and_a_missing_cell(site, page):
    ledger = _ledger(site)
    late_doc = _doc("yuanzhou-report-2021")
    days = (late_doc.publish_date - dt.date(2022, 3, 1)).days
    assert ledger[("360902", 2021)]["status"] == "late" and ledger[("360902", 2021)]["days_late"] == days
    assert ledger[("360902", 2019)]["status"] == "missing"

    _open(page, _province_page(page, site, "江西省"))
    late = page.locator('tr[data-code="360902"] td[data-year="2021"]')
    assert late.get_attribute("data-status") == "late"
    assert late.inner_text() == f"L+{days}d"
    assert f"{days} days late" in late.get_attribute("title")
    assert f"published {late_doc.publish_date.isoformat()}" in late.get_attribute("title")
    missing = page.locator('tr[data-code="360902"] td[data-year="2019"]')
    assert (missing.get_attribute("data-status"), missing.inner_text()) == ("missing", "M")
    assert missing.get_attribute("title").startswith("宜春市袁州区人民政府 2019: missing")
    # Colours are not the only sign: the legend names every letter.
    assert "late — published after the deadline" in page.inner_text("ul.legend")
    _shot(page, "province-jiangxi")

    # The level filter on the province's page: the 司法厅 alone, then 袁州区 alone.
    page.select_option("form[data-table=matrix] select[name=level]", "department")
    assert page.eval_on_selector_all("#matrix tbody tr", "rs => rs.filter(r => r.offsetParent).map(r => r.dataset.code)") \
        == ["jxsft"]
    page.select_option("form[data-table=matrix] select[name=level]", "county")
    assert page.eval_on_selector_all("#matrix tbody tr", "rs => rs.filter(r => r.offsetParent).map(r => r.dataset.code)") \
        == ["360902"]

    # The cell links to the report's page.
    page.select_option("form[data-table=matrix] select[name=level]", "")
    late.locator("a").click()
    page.wait_for_load_state("load")
    assert page.inner_text("h1") == late_doc.title


def test_report_page_shows_sections_parts_and_every_address(site, page):
    record = next(r for r in read_jsonl(site / "reports.jsonl") if r["title"] == _doc(TWO_ADDRESSES).title)
    assert record["missing_parts"] == ["other"]
    _open(page, site / "report" / "reports" / file_name(record["id"]))
    assert page.inner_text("h1") == record["title"]
    headings = page.eval_on_selector_all("section.section h3 .heading", "hs => hs.map(h => h.textContent)")
    assert headings == [s["heading"] for s in record["sections"]]
    parts = dict(page.eval_on_selector_all("table.parts tbody tr",
                                           "rs => rs.map(r => [r.cells[0].textContent, r.cells[2].textContent])"))
    assert parts == {name: ("✗ missing" if key == "other" else "✓ present") for key, name in PART_NAMES.items()}
    addresses = page.eval_on_selector_all("ul.addresses li", "ls => ls.map(l => l.textContent)")
    assert len(addresses) == len(record["urls"]) == 2
    assert {a.rsplit(" portal ", 1)[1] for a in addresses} == {"yuanzhou", "jxsft"}
    _shot(page, "report-two-addresses")


def test_corrected_report_shows_what_changed_between_its_versions(site, page):
    before, after = _doc(CORRECTED).body, _doc(CORRECTED, state=2).body
    old = [p for p in before.split("\n\n") if p not in after.split("\n\n")]
    new = [p for p in after.split("\n\n") if p not in before.split("\n\n")]
    assert len(old) == len(new) == 1
    record = next(r for r in read_jsonl(site / "reports.jsonl") if r["title"] == _doc(CORRECTED).title)

    # From the latest changes to the report's versions.
    _open(page, site / "report" / "changes.html")
    row = page.locator("tr.change-updated", has_text=record["title"])
    assert "1 paragraphs changed" in row.inner_text()
    row.locator("a").click()
    page.wait_for_load_state("load")
    assert page.inner_text("h1") == record["title"]
    assert page.eval_on_selector_all("table.versions tbody tr", "rs => rs.map(r => r.cells[0].textContent)") \
        == ["1", "2"]
    changed = page.locator("section.version-diff p.changed")
    assert changed.count() == 1
    # The changed paragraph, read without its insertions, is the old text; without its deletions, the new;
    # what is marked is what lies between their common beginning and end.
    assert changed.evaluate(WITHOUT % "ins") == old[0].strip()
    assert changed.evaluate(WITHOUT % "del") == new[0].strip()
    a, b = old[0].strip(), new[0].strip()
    head = len(os.path.commonprefix([a, b]))
    tail = len(os.path.commonprefix([a[head:][::-1], b[head:][::-1]]))
    assert changed.locator("del").all_inner_texts() == [a[head:len(a) - tail]]
    assert changed.locator("ins").all_inner_texts() == [b[head:len(b) - tail]]
    assert page.inner_text("section.version-diff .diff-summary") == "1 changed, 0 added, 0 removed paragraphs"
    _shot(page, "report-versions")


def test_withdrawn_report_is_listed_and_every_page_is_clean(site, page):
    """Every page written loads without a console error (checked by the
    fixture), and the withdrawal is among the latest changes."""
    _open(page, site / "report" / "changes.html")
    withdrawn = page.eval_on_selector_all("tr.change-withdrawn td:nth-child(3)", "cs => cs.map(c => c.textContent)")
    assert withdrawn == [_doc("haizhou-report-2020").title]
    pages = sorted((site / "report").rglob("*.html"))
    assert len(pages) == 3 + 3 + len(read_jsonl(site / "reports.jsonl"))  # index, changes, reports; 3 provinces
    for path in pages:
        _open(page, path)
        assert page.inner_text("h1")
    _shot(page, "last-page")


def test_titles_and_bodies_are_escaped(site, tmp_path):
    """A title written as markup stays text: the report writes what the web
    gave it, never what it says."""
    import shutil
    import sqlite3

    copy = tmp_path / "out"
    copy.mkdir()
    shutil.copy(site / "govlaw.db", copy / "govlaw.db")
    db = sqlite3.connect(copy / "govlaw.db")
    rid = db.execute("SELECT id FROM reports ORDER BY id LIMIT 1").fetchone()[0]
    db.execute("UPDATE reports SET title = ?, body = ?, sections = '[]' WHERE id = ?",
               ('<script>alert(1)</script>"报告"', "正文<img src=x onerror=alert(2)>", rid))
    db.commit()
    db.close()
    assert govlaw(["report", "--output", str(copy)]) == 0
    text = (copy / "report" / "reports" / file_name(rid)).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;报告&quot;" in text
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "正文&lt;img src=x onerror=alert(2)&gt;" in text


def test_a_missing_database_is_one_line(tmp_path, capsys):
    assert govlaw(["report", "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"govlaw: {tmp_path / 'govlaw.db'}: no analysts' database yet; a crawl writes it (or run the crawl again)\n"
    assert not (tmp_path / "report").exists()


def test_a_paragraph_diff_marks_only_what_changed():
    from govlaw.htmlreport.diff import inline, render

    assert inline("专题研究法治政府建设工作4次。", "专题研究法治政府建设工作5次。") == \
        "专题研究法治政府建设工作<del>4</del><ins>5</ins>次。"
    assert inline("<b>甲</b>", "<b>乙</b>") == "&lt;b&gt;<del>甲</del><ins>乙</ins>&lt;/b&gt;"
    html, counts = render("一\n\n二\n\n三\n\n四\n\n五", "一\n\n二改\n\n三\n\n四\n\n五\n\n六")
    assert counts == {"added": 1, "removed": 0, "changed": 1}
    assert html == ('<div class="diff"><p class="same">一</p>\n<p class="changed">二<ins>改</ins></p>\n'
                    '<p class="same">三</p>\n<p class="folded">… 1 unchanged paragraph …</p>\n<p class="same">五</p>\n'
                    '<p class="added"><ins>六</ins></p></div>')


def test_after_a_run_a_missing_database_is_logged_not_raised(tmp_path, caplog):
    from govlaw.htmlreport import after_run

    assert after_run(tmp_path, enabled=False) is None
    assert caplog.records == []
    assert after_run(tmp_path) is None
    assert [r.getMessage() for r in caplog.records] == [
        f"HTML report not written: {tmp_path / 'govlaw.db'}: no analysts' database yet; a crawl writes it "
        "(or run the crawl again)"]


# -- written again: unchanged pages are kept ----------------------------------------------

def _pages(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Each page of a report folder: (inode, bytes)."""
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.read_bytes()) for p in sorted(folder.rglob("*.html"))}


def _both(reports, out: Path, fresh: Path, options, runs=("20260101T000000Z",)) -> dict:
    """Export and write the report into `out` over its last one, and into
    `fresh` from nothing: the pages must be the same, byte for byte."""
    import shutil

    from govlaw import analysts, htmlreport
    from test_analysts import write_state

    write_state(out / "state.sqlite", reports, runs)
    analysts.export(out / "state.sqlite", out, options)
    htmlreport.write_report(out)
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    analysts.export(out / "state.sqlite", fresh, options)
    htmlreport.write_report(fresh)
    pages = _pages(out / "report")
    assert {k: v[1] for k, v in pages.items()} == {k: v[1] for k, v in _pages(fresh / "report").items()}
    return pages


def test_unchanged_report_pages_are_kept_and_changed_ones_written(tmp_path):
    from test_analysts import synthetic_options, synthetic_report

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    out.mkdir()
    options = synthetic_options("2026-06-01")
    reports = [synthetic_report(i) for i in range(6)]
    first = _both(reports, out, fresh, options)
    ids = [f"r{i:02d}" for i in range(6)]
    assert sorted(k for k in first if k.startswith("reports/")) == [f"reports/{file_name(i)}" for i in ids]

    def rewritten(before, after):
        return {k for k in after if k.startswith("reports/") and before.get(k, (None,))[0] != after[k][0]}

    # Seen again, nothing else new: every report's page is the old file itself (same inode).
    runs = ("20260101T000000Z", "20260520T000000Z")
    again = [synthetic_report(i, last_seen="2026-05-20T00:00:00Z") for i in range(6)]
    second = _both(again, out, fresh, options, runs)
    assert rewritten(first, second) == set()
    # A new version of one report: its page alone is written, with the versions' difference.
    again[2] = synthetic_report(2, version=2, last_seen="2026-05-20T00:00:00Z")
    third = _both(again, out, fresh, options, runs)
    assert rewritten(second, third) == {f"reports/{file_name('r02')}"}
    page = third[f"reports/{file_name('r02')}"][1].decode()
    assert 'id="versions"' in page and "第<del>1</del><ins>2</ins>版" in page
    # A report gone: its page is gone too.
    del again[4]
    fourth = _both(again, out, fresh, options, runs)
    assert f"reports/{file_name('r04')}" not in fourth and rewritten(third, fourth) == set()
    # Another day: a year more in the ledger, and the pages of that year's reports show their line in it.
    again += [synthetic_report(i) for i in (16, 17)]          # 2025 reports published in March 2026
    before = _both(again, out, fresh, synthetic_options("2025-12-01"), runs)
    after = _both(again, out, fresh, synthetic_options("2026-06-01"), runs)
    assert rewritten(before, after) == {f"reports/{file_name(i)}" for i in ("r16", "r17")}
    assert "In the ledger" not in before[f"reports/{file_name('r16')}"][1].decode()
    assert " 2025: <b>on time</b>" in after[f"reports/{file_name('r16')}"][1].decode()

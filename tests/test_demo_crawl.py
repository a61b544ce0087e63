"""The real spider against the demo portals: the exact reports, nothing else."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conftest import crawl, read_jsonl
from chrome_strings import chrome_in
from govlaw.demo import catalog

# (title, report_year, publish_date, publisher) of every distinct report the
# demo portals publish: 13, one of them on two portals.
EXPECTED = {
    ("袁州区2021年度法治政府建设工作情况报告", 2021, "2022-03-09", "宜春市袁州区人民政府"),
    ("关于2022年度推进法治政府建设工作情况报告", 2022, "2023-02-14", "宜春市袁州区人民政府"),
    ("宜春市袁州区人民政府关于2023年度法治政府建设情况的报告", 2023, "2024-03-12", "宜春市袁州区人民政府"),
    ("2023年度包场镇法治政府建设工作报告", 2023, "2024-01-10", "南通市海门区包场镇人民政府"),
    ("海门区2022年度法治政府建设情况报告", 2022, "2023-03-24", "南通市海门区人民政府"),
    ("南通市海门区人民政府关于2023年度法治政府建设工作情况的报告", 2023, "2024-03-15", "南通市海门区人民政府"),
    ("海州区2019年度推进依法行政建设法治政府工作情况报告", 2019, "2020-01-06", "连云港市海州区人民政府"),
    ("海州区2020年度法治政府建设工作报告", 2020, "2021-02-03", "连云港市海州区人民政府"),
    ("连云港市海州区人民政府关于2021年度法治政府建设情况的报告", 2021, "2022-01-26", "连云港市海州区人民政府"),
    ("汕尾市人民政府2020年法治政府建设年度报告", 2020, "2021-02-26", "汕尾市人民政府"),
    ("汕尾市人民政府2021年法治政府建设年度报告", 2021, "2022-02-18", "汕尾市人民政府"),
    ("中共景德镇市委 景德镇市人民政府关于2024年度法治政府建设工作情况的报告", 2024, "2025-03-06",
     "中共景德镇市委 景德镇市人民政府"),
    ("江西省司法厅关于法治政府建设情况的报告", 2024, "2025-03-20", "江西省司法厅"),
}

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "govlaw/schema/report.schema.json").read_text())


@pytest.fixture(scope="module")
def reports(demo_crawl):
    output, _ = demo_crawl
    return read_jsonl(output / "reports.jsonl")


def test_exact_set_of_reports(reports):
    got = {(r["title"], r["report_year"], r["publish_date"], r["publisher"]) for r in reports}
    assert got == EXPECTED
    assert len(reports) == len(EXPECTED)


def test_demo_catalog_agrees_with_expected_table():
    docs = [d for d in catalog.load_documents() if d.kind == "report"]
    assert {(d.title, d.report_year, str(d.publish_date), d.publisher) for d in docs} == EXPECTED


def test_bodies_are_exactly_the_published_text(reports):
    gold = {d.title: d.body.strip() for d in catalog.load_documents() if d.kind == "report"}
    for r in reports:
        assert r["body"] == gold[r["title"]], r["title"]


def test_no_lookalike_is_emitted(reports):
    lookalikes = {d.title for d in catalog.load_documents() if d.kind == "lookalike"}
    assert len(lookalikes) == 30
    assert not lookalikes & {r["title"] for r in reports}


def test_no_body_contains_chrome(reports):
    leaks = {r["title"]: chrome_in(r["body"]) for r in reports}
    assert {t: s for t, s in leaks.items() if s} == {}


def test_republished_report_is_one_item_with_both_addresses(reports, demo):
    [report] = [r for r in reports if r["title"] == "关于2022年度推进法治政府建设工作情况报告"]
    yuanzhou, jxsft = demo.base_url("yuanzhou"), demo.base_url("jxsft")
    assert len(report["urls"]) == 2
    assert report["url"].startswith(yuanzhou.replace("https://", "http://"))  # the issuer's own portal
    assert report["urls"][0] == report["url"]
    assert report["urls"][1].startswith(jxsft)
    assert report["portal"] == "yuanzhou"
    assert sum(len(r["urls"]) for r in reports) == 14


def test_metadata_of_every_report(reports):
    by_title = {r["title"]: r for r in reports}
    r = by_title["汕尾市人民政府2020年法治政府建设年度报告"]
    assert (r["doc_number"], r["signed_date"], r["region_code"], r["admin_level"]) == (
        "汕府〔2021〕9号", "2021-01-31", "441500", "city")
    r = by_title["汕尾市人民政府2021年法治政府建设年度报告"]
    assert r["signed_date"] == "2022-01-28"  # written 二〇二二年一月二十八日
    r = by_title["海州区2019年度推进依法行政建设法治政府工作情况报告"]
    assert (r["index_number"], r["region_code"], r["admin_level"]) == ("01426719-5/2020-00108", "320706", "county")
    r = by_title["2023年度包场镇法治政府建设工作报告"]
    assert (r["admin_level"], r["signed_date"], r["portal"]) == ("township", "2023-12-14", "haimen")
    r = by_title["中共景德镇市委 景德镇市人民政府关于2024年度法治政府建设工作情况的报告"]
    assert (r["recipient"], r["signed_date"]) == ("省委、省政府", "2025-02-18")
    r = by_title["江西省司法厅关于法治政府建设情况的报告"]
    assert (r["report_year"], r["admin_level"], r["region_code"]) == (2024, "department", "360000")
    r = by_title["关于2022年度推进法治政府建设工作情况报告"]
    assert (r["doc_number"], r["recipient"]) == ("袁府字〔2023〕5号", "中共宜春市袁州区委")


def test_sections_map_to_mandated_parts(reports):
    by_title = {r["title"]: r for r in reports}
    r = by_title["关于2022年度推进法治政府建设工作情况报告"]
    assert [(s["heading"], s["part"]) for s in r["sections"]] == [
        ("一、主要举措和成效亮点", "measures"),
        ("二、存在的主要问题和原因分析", "shortcomings"),
        ("三、政府主要负责人履行第一责任人职责情况", "leadership_duties"),
        ("四、下步工作打算", "next_year_plan"),
    ]
    assert r["missing_parts"] == ["other"]


def test_records_follow_the_schema(reports):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for r in reports:
        assert list(validator.iter_errors(r)) == [], r["title"]
    assert len({r["id"] for r in reports}) == len(reports)


def test_change_file_lists_every_report_as_new(demo_crawl, reports):
    output, _ = demo_crawl
    [change_file] = list((output / "changes").glob("*.jsonl"))
    lines = read_jsonl(change_file)
    assert sorted((l["change"], l["id"], l["version"]) for l in lines) == sorted(("new", r["id"], 1) for r in reports)
    assert all(l["run_id"] == change_file.stem for l in lines)


def test_atom_feed_has_one_entry_per_change(demo_crawl, reports):
    output, _ = demo_crawl
    root = ET.parse(output / "reports.atom").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == len(reports)
    titles = {e.find("a:title", ns).text for e in entries}
    assert titles == {f"[新增] {r['title']}" for r in reports}


def test_rerun_on_unchanged_portals_changes_nothing(demo_sources, demo_crawl, tmp_path):
    output, _ = demo_crawl
    import shutil

    copy = tmp_path / "out"
    shutil.copytree(output, copy)
    before = read_jsonl(copy / "reports.jsonl")
    result = crawl(demo_sources, copy)
    assert result.returncode == 0, result.stderr[-2000:]
    runs = sorted((copy / "changes").glob("*.jsonl"))
    assert len(runs) == 2
    assert runs[-1].read_text() == ""  # nothing new, corrected or withdrawn
    after = read_jsonl(copy / "reports.jsonl")
    strip = lambda rs: [{k: v for k, v in r.items() if k != "last_seen"} for r in rs]
    assert strip(after) == strip(before)

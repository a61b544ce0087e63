"""The national registry: its build, its lookups, its commands, and the region
codes and levels it gives reports."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from govlaw import normalize, registry, sources
from govlaw.registry import build
from pipelines.normalize import NormalizePipeline

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "govlaw" / "registry" / "data"
NATIONAL = ROOT / "govlaw" / "registry" / "national.jsonl"
CMD = [sys.executable, "-m", "govlaw.cli", "registry"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def codes_in_use() -> dict[str, str]:
    """Code → level of every division in use in the latest list, Hong Kong,
    Macao and Taiwan aside: computed from the data file, not from the build."""
    levels = {"省级": "province", "地级": "city", "县级": "county"}
    with open(DATA / "division-codes.csv", encoding="utf-8", newline="") as fh:
        return {r["代码"]: levels[r["级别"]] for r in csv.DictReader(fh)
                if r["状态"] == "在用" and r["代码"][:2] not in ("71", "81", "82")}


@pytest.fixture(scope="module")
def national() -> dict[str, dict]:
    return {e["code"]: e for e in map(json.loads, NATIONAL.read_text(encoding="utf-8").splitlines())}


@pytest.fixture(scope="module")
def exported() -> list[dict]:
    result = run("export", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


# -- the build -----------------------------------------------------------------------

def test_rebuild_equals_the_committed_registry_byte_for_byte(tmp_path):
    out = tmp_path / "national.jsonl"
    assert build.main(["--data", str(DATA), "--output", str(out)]) == 0
    assert out.read_bytes() == NATIONAL.read_bytes()
    assert build.main(["--output", str(tmp_path / "again.jsonl")]) == 0
    assert (tmp_path / "again.jsonl").read_bytes() == NATIONAL.read_bytes()


def test_the_build_reports_what_it_left_out():
    entries, report = build.build(DATA)
    assert build.summary(entries, report) == [
        "3210 governments: 31 province, 333 city, 2846 county",
        "3202 with a home page; 2008 with a former code or name",
        "home-page rows out of scope (Hong Kong, Macao, Taiwan): 3",
        "home-page rows without an address: 3 (福建省/泉州市/金门县, 海南省/三沙市/西沙区, 海南省/三沙市/南沙区)",
        "home-page rows that are no division of the code list, left out: 7",
        "  重庆市/两江新区  https://www.ljxq.gov.cn/",
        "  黑龙江省/大兴安岭地区/加格达奇区  http://www.jgdq.gov.cn/",
        "  黑龙江省/大兴安岭地区/松岭区  http://www.songling.gov.cn/",
        "  黑龙江省/大兴安岭地区/新林区  http://www.dxalxl.gov.cn/",
        "  黑龙江省/大兴安岭地区/呼中区  http://www.huzhong.gov.cn/",
        "  河南省/济源示范区  https://www.jiyuan.gov.cn/",
        "  新疆维吾尔自治区/新疆生产建设兵团  http://www.xjbt.gov.cn/",
        "home page shared by 222400, 222404: http://www.yanbian.gov.cn/",
    ]


def test_every_division_in_use_is_an_entry_with_its_level(national):
    expected = codes_in_use()
    assert len(expected) == 3210
    assert {code: e["level"] for code, e in national.items()} == expected
    assert Counter(e["level"] for e in national.values()) == {"province": 31, "city": 333, "county": 2846}
    assert list(national) == sorted(national)
    assert all(re.fullmatch(r"[1-9]\d{5}", c) for c in national)
    assert all(e["id"] == f"gov-{c}" and e["verified"] is False for c, e in national.items())
    assert sum(1 for e in national.values() if e["home_url"]) == 3202


def test_parents(national):
    assert all(e["parent"] in national for e in national.values() if e["level"] != "province")
    assert national["110105"]["parent"] == "110000"      # a municipality's district
    assert national["429004"]["parent"] == "420000"      # 仙桃市, under its province
    assert national["659001"]["parent"] == "650000"      # 石河子市, a 兵团 city
    assert national["320614"]["parent"] == "320600"
    assert national["441500"]["parent"] == "440000"
    assert national["440000"]["parent"] is None


def test_full_names(national):
    assert [national[c]["full_name"] for c in ("152200", "652900", "222400", "110105", "320614", "441502",
                                               "520203", "429021", "320681", "450000")] == [
        "兴安盟行政公署", "阿克苏地区行政公署", "延边朝鲜族自治州人民政府", "北京市朝阳区人民政府",
        "南通市海门区人民政府", "汕尾市城区人民政府", "六枝特区人民政府", "神农架林区人民政府", "启东市人民政府",
        "广西壮族自治区人民政府"]


def test_former_codes_and_names(national):
    haimen = national["320614"]
    assert (haimen["name"], haimen["former_codes"], haimen["former_names"]) == (
        "海门区", ["320625", "320684", "322525"], ["海门市", "海门县"])
    assert (national["420600"]["former_codes"], national["420600"]["former_names"]) == ([], ["襄樊市"])
    assert national["120110"]["former_names"] == ["东郊区"]  # renamed, same code
    assert national["430202"]["former_names"] == ["东区"]    # 株洲's 东区, now 荷塘区
    assert "130103" not in {c for e in national.values() for c in e["former_codes"]}  # split in two: neither


def test_every_code_that_became_a_code_in_use_is_a_former_code(national):
    """Each abolished code with one successor, a code in use since then, is
    one of that government's former codes (checked from the data file)."""
    with open(DATA / "division-codes.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    started = {r["代码"]: int(r["启用时间"]) for r in rows if r["状态"] == "在用"}
    links = [(r["代码"], r["新代码"]) for r in rows if r["状态"] == "弃用" and r["新代码"] in national
             and int(r["变更/弃用时间"]) >= started[r["新代码"]]]
    assert len(links) > 1500
    assert [(old, new) for old, new in links if old not in national[new]["former_codes"]] == []


# -- lookups -------------------------------------------------------------------------

@pytest.mark.parametrize("publisher,context,code,level", [
    ("汕尾市人民政府", "440000", "441500", "city"),
    ("广东省汕尾市人民政府", None, "441500", "city"),
    ("南通市海门区人民政府", None, "320614", "county"),
    ("海门市司法局", None, "320614", "department"),
    ("海门市人民政府", "320600", "320614", "county"),
    ("江苏省人民政府", None, "320000", "province"),
    ("江西省司法厅", "360000", "360000", "department"),
    ("中共景德镇市委 景德镇市人民政府", "360000", "360200", "city"),
    ("南通市海门区包场镇人民政府", "320614", "320614", "township"),
    ("中山市东区街道办事处", None, "442000", "township"),
    ("襄樊市樊城区人民政府", None, "420606", "county"),
    ("阿克苏地区行政公署", None, "652900", "city"),
    ("朝阳区人民政府", "110000", "110105", "county"),
    ("朝阳区人民政府", "220100", "220104", "county"),
    ("北京市朝阳区司法局", None, "110105", "department"),
    ("城区人民政府", "441500", "441502", "county"),
    ("城区人民政府", "441521", "441502", "county"),   # a county of 汕尾: its city's 城区
    ("东区人民政府", "510400", "510402", "county"),
    ("东区人民政府", "430200", "430202", "county"),   # on 株洲's portal: its 东区, now 荷塘区
    ("泰州市人民政府", None, "321200", "city"),       # the city, not the county-level 泰州市 that became 海陵区
])
def test_publishers_resolve(publisher, context, code, level):
    match = registry.match_publisher(publisher, context)
    assert (match.entry.code, match.level) == (code, level)
    assert registry.resolve_publisher(publisher, context).code == code


@pytest.mark.parametrize("publisher,context", [
    ("朝阳区人民政府", None),         # 北京's or 长春's
    ("城区人民政府", None),           # 阳泉, 晋城 or 汕尾
    ("东区人民政府", "430000"),       # 长沙's, 株洲's or 邵阳's (all renamed)
    ("鼓楼区人民政府", "320000"),     # 南京's or 徐州's
    ("国家税务总局汕尾市税务局", None),
    ("", None),
    (None, "440000"),
])
def test_ambiguous_or_unknown_publishers_resolve_to_nothing(publisher, context):
    assert registry.resolve_publisher(publisher, context) is None


def test_codes_and_names():
    reg = registry.load()
    assert reg.get("320684").code == "320614"
    assert reg.get("999999") is None
    assert [e.code for e in reg.candidates("朝阳区")] == ["110105", "220104"]
    assert reg.by_name("东区") .code == "510402"  # the only 东区 in use
    assert reg.by_name("东区", "430200").code == "430202"
    assert [a.code for a in reg.ancestors(reg.get("320614"))] == ["320600", "320000"]
    assert all(reg.by_name(e.full_name) is e and reg.by_name(e.name, e.parent) is e for e in reg.entries)


# -- region codes and levels of reports ----------------------------------------------------

@pytest.mark.parametrize("publisher,region,context,expected", [
    ("汕尾市人民政府", "440000", "440000", ("441500", "city")),     # a city's report on its province's portal
    ("海门市司法局", "320614", None, ("320614", "department")),      # its old name
    ("海门市司法局", None, None, ("320614", "department")),
    ("东区人民政府", "510400", "510400", ("510402", "county")),
    ("朝阳区人民政府", "110000", "110000", ("110105", "county")),
    ("朝阳区人民政府", "220100", "220100", ("220104", "county")),
    ("朝阳区人民政府", None, None, (None, None)),                     # no context: left as it was
    ("某某公司", "440000", None, ("440000", "province")),
])
def test_region_and_level(publisher, region, context, expected):
    assert normalize.region_and_level(publisher, region, context) == expected


def test_the_pipeline_takes_region_and_level_from_the_registry():
    item = {"url": "http://www.jiangxi.gov.cn/art/2025/2/20/a.html", "body": "一、主要举措", "title": "t",
            "publisher": "中共景德镇市委 景德镇市人民政府", "region_code": "3600000005", "portal_region": "360000"}
    out = NormalizePipeline().process_item(dict(item))
    assert (out["region_code"], out["admin_level"]) == ("360200", "city")
    out = NormalizePipeline().process_item(dict(item, publisher="江西省司法厅"))
    assert (out["region_code"], out["admin_level"]) == ("360000", "department")
    out = NormalizePipeline().process_item(dict(item, publisher="东区人民政府", portal_region="510411"))
    assert (out["region_code"], out["admin_level"]) == ("510402", "county")


# -- the commands ------------------------------------------------------------------------

def test_stats():
    result = run("stats")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "governments: 3210 (31 province, 333 city, 2846 county); departments: 0",
        "with a home page: 3202; verified: 0",
        "with former codes: 1899 (2746 codes); with former names: 904",
        "",
        "province  entries  city  county  department  home page  name",
        "110000         17     0      16           0         17  北京市",
    ]
    assert "320000        109    13      95           0        109  江苏省" in lines
    assert "650000        125    14     110           0        123  新疆维吾尔自治区" in lines
    assert len(lines) == 5 + 31


def test_show_by_code_former_code_and_name():
    expected = ["id: gov-320614", "code: 320614", "name: 海门区", "full_name: 南通市海门区人民政府", "level: county",
                "parent: 320600 南通市", "province: 320000 江苏省", "home_url: https://www.haimen.gov.cn/",
                "former_codes: 320625 320684 322525", "former_names: 海门市 海门县", "verified: false"]
    assert run("show", "320614").stdout.splitlines() == expected
    assert run("show", "320684").stdout.splitlines() == ["320684 is a former code of 320614", *expected]
    assert run("show", "南通市海门区").stdout.splitlines() == expected
    assert run("show", "海门市").stdout.splitlines() == expected
    shown = run("show", "朝阳区", "--context", "220100")
    assert shown.stdout.splitlines()[:2] == ["id: gov-220104", "code: 220104"]


def test_show_says_what_is_ambiguous_or_unknown():
    result = run("show", "朝阳区")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("govlaw: 朝阳区 names 2 governments: 110105 北京市朝阳区人民政府, 220104 长春市朝阳区人民政府; "
                             "give the code, or the name with its city or province (北京市朝阳区), or --context CODE\n")
    result = run("show", "999999")
    assert (result.returncode, result.stderr) == (
        2, "govlaw: no government in the registry has the code 999999 (now or formerly)\n")
    result = run("export", "--province", "江")
    assert (result.returncode, result.stderr) == (
        2, "govlaw: --province 江: several provinces match; give one of 江苏省, 江西省, or its code\n")


def test_export_lists_every_division_in_use(exported):
    assert [e["region_code"] for e in exported] == sorted(codes_in_use())
    assert {e["region_code"]: e["level"] for e in exported} == codes_in_use()
    assert sum(1 for e in exported if e["home_url"]) == 3202
    haimen = next(e for e in exported if e["region_code"] == "320614")
    assert haimen == {"id": "gov-320614", "name": "南通市海门区人民政府", "region_code": "320614", "level": "county",
                      "parent": "320600", "home_url": "https://www.haimen.gov.cn/",
                      "former_codes": ["320625", "320684", "322525"], "former_names": ["海门市", "海门县"],
                      "verified": False}
    assert sum(1 for e in exported if "former_codes" in e) == 1899


def test_export_yaml_of_a_province(tmp_path):
    out = tmp_path / "js.yaml"
    result = run("export", "--province", "江苏", "-o", str(out))
    assert (result.returncode, result.stdout) == (0, "")
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# 109 governments of the national registry (govlaw registry export --province 江苏)."
    entries = yaml.safe_load(text)
    assert len(entries) == 109
    assert entries[0] == {"id": "gov-320000", "name": "江苏省人民政府", "region_code": "320000", "level": "province",
                          "parent": None, "home_url": "https://www.jiangsu.gov.cn/", "verified": False}
    assert all(set(e) >= {"id", "name", "region_code", "level", "parent", "home_url"} for e in entries)
    assert all(isinstance(e["region_code"], str) and isinstance(e["parent"], str) for e in entries[1:])
    assert "start_urls" not in entries[0]
    cities = yaml.safe_load(run("export", "--province", "320000", "--level", "city").stdout)
    assert [e["name"] for e in cities][:3] == ["南京市人民政府", "无锡市人民政府", "徐州市人民政府"]
    assert len(cities) == 13


def test_the_spider_reads_an_export_as_it_is(tmp_path):
    out = tmp_path / "js.yaml"
    assert run("export", "--province", "江苏", "-o", str(out)).returncode == 0
    portals = sources.load(out)
    assert len(portals) == 109
    national = tmp_path / "national.yaml"
    assert run("export", "-o", str(national)).returncode == 0
    assert len(sources.load(national)) == 3202   # the 8 governments with no known home page are named, not listed
    assert national.read_text(encoding="utf-8").splitlines()[2] == (
        "# Left out, no home page known (8): 350527 金门县人民政府, 419001 济源市人民政府, 460302 三沙市西沙区人民政府, "
        "460303 三沙市南沙区人民政府, 500105 重庆市江北区人民政府, 500112 重庆市渝北区人民政府, 653228 和康县人民政府, "
        "653229 和安县人民政府.")
    assert portals[0].id == "gov-320000" and portals[0].region_code == "320000"
    assert (portals[0].start_urls, portals[0].level) == ((), "province")
    assert portals[0].home_url.startswith(("http://", "https://"))


def test_export_marks_governments_a_crawl_has_reached(tmp_path):
    """verified: true only for a government whose portal holds a report in the
    crawl's state (a withdrawn one does not count)."""
    import sqlite3

    from govlaw.state.sqlite import SQLiteStore

    state = tmp_path / "state.sqlite"
    SQLiteStore(state).close()
    db = sqlite3.connect(state)
    for rid, portal, withdrawn in (("r1", "gov-320614", 0), ("r2", "gov-320612", 1)):
        db.execute("INSERT INTO reports (id, version, content_hash, folded, record, withdrawn) VALUES (?, 1, ?, '', '{}', ?)",
                   (rid, rid, withdrawn))
        db.execute("INSERT INTO addresses (url, report_id, portal) VALUES (?, ?, ?)", (f"x/{rid}", rid, portal))
    db.commit()
    db.close()
    result = run("export", "--province", "江苏", "--format", "jsonl", "--verified-from", str(state))
    assert result.returncode == 0, result.stderr
    verified = [json.loads(line)["id"] for line in result.stdout.splitlines() if json.loads(line)["verified"]]
    assert verified == ["gov-320614"]
    bad = run("export", "--verified-from", str(tmp_path / "none.sqlite"))
    assert (bad.returncode, bad.stderr) == (2, f"govlaw: --verified-from {tmp_path / 'none.sqlite'}: no such state "
                                               "file; give a crawl's state.sqlite\n")

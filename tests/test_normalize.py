"""The normalization policy, value by value."""
import datetime as dt

import pytest

from govlaw import normalize
from govlaw.dedupe import address_key, canonical_url


@pytest.mark.parametrize("text,expected", [
    ("2024年3月28日", dt.date(2024, 3, 28)),
    ("二〇二四年三月二十八日", dt.date(2024, 3, 28)),
    ("二〇二二年一月二十八日", dt.date(2022, 1, 28)),
    ("二〇二一年十二月十日", dt.date(2021, 12, 10)),
    ("2020-01-06 16:58", dt.date(2020, 1, 6)),
    ("2020年08月02日", dt.date(2020, 8, 2)),
    ("２０２３年２月１４日", dt.date(2023, 2, 14)),
    ("2023/2/14", dt.date(2023, 2, 14)),
    ("2023年2月30日", None),
    ("今天", None),
])
def test_parse_date(text, expected):
    assert normalize.parse_date(text) == expected


def test_compact_dates_only_when_unambiguous():
    assert normalize.parse_date("2023214", compact=True) == dt.date(2023, 2, 14)
    assert normalize.parse_date("20231214", compact=True) == dt.date(2023, 12, 14)
    assert normalize.parse_date("2023112", compact=True) is None  # 1月12日 or 11月2日
    assert normalize.parse_date("2023214") is None  # never without asking


@pytest.mark.parametrize("text,expected", [
    ("袁府字〔2023〕5号", "袁府字〔2023〕5号"),
    ("汕府(2021)9号", "汕府〔2021〕9号"),
    ("通海政发[2024]12号", "通海政发〔2024〕12号"),
    ("潭县自然资字（2025）079号", "潭县自然资字〔2025〕79号"),
    ("无号", None),
    ("袁府字〔20235", None),
])
def test_doc_number(text, expected):
    assert normalize.doc_number(text) == expected


def test_content_hash_ignores_width_and_blanks_only():
    a = normalize.content_hash("一、主要举措,成效 2023年")
    assert a == normalize.content_hash("一、主要举措，成效　２０２３年")
    assert a != normalize.content_hash("一、主要举措，成效 2024年")


@pytest.mark.parametrize("region,publisher,level", [
    ("440000", "广东省人民政府", "province"),
    ("441500", "汕尾市人民政府", "city"),
    ("360902", "宜春市袁州区人民政府", "county"),
    ("320614", "南通市海门区包场镇人民政府", "township"),
    ("440111", "白云区景泰街道办事处", "township"),
    ("360000", "江西省司法厅", "department"),
    ("430321", "湘潭县自然资源局", "department"),
    ("360200", "中共景德镇市委 景德镇市人民政府", "city"),
])
def test_admin_level(region, publisher, level):
    assert normalize.admin_level(region, publisher) == level


def test_region_codes():
    assert normalize.region_code("1400000045") == "140000"
    assert normalize.region_code("bm01000001") is None
    assert normalize.region_code("360902") == "360902"


def test_canonical_urls():
    assert canonical_url("HTTP://WWW.X.gov.cn/a/index.html?utm_source=wx#top") == "http://www.x.gov.cn/a/"
    assert canonical_url("https://www.x.gov.cn/a/b.html;jsessionid=ABC?b=2&a=1") == "https://www.x.gov.cn/a/b.html?a=1&b=2"
    assert address_key("http://www.x.gov.cn/a/") == address_key("https://www.x.gov.cn/a/index.html")

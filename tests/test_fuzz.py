"""Fuzzing the extractor: random bytes, random markup and mutated real pages
give an extraction or a clean rejection, never an exception."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govlaw.extract import extract_html, extract_text
from govlaw.extract import attachments as files
from govlaw.extract.blocked import classify

PAGES = [p.read_bytes() for p in sorted((Path(__file__).parent / "examples").glob("*/*.html"))]
TAGS = ["p", "div", "td", "tr", "table", "span", "a", "br", "ul", "li", "h1", "script", "style", "ucapcontent",
        "font", "center", "meta", "title", "iframe", "form"]
CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=40)
PUNCT = st.sampled_from(["，", "。", "：", "、", "；", "（", "）", "〔", "〕", "《", "》", " ", "\u3000", "\xa0", "\n"])
FRAGMENT = st.one_of(CJK, PUNCT, st.sampled_from(TAGS).map(lambda t: f"<{t}>"), st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
                     st.sampled_from(["一、主要举措和成效", "二、存在的不足", "2024年3月28日", "二〇二四年三月二十八日",
                                      "索 引 号：", "发布机构：", "文号：袁府字〔2023〕5号", "来源：", "发布时间：2024-01-10",
                                      "法治政府建设年度报告", "政府信息公开工作年度报告", "<meta name='PubDate' content='x'>",
                                      "<a href='a.pdf'>附件</a>", "&nbsp;", "&#12295;", "<!--", "-->", "<![CDATA[", "]]>"]))
FUZZ = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(ex):
    assert isinstance(ex.body, str)
    assert isinstance(ex.is_report, bool) and ex.reason
    assert "\n\n\n" not in ex.body


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes(data):
    _check(extract_html(data, "http://127.0.0.1/x.html"))
    files.read(data, "http://127.0.0.1/x.pdf")
    files.read(data, "http://127.0.0.1/x.docx")


@FUZZ
@given(st.lists(FRAGMENT, max_size=200).map("".join))
def test_random_markup(markup):
    _check(extract_html(markup.encode("utf-8"), "http://127.0.0.1/x.html"))
    _check(extract_text(markup))
    classify(200, markup)


@FUZZ
@given(st.integers(0, len(PAGES) - 1), st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 64), st.binary(max_size=16)),
                                                 min_size=1, max_size=12))
def test_mutated_real_pages(index, edits):
    data = bytearray(PAGES[index])
    for pos, length, insert in edits:  # cut, splice and truncate real pages
        pos %= max(1, len(data))
        data[pos:pos + length] = insert
    _check(extract_html(bytes(data), "http://127.0.0.1/x.html"))


def test_deep_nesting_and_huge_tables():
    deep = b"<div>" * 20000 + "法治政府建设情况报告，正文。".encode() + b"</div>" * 20000
    _check(extract_html(deep, "http://127.0.0.1/deep.html"))
    wide = b"<table>" + b"<tr>" + b"<td>\xe6\xb3\x95</td>" * 5000 + b"</tr>" * 200 + b"</table>"
    _check(extract_html(wide, "http://127.0.0.1/wide.html"))

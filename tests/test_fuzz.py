"""Fuzzing the extractor: random bytes, random markup and mutated real pages
give an extraction or a clean rejection, never an exception, and the text
they give is the page's own: no character the page does not hold, no
paragraph of a text dump that is not in it."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govlaw import normalize
from govlaw.extract import extract_html, extract_text
from govlaw.extract import attachments as files
from govlaw.extract.blocked import classify
from govlaw.extract.html import decode

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


def _bare(text: str) -> str:
    """Text without blanks (the only thing extraction may change in a paragraph)."""
    return normalize._BLANKS.sub("", normalize._ZERO_WIDTH.sub("", text))


def _check(ex, source: str | None = None, paragraphs_in_source: bool = False):
    """A typed result: a body of clean paragraphs, a boolean verdict with its
    reason; with `source`, every character of the body is one the page holds
    (and with paragraphs_in_source, every paragraph is a run of its text)."""
    assert isinstance(ex.body, str)
    assert isinstance(ex.is_report, bool)
    assert isinstance(ex.reason, str) and re.fullmatch(r"[a-z_]+:\S.*", ex.reason), ex.reason
    assert "\n\n\n" not in ex.body
    if ex.body:
        for p in ex.body.split("\n\n"):
            assert p and p == normalize.clean_line(p), repr(p)  # stripped, one blank between words
    if source is not None:
        bare = _bare(source)
        assert set(_bare(ex.body)) <= set(bare), set(_bare(ex.body)) - set(bare)
        if paragraphs_in_source:
            for p in ex.body.split("\n\n") if ex.body else []:
                assert _bare(p) in bare, p


def _page_text(data: bytes) -> str:
    """What the page's bytes say, as the extractor reads them (entities resolved)."""
    return html.unescape(decode(data)[0])


# What files.read says about a file it cannot read: every reason is one of these.
UNREADABLE = re.compile(r"(PDF|DOCX|OFD) could not be parsed: \w+|(PDF|DOCX|OFD) has no text layer \(a scan\?\)"
                        r"|(PDF|DOCX|OFD) parsing took over \d+ s|unknown file type \S+|file over \d+ MiB"
                        r"|archive inflates to \d+ bytes, over the cap|PDF of \d+ pages, over the cap of \d+"
                        r"|" + "|".join(re.escape(r) for r in sorted(set(files.KNOWN_UNREADABLE.values()))))


def _check_file(result):
    assert isinstance(result, files.AttachmentText)
    if result.error is None:
        assert result.paragraphs and all(isinstance(p, str) and p for p in result.paragraphs)
    else:
        assert result.paragraphs == []
        assert UNREADABLE.fullmatch(result.error), result.error


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes(data):
    _check(extract_html(data, "http://127.0.0.1/x.html"), _page_text(data))
    for name in ("http://127.0.0.1/x.pdf", "http://127.0.0.1/x.docx", "http://127.0.0.1/x.ofd"):
        result = files.read(data, name)
        _check_file(result)
        assert result == files.read(data, name)  # the same bytes, the same answer


@FUZZ
@given(st.sampled_from([b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]), st.binary(max_size=3000))
def test_random_files_behind_real_signatures(head, tail):
    for name in ("x.pdf", "x.docx", "x.ofd", "x.doc", "x.bin"):
        _check_file(files.read(head + tail, name))


@FUZZ
@given(st.lists(FRAGMENT, max_size=200).map("".join))
def test_random_markup(markup):
    _check(extract_html(markup.encode("utf-8"), "http://127.0.0.1/x.html"), html.unescape(markup))
    _check(extract_text(markup), markup, paragraphs_in_source=True)
    assert classify(200, markup) is None or isinstance(classify(200, markup), str)


@FUZZ
@given(st.integers(0, len(PAGES) - 1), st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 64), st.binary(max_size=16)),
                                                 min_size=1, max_size=12))
def test_mutated_real_pages(index, edits):
    data = bytearray(PAGES[index])
    for pos, length, insert in edits:  # cut, splice and truncate real pages
        pos %= max(1, len(data))
        data[pos:pos + length] = insert
    _check(extract_html(bytes(data), "http://127.0.0.1/x.html"), _page_text(bytes(data)))


TEXT = "法治政府建设情况报告，正文。"


def test_nested_200_deep_text_is_extracted():
    deep = b"<div>" * 200 + TEXT.encode() + b"</div>" * 200
    ex = extract_html(deep, "http://127.0.0.1/deep.html")
    _check(ex, TEXT)
    assert ex.body == TEXT


@pytest.mark.parametrize("depth", [257, 300, 20000])
def test_deep_nesting_text_is_extracted(depth):
    """Past libxml2's 256 levels the page would parse to nothing: tags past
    200 levels are dropped, their text kept."""
    deep = b"<div>" * depth + TEXT.encode() + b"</div>" * depth
    ex = extract_html(deep, "http://127.0.0.1/deep.html")
    _check(ex, TEXT)
    assert ex.body == TEXT


def test_deep_unclosed_nesting_keeps_text_and_drops_scripts():
    deep = ("<html><body>" + "<font><span>" * 3000 + TEXT + "<script>var s = '<div>正文';</script>"
            + "<p>" * 400 + "二、存在的不足。").encode()
    ex = extract_html(deep, "http://127.0.0.1/deep.html")
    _check(ex, TEXT + "二、存在的不足。")
    assert ex.body.replace("\n", "") == TEXT + "二、存在的不足。"


def test_pages_within_the_depth_limit_are_parsed_as_they_are():
    """The guard changes nothing on a page of ordinary depth: every example
    page is its own flattening, and parses with no depth error."""
    from govlaw.extract.depth import flatten_deep
    from govlaw.extract.html import _parse

    for data in PAGES:
        text = decode(data)[0]
        assert flatten_deep(text) == text
        assert _parse(text)[1] is False


def test_huge_table_text_is_extracted():
    wide = b"<table>" + b"<tr>" + b"<td>\xe6\xb3\x95</td>" * 5000 + b"</tr>" * 200 + b"</table>"
    ex = extract_html(wide, "http://127.0.0.1/wide.html")
    _check(ex, "法")
    assert ex.body.count("法") == 5000

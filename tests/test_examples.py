"""Every saved page under tests/examples/<layout>/ against the gold JSON
beside it. Adding a layout means adding pages and their JSON here; the
engine is not edited for it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from chrome_strings import chrome_in
from govlaw.extract import extract_html

EXAMPLES = Path(__file__).parent / "examples"
PAGES = sorted(EXAMPLES.glob("*/*.html"))
FIELDS = ["title", "report_year", "publish_date", "publisher", "region_code", "doc_number", "index_number",
          "recipient", "signed_date", "admin_level"]


def test_corpus_size_and_layouts():
    assert len(PAGES) >= 30
    assert len({p.parent.name for p in PAGES}) >= 6


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example(page):
    gold = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    ex = extract_html(page.read_bytes(), gold["url"])
    if not gold["is_report"]:
        assert not ex.is_report, ex.reason
        assert ex.reason.startswith(("lookalike:", "body:", "title:")), ex.reason
        return
    if gold.get("body_from") == "attachment":
        # The page is a cover for its file; the crawl reads the file (tests/test_attachments.py).
        assert ex.reason == "attachment:pending"
        assert [a["url"] for a in ex.attachments] == [gold["attachment_url"]]
    else:
        assert ex.is_report, ex.reason
    got = ex.to_dict()
    assert {f: got[f] for f in FIELDS if f in gold} == {f: gold[f] for f in FIELDS if f in gold}
    assert ex.body == gold["body"]
    assert chrome_in(ex.body) == []


def test_page_titled_after_its_cover_memo_yields_the_report():
    """The same page, but its ArticleTitle and <title> name the memo, not the report."""
    import re

    page = EXAMPLES / "hanweb_art" / "tongxi-county-2023-covermemo.html"
    gold = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    memo = "桐溪县司法局关于报送《桐溪县人民政府关于2023年度法治政府建设工作情况的报告》的请示"
    html = page.read_text(encoding="utf-8")
    html, n = re.subn(r'<meta name="ArticleTitle" content="[^"]*"', f'<meta name="ArticleTitle" content="{memo}"', html)
    assert n == 1
    html = re.sub(r"<title>[^<]*</title>", f"<title>{memo}</title>", html)
    html = re.sub(r"(<h1[^>]*>)[^<]*(</h1>)", rf"\g<1>{memo}\g<2>", html)
    ex = extract_html(html.encode("utf-8"), gold["url"])
    assert (ex.is_report, ex.title, ex.body) == (True, gold["title"], gold["body"])

"""A second portal (某某县司法局) reposts the 汕尾 2020 report between an
editor's note and a 来源 line. Whatever the order in which the copies are
met, and although the 汕尾 copy answers 304 while the repost is read again
in full, the record stays 汕尾's: its address, portal, title and body,
version 1, and no change line. Real loopback portals, the real engine."""
from __future__ import annotations

import json

import pytest
import yaml

from conftest import crawl, read_jsonl
from govlaw import normalize
from govlaw.demo.catalog import load_documents
from govlaw.demo.reposter import RepostPortal
from govlaw.demo.server import DemoPortals
from govlaw.records import merge, paragraph_diff
from govlaw.repost import unwrap_body, unwrap_title

SLUG = "shanwei-report-2020"
TITLE = "汕尾市人民政府2020年法治政府建设年度报告"
PORTALS = ["-a", "portals=shanwei,mmxsfj"]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    folder = tmp_path_factory.mktemp("repost")
    doc = next(d for d in load_documents() if d.slug == SLUG)
    with DemoPortals() as demo, RepostPortal() as reposter:
        sources = folder / "sources.yaml"
        demo.write_sources(sources)
        portals = yaml.safe_load(sources.read_text(encoding="utf-8")) + [reposter.portal]
        sources.write_text(yaml.safe_dump(portals, allow_unicode=True), encoding="utf-8")
        yield demo, reposter, doc, sources, folder


def _run(sources, output):
    result = crawl(sources, output, *PORTALS)
    assert result.returncode == 0, result.stderr[-3000:]
    run_file = sorted((output / "runs").glob("*.json"))[-1]
    changes = read_jsonl(output / "changes" / f"{run_file.stem}.jsonl")
    return changes, json.loads(run_file.read_text()), {r["title"]: r for r in read_jsonl(output / "reports.jsonl")}


def _is_shanwei_own(record, demo, doc):
    assert record["url"] == demo.article_url("shanwei", doc)
    assert (record["portal"], record["title"], record["body"]) == ("shanwei", TITLE, doc.body)
    assert record["version"] == 1 and len(record["history"]) == 1


def test_repost_read_again_while_the_original_answers_304(sites):
    demo, reposter, doc, sources, folder = sites
    path = reposter.repost(doc, origin="汕尾市人民政府")
    try:
        output = folder / "both-from-the-start"
        changes1, _, reports1 = _run(sources, output)
        _is_shanwei_own(reports1[TITLE], demo, doc)
        assert reposter.base_url + path in reports1[TITLE]["urls"]
        assert ("new", TITLE) in {(c["change"], c["title"]) for c in changes1}

        changes2, summary2, reports2 = _run(sources, output)
        assert changes2 == []
        assert summary2["portals"]["mmxsfj"]["detail_pages"] == 1  # the repost, read in full again
        assert summary2["portals"]["shanwei"]["detail_pages"] == 0  # 汕尾: 304s only
        _is_shanwei_own(reports2[TITLE], demo, doc)
        assert {k: v for k, v in reports2[TITLE].items() if k != "last_seen"} == \
               {k: v for k, v in reports1[TITLE].items() if k != "last_seen"}
    finally:
        reposter.remove(path)


def test_repost_first_seen_in_the_second_run(sites):
    demo, reposter, doc, sources, folder = sites
    output = folder / "repost-later"
    _, _, reports1 = _run(sources, output)
    _is_shanwei_own(reports1[TITLE], demo, doc)
    path = reposter.repost(doc, origin="汕尾市人民政府")
    try:
        changes2, summary2, reports2 = _run(sources, output)
    finally:
        reposter.remove(path)
    assert changes2 == []
    assert summary2["portals"]["mmxsfj"]["reports"] == 1
    _is_shanwei_own(reports2[TITLE], demo, doc)
    assert reports2[TITLE]["urls"] == [demo.article_url("shanwei", doc), reposter.base_url + path]


def test_a_report_known_only_from_its_repost_carries_no_wrapper(sites):
    demo, reposter, doc, sources, folder = sites
    output = folder / "repost-only"
    path = reposter.repost(doc, origin="汕尾市人民政府")
    try:
        result = crawl(sources, output, "-a", "portals=mmxsfj")
        assert result.returncode == 0, result.stderr[-3000:]
        [record] = read_jsonl(output / "reports.jsonl")
        assert record["body"] == doc.body  # no 编者按 above, no 来源 line below
        assert record["title"] in (TITLE, None)  # never 转载：…
        assert record["content_hash"] == normalize.content_hash(doc.body)
        assert (record["portal"], record["version"]) == ("mmxsfj", 1)
        # The original found later: the record moves to it, with no change line (same text).
        changes, _, reports = _run(sources, output)
    finally:
        reposter.remove(path)
    assert [c["change"] for c in changes if c["id"] == record["id"]] == []  # (汕尾's 2021 report is new)
    _is_shanwei_own(reports[TITLE], demo, doc)
    assert reports[TITLE]["id"] == record["id"]


# --- the rules without a crawl --------------------------------------------------

def test_wrapper_lines_are_taken_off_and_report_lines_kept():
    assert unwrap_title("转载：" + TITLE) == TITLE
    assert unwrap_title(TITLE + "（转载）") == TITLE
    assert unwrap_title("【转载】" + TITLE) == TITLE
    body = "\n\n".join(["编者按：近日，市政府公布了年度报告，现予转载，供学习参考。", "汕府〔2021〕9号",
                        "2020年，我市深入推进依法行政。", "汕尾市人民政府", "2021年1月31日",
                        "（来源：汕尾市人民政府门户网站）", "责任编辑：张三"])
    assert unwrap_body(body) == "汕府〔2021〕9号\n\n2020年，我市深入推进依法行政。\n\n汕尾市人民政府\n\n2021年1月31日"
    own = "一、来源：各部门报送材料汇总。\n\n二、主要举措。\n\n(此件主动公开)"
    assert unwrap_body(own) == own


def _copy(url, portal, portal_name, body, **extra):
    return {"url": url, "portal": portal, "portal_name": portal_name, "portal_region": None, "title": TITLE,
            "publisher": "汕尾市人民政府", "body": body, "content_hash": normalize.content_hash(body),
            "attachments": [], "publish_date": "2021-02-26", **extra}


def test_a_repost_never_changes_the_version_of_the_original():
    own = _copy("http://a/own.html", "shanwei", "汕尾市人民政府", "一、甲。\n\n二、乙。")
    repost = _copy("http://b/repost.html", "mmxsfj", "某某县司法局", "一、甲。\n\n二、乙（有改动）。")
    first = merge([own, repost], None, "2025-01-01T00:00:00Z").record
    # The original answered 304 (a kept copy); the repost, read again, differs.
    kept = {k: v for k, v in own.items() if k != "body"}
    second = merge([repost], first, "2025-01-02T00:00:00Z", known=[kept], previous_copy=kept)
    assert (second.change, second.record["version"], second.record["url"]) == (None, 1, own["url"])
    assert second.record["body"] == own["body"]
    # The original gone (not among the known copies): the repost still cannot change the text.
    third = merge([repost], first, "2025-01-03T00:00:00Z", known=[], previous_copy=kept)
    assert (third.change, third.record["version"], third.record["body"]) == (None, 1, own["body"])


def test_paragraph_diff_counts():
    old = "甲。\n\n乙。\n\n丙。\n\n丁。"
    assert paragraph_diff(old, old) == {"paragraphs_added": 0, "paragraphs_removed": 0, "paragraphs_changed": 0}
    assert paragraph_diff(old, "甲。\n\n乙（改）。\n\n丙。\n\n丁。\n\n戊。\n\n己。") == \
           {"paragraphs_added": 2, "paragraphs_removed": 0, "paragraphs_changed": 1}
    assert paragraph_diff(old, "甲。\n\n丁。") == {"paragraphs_added": 0, "paragraphs_removed": 2, "paragraphs_changed": 0}
    # Width and blanks are not changes.
    assert paragraph_diff("第1条。", "第１条 。") == {"paragraphs_added": 0, "paragraphs_removed": 0, "paragraphs_changed": 0}


def test_a_state_that_knew_the_wrapped_text_sees_no_correction():
    # Kept before wrappers were taken off: the record's hash is the wrapped text's.
    wrapped = "编者按：近日，市政府公布了年度报告，现予转载。\n\n一、甲。\n\n二、乙。"
    repost = _copy("http://b/repost.html", "mmxsfj", "某某县司法局", wrapped)
    previous = merge([_copy("http://b/repost.html", "mmxsfj", "某某县司法局", "一、甲。\n\n二、乙。")], None,
                     "2025-01-01T00:00:00Z").record
    previous.update(body=wrapped, content_hash=normalize.content_hash(wrapped))
    again = merge([repost], previous, "2025-01-02T00:00:00Z")
    assert (again.change, again.record["version"], again.record["content_hash"]) == (
        None, 1, normalize.content_hash(wrapped))

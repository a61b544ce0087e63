"""A 50 MB page with 汕尾's report inside is refused unread, and so is a page
that hides its size (no Content-Length) and one small enough to download
whose text is far longer than any report: each is counted under not_read as
`page:too_large`, and 汕尾's record is not taken over. Memory and time are
measured by benchmarks/pagecap.py, not here."""
from __future__ import annotations

import json

import pytest
import yaml

from conftest import crawl, read_jsonl
from govlaw.demo.catalog import load_documents
from govlaw.demo.reposter import RepostPortal, oversized_page
from govlaw.demo.server import DemoPortals

TITLE = "汕尾市人民政府2020年法治政府建设年度报告"


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    output = tmp_path_factory.mktemp("pagecap")
    doc = next(d for d in load_documents() if d.slug == "shanwei-report-2020")
    with DemoPortals() as demo, RepostPortal() as site:
        sources = output.parent / "pagecap-sources.yaml"
        demo.write_sources(sources)
        portals = yaml.safe_load(sources.read_text(encoding="utf-8")) + [site.portal]
        sources.write_text(yaml.safe_dump(portals, allow_unicode=True), encoding="utf-8")
        args = ["-a", "portals=shanwei,mmxsfj"]
        first = crawl(sources, output, *args)
        page = oversized_page(doc, 50 * 1024 * 1024)
        site.add_page("/xxgk/fzzf/content/huge.html", TITLE, page)  # announces 50 MB
        site.add_page("/xxgk/fzzf/content/stream.html", TITLE + "（全文）", page, content_length=False)
        # 1.5 MB: under the byte cap, but ~500,000 characters of text.
        site.add_page("/xxgk/fzzf/content/long.html", TITLE + "（合订本）", oversized_page(doc, 1_500_000))
        second = crawl(sources, output, *args)
    assert first.returncode == second.returncode == 0, (first.stderr + second.stderr)[-3000:]
    return output, demo, doc


def test_oversized_pages_are_refused_with_their_reason(capped):
    output, _, _ = capped
    run = json.loads(sorted((output / "runs").glob("*.json"))[-1].read_text())
    site = run["portals"]["mmxsfj"]
    assert site["not_read"] == {"page:too_large": 3}
    assert (site["reports"], site["errors"], site["rejected"]) == (0, 2, 1)
    assert run["changes"] == {"new": 0, "updated": 0, "withdrawn": 0}


def test_the_original_record_is_not_taken_over(capped):
    output, demo, doc = capped
    record = next(r for r in read_jsonl(output / "reports.jsonl") if r["title"] == TITLE)
    assert (record["url"], record["portal"], record["version"], record["body"]) == (
        demo.article_url("shanwei", doc), "shanwei", 1, doc.body)
    assert record["urls"] == [demo.article_url("shanwei", doc)]
    assert read_jsonl(sorted((output / "changes").glob("*.jsonl"))[-1]) == []

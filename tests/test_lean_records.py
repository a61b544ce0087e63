"""Lean records: a section is a heading and its place in the body, the text
stored once; records written with section texts still read. The text's
fingerprint (hash, match key, MinHash) is made once and carried."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import read_jsonl
from govlaw import normalize
from govlaw.dedupe import IdentityIndex, fingerprint, match_key, shingles, signature
from govlaw.demo.catalog import load_documents
from govlaw.extract import extract_text
from govlaw.records import section_texts
from govlaw.repost import unwrap


@pytest.fixture(scope="module")
def reports(demo_crawl):
    output, _ = demo_crawl
    return read_jsonl(output / "reports.jsonl")


def test_sections_are_offsets_that_rebuild_the_body(reports):
    with_sections = [r for r in reports if r["sections"]]
    assert len(with_sections) >= 5
    for r in with_sections:
        assert all(set(s) == {"heading", "part", "start", "end"} for s in r["sections"])
        body, sections = r["body"], section_texts(r)
        # From the first heading on, the body is each heading followed by its text.
        first = body.index(sections[0]["heading"] + "\n\n")
        rebuilt = "\n\n".join(f"{s['heading']}\n\n{s['text']}" if s["text"] else s["heading"] for s in sections)
        assert body[first:] == rebuilt, r["title"]


def test_section_texts_are_the_paragraphs_under_each_heading():
    doc = next(d for d in load_documents() if d.slug == "shanwei-report-2020")
    ex = extract_text("\n".join([doc.title, *doc.paragraphs]))
    texts = section_texts({"body": ex.body, "sections": ex.sections})
    headings = [i for i, p in enumerate(doc.paragraphs) if p in {s["heading"] for s in texts}]
    assert len(headings) == len(texts) >= 3
    for s, i, j in zip(texts, headings, headings[1:] + [len(doc.paragraphs)]):
        assert s["text"] == "\n\n".join(doc.paragraphs[i + 1:j])


def test_a_record_with_section_texts_still_reads():
    from govlaw.extract.sections import split_sections

    assert split_sections(["开头。", "一、主要举措", "做了一些工作。"])[0] | {"part": "measures"} == {
        "heading": "一、主要举措", "part": "measures", "start": 13, "end": 20}
    old = {"body": "开头。\n\n一、主要举措\n\n做了一些工作。", "sections": [
        {"heading": "一、主要举措", "part": "measures", "text": "做了一些工作。"}]}
    new = {"body": old["body"], "sections": [{"heading": "一、主要举措", "part": "measures", "start": 13, "end": 20}]}
    assert section_texts(old) == section_texts(new) == [
        {"heading": "一、主要举措", "part": "measures", "text": "做了一些工作。"}]


def test_an_unwrapped_repost_gets_offsets_and_a_fingerprint_of_its_own_body():
    body = "编者按：现予转载。\n\n开头一段话。\n\n一、主要举措和成效\n\n依法行政工作取得明显成效，持续推进。"
    copy = {"title": "转载：某县2023年法治政府建设年度报告", "body": body, "content_hash": normalize.content_hash(body),
            **{k: v for k, v in fingerprint(body).items() if k != "content_hash"}}
    out = unwrap(copy)
    assert out["body"].startswith("开头一段话。")
    assert section_texts(out) == [{"heading": "一、主要举措和成效", "part": "measures",
                                   "text": "依法行政工作取得明显成效，持续推进。"}]
    assert {k: out[k] for k in ("content_hash", "match_key", "signature", "shingle_count")} == fingerprint(out["body"])


def test_the_carried_fingerprint_is_what_the_stages_would_make():
    doc = next(d for d in load_documents() if d.slug == "shanwei-report-2020")
    carried = fingerprint(doc.body)
    key = match_key(doc.body)
    assert carried["match_key"] == key and carried["content_hash"] == normalize.content_hash(doc.body)
    assert carried["shingle_count"] == len(shingles(key))
    assert np.array_equal(np.frombuffer(carried["signature"], dtype=np.uint32), signature(key).hashvalues)


class _EmptyStore:
    def report_for_url(self, key): return None
    def report_for_hash(self, content_hash): return None
    def signatures(self): return []
    def match_key_of(self, rid): return None
    def near_candidates(self, signature_bytes, year): return []


def test_a_carried_signature_resolves_as_one_made_on_the_spot():
    docs = [d for d in load_documents() if d.is_report][:6]
    # Each report, then a repost of it with a line of chrome more: the same id either way.
    copies = [(f"http://a.test/{i}", d.body) for i, d in enumerate(docs)]
    copies += [(f"http://b.test/{i}", d.body + "\n\n责任编辑：张三") for i, d in enumerate(docs)]
    made, carried = IdentityIndex(_EmptyStore()), IdentityIndex(_EmptyStore())
    ids_made, ids_carried = [], []
    for url, body in copies:
        f = fingerprint(body)
        ids_made.append(made.resolve(url, f["content_hash"], f["match_key"], 2023))
        ids_carried.append(carried.resolve(url, f["content_hash"], f["match_key"], 2023, f["signature"],
                                           f["shingle_count"]))
    assert ids_made == ids_carried
    assert ids_made[:6] == ids_made[6:] and len(set(ids_made)) == 6

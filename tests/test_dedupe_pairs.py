"""Merge precision and recall on the labelled pairs in tests/dedupe/
(reposts, width, edits, truncation, Traditional copies, re-paragraphing:
same; other years, shared templates, look-alikes: different)."""
from __future__ import annotations

from pathlib import Path

import pytest

from govlaw.dedupe import address_key, canonical_url, choose_canonical
from labelled_pairs import decisions as labelled_decisions

DATA = Path(__file__).parent / "dedupe"


@pytest.fixture(scope="module")
def decisions():
    return [(row["kind"], same, merged) for row, same, merged in labelled_decisions(DATA)]


def test_labelled_set_is_large_enough(decisions):
    assert sum(same for _, same, _ in decisions) >= 40
    assert sum(not same for _, same, _ in decisions) >= 40
    kinds = {kind for kind, _, _ in decisions}
    assert {"repost_chrome", "width", "edits", "truncated", "traditional", "paragraphing",
            "years", "template", "lookalike"} <= kinds


def test_merge_precision_is_one_and_recall_at_least_098(decisions):
    true_pos = sum(same and merged for _, same, merged in decisions)
    false_pos = [kind for kind, same, merged in decisions if merged and not same]
    false_neg = [kind for kind, same, merged in decisions if same and not merged]
    assert false_pos == []
    recall = true_pos / (true_pos + len(false_neg))
    assert recall >= 0.98, false_neg


def test_gateway_copy_is_the_same_address():
    assert address_key("http://www.gd.gov.cn/gate/big5/www.shanwei.gov.cn/zwgk/a/post_1.html") == \
        address_key("https://www.shanwei.gov.cn/zwgk/a/post_1.html")
    assert canonical_url("http://www.x.gov.cn/a/?spm=1.2&id=5") == "http://www.x.gov.cn/a/?id=5"


def test_canonical_copy_is_the_issuers_own_portal():
    copies = [
        {"url": "http://www.gd.gov.cn/gate/big5/www.shanwei.gov.cn/a.html", "portal_name": "汕尾市人民政府",
         "publisher": "汕尾市人民政府", "publish_date": "2021-02-26"},
        {"url": "http://sft.gd.gov.cn/a.html", "portal_name": "广东省司法厅", "publisher": "汕尾市人民政府",
         "publish_date": "2021-02-20"},
        {"url": "http://www.shanwei.gov.cn/zwgk/a.html", "portal_name": "汕尾市人民政府", "publisher": "汕尾市人民政府",
         "publish_date": "2021-02-26"},
    ]
    assert choose_canonical(copies)["url"] == "http://www.shanwei.gov.cn/zwgk/a.html"

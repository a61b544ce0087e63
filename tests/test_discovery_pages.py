"""Pages met between a home page and the report columns (tests/discovery),
juriscraper style: each folder is a page modelled on real portals with the
links a discoverer must find; one test runs them all through
govlaw.discovery.home."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from govlaw.discovery.home import read_directions

HERE = Path(__file__).parent / "discovery"
FOLDERS = sorted(p for p in HERE.iterdir() if (p / "expected.json").exists())


def load(folder: Path):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return meta, expected, read_directions((folder / "page.html").read_text(encoding="utf-8"), meta["url"],
                                           meta.get("government"))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_the_way_on_in_order(folder):
    _, expected, got = load(folder)
    urls = [link.url for link in got.next]
    found = [u for u in urls if u in expected["next"]]
    assert found == expected["next"], urls
    assert not set(urls) & set(expected["avoid"])


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_report_columns_and_justice_bureau(folder):
    _, expected, got = load(folder)
    assert sorted(link.url for link in got.report_columns) == sorted(expected["report_columns"])
    assert sorted(link.url for link in got.justice_bureau) == sorted(expected["justice_bureau"])
    assert got.site_code == expected["site_code"]

"""Listing pages of every family, juriscraper style: each folder of
tests/listings holds a page modelled on a real portal (its source named in
meta.json) and the entries and further requests a reader of that page finds
(expected.json). One test runs them all through govlaw's discovery."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from govlaw.discovery import ListingPage, parse_listing

HERE = Path(__file__).parent / "listings"
FOLDERS = sorted(p for p in HERE.iterdir() if (p / "expected.json").exists())
PAGE_FILES = {"html": "page.html", "json": "page.json", "xml": "page.xml"}


def test_every_family_has_two_variants():
    families = [json.loads((f / "meta.json").read_text(encoding="utf-8"))["family"] for f in FOLDERS]
    assert len(FOLDERS) >= 12
    assert all(families.count(f) >= 2 for f in set(families)), families


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_listing(folder):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    text = (folder / PAGE_FILES[meta["kind"]]).read_text(encoding="utf-8")
    listing = parse_listing(ListingPage(meta["url"], text, meta["kind"], meta.get("page")))
    got_entries = [{"url": e.url, "title": e.title, "date": e.date} for e in listing.entries]
    assert got_entries == expected["entries"]
    got_follow = [(same_request(f.url), f.method, dict(f.formdata) or None) for f in listing.follow]
    assert got_follow == [(same_request(f["url"]), f["method"], f.get("formdata") or None) for f in expected["follow"]]


def same_request(url: str) -> tuple:
    """An address as a server reads it: parameters decoded (their order and
    percent-encoding are the client's choice)."""
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path, sorted(parse_qsl(parts.query, keep_blank_values=True))

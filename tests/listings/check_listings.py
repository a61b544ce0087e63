"""Consistency check of the listing example set (does not use govlaw).

For every folder: meta.json and expected.json are well formed; the page parses as its kind says; every expected entry
is really on the page (its address, after resolving against the page or the site, occurs in the page's text, and its
title and date occur too); follow requests are well formed and stay on the page's site.

    python tests/listings/check_listings.py
"""
from __future__ import annotations

import json
import re
import sys
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import lxml.html

HERE = Path(__file__).resolve().parent
KINDS = {"html": "page.html", "json": "page.json", "xml": "page.xml"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fail(folder: str, msg: str) -> None:
    raise AssertionError(f"{folder}: {msg}")


def check(folder: Path) -> int:
    name = folder.name
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    for key in ("url", "family", "kind", "source"):
        if not meta.get(key):
            fail(name, f"meta.json lacks {key}")
    kind = meta["kind"]
    page = folder / KINDS[kind]
    text = page.read_text(encoding="utf-8")
    if kind == "html":
        lxml.html.fromstring(text)
    elif kind == "json":
        json.loads(text)
    else:
        ElementTree.fromstring(text.encode("utf-8"))
    # the text a reader could find addresses in: raw, entity-decoded, and JSON-unescaped
    haystack = text + "\n" + unescape(text)
    if kind == "json":
        haystack += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
    site = "{0.scheme}://{0.netloc}".format(urlsplit(meta["url"]))
    for e in expected["entries"]:
        url, title, date = e["url"], e["title"], e["date"]
        parts = urlsplit(url)
        tail = parts.path + (("?" + parts.query) if parts.query else "")
        last = parts.path.rsplit("/", 1)[-1]
        if url not in haystack and tail not in haystack and last not in haystack:
            fail(name, f"entry address not on the page: {url}")
        if not title or title not in haystack:
            fail(name, f"entry title not on the page: {title}")
        if date is not None and (not DATE.match(date)):
            fail(name, f"bad date {date!r}")
    if kind != "json":
        for e in expected["entries"]:
            if e["date"] and e["date"] not in haystack:
                fail(name, f"entry date not on the page: {e['date']}")
    for f in expected["follow"]:
        if f["method"] not in ("GET", "POST"):
            fail(name, f"bad method {f['method']}")
        if (f["method"] == "POST") != isinstance(f["formdata"], dict):
            fail(name, "formdata must be an object for POST and null for GET")
        if not unquote(f["url"]).startswith(site):
            fail(name, f"follow leaves the site: {f['url']}")
    if len({e["url"] for e in expected["entries"]}) != len(expected["entries"]):
        fail(name, "duplicate entry addresses")
    return len(expected["entries"])


def main() -> int:
    folders = sorted(p for p in HERE.iterdir() if p.is_dir() and (p / "meta.json").exists())
    total = 0
    for folder in folders:
        total += check(folder)
    print(f"{len(folders)} listing pages, {total} entries: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

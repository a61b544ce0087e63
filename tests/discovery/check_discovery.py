"""Consistency check of the discovery example set (does not use govlaw).

For every folder: meta.json and expected.json are well formed; the page parses; every address named in
expected.json is really a link target on the page (an <a href>, an <area href>, an <option value> or a <form action>,
resolved against the page address with its fragment kept); the lists do not overlap; `next` holds at most five
links; the site code, when given, is written on the page; the page has the link count and size of a real one.

    python tests/discovery/check_discovery.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html

HERE = Path(__file__).resolve().parent
KINDS = {"home", "disclosure", "catalog"}
LISTS = ("next", "report_columns", "justice_bureau", "avoid")


def fail(folder: str, msg: str) -> None:
    raise AssertionError(f"{folder}: {msg}")


def targets(root, base: str) -> set[str]:
    """Every address the page points at, resolved, fragment kept."""
    out: set[str] = set()
    for el in root.iter("a", "area"):
        href = (el.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript:", "mailto:", "tel:")) and href != "#":
            out.add(urljoin(base, href))
    for el in root.iter("option"):
        value = (el.get("value") or "").strip()
        if value.startswith(("http://", "https://", "/", "./", "../")):
            out.add(urljoin(base, value))
    for el in root.iter("form"):
        action = (el.get("action") or "").strip()
        if action:
            out.add(urljoin(base, action))
    return out


def check(folder: Path) -> None:
    name = folder.name
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    for key in ("url", "kind", "source", "notes"):
        if not meta.get(key):
            fail(name, f"meta.json lacks {key}")
    if meta["kind"] not in KINDS:
        fail(name, f"bad kind {meta['kind']!r}")
    raw = (folder / "page.html").read_bytes()
    text = raw.decode("utf-8")
    root = lxml.html.fromstring(text)
    links = targets(root, meta["url"])
    n_links = sum(1 for a in root.iter("a") if a.get("href"))
    if n_links < 100:
        fail(name, f"only {n_links} links; real pages of this kind have 100 or more")
    if len(raw) > 26000:
        fail(name, f"page is {len(raw)} bytes; keep it under ~25 KB")
    seen: dict[str, str] = {}
    for key in LISTS:
        values = expected[key]
        if not isinstance(values, list):
            fail(name, f"{key} must be a list")
        for url in values:
            if urlsplit(url).scheme not in ("http", "https"):
                fail(name, f"{key}: not an absolute address: {url}")
            if url not in links:
                fail(name, f"{key}: not a link target on the page: {url}")
            if url in seen:
                fail(name, f"{url} is in both {seen[url]} and {key}")
            seen[url] = key
    if len(expected["next"]) > 5:
        fail(name, "next holds more than five links")
    code = expected["site_code"]
    if code is not None and code not in text:
        fail(name, f"site code {code} is not on the page")
    search = expected.get("search")
    if search is not None:
        if not search.get("family") or urlsplit(search.get("url", "")).scheme not in ("http", "https"):
            fail(name, "search needs a family and an absolute url")


def main() -> int:
    folders = sorted(p for p in HERE.iterdir() if p.is_dir() and (p / "meta.json").exists())
    for folder in folders:
        check(folder)
    print(f"{len(folders)} discovery examples consistent")
    return 0


if __name__ == "__main__":
    sys.exit(main())

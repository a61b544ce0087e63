"""Consistency check of the site-search example set (does not use govlaw).

For every folder: meta.json and expected.json are well formed; the page and the answer parse; every value the page
is said to declare (meta `declared`) is written on the page; every expected result is really in the answer (its
address, its title once highlight markup is removed, its date in one of the written forms); requests and follow
requests are well formed and follow requests stay on the request's host.

    python tests/search/check_search.py
"""
from __future__ import annotations

import json
import re
import sys
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import lxml.html

HERE = Path(__file__).resolve().parent
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TAG = re.compile(r"<[^>]+>")


def fail(folder: str, msg: str) -> None:
    raise AssertionError(f"{folder}: {msg}")


def strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from strings(v)


def check_request(name: str, req: dict, what: str) -> None:
    if req.get("method") not in ("GET", "POST"):
        fail(name, f"{what}: bad method")
    if urlsplit(req.get("url", "")).scheme not in ("http", "https"):
        fail(name, f"{what}: url must be absolute")
    form, body = req.get("formdata"), req.get("json")
    if req["method"] == "GET" and (form is not None or body is not None):
        fail(name, f"{what}: a GET has no body")
    if req["method"] == "POST" and (form is None) == (body is None):
        fail(name, f"{what}: a POST has either formdata or json")
    if form is not None and not all(isinstance(v, str) for v in form.values()):
        fail(name, f"{what}: formdata values must be strings")


def params(req: dict) -> dict[str, str]:
    out = dict(parse_qsl(urlsplit(req["url"]).query, keep_blank_values=True))
    out.update(req.get("formdata") or {})
    out.update({k: str(v) for k, v in (req.get("json") or {}).items()})
    return out


def check(folder: Path) -> int:
    name = folder.name
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    for key in ("url", "family", "source", "notes", "query"):
        if not meta.get(key):
            fail(name, f"meta.json lacks {key}")
    page = (folder / "page.html").read_text(encoding="utf-8")
    lxml.html.fromstring(page)
    # the page may write a number with thousands commas and strip them in script (so-gov timestamps)
    page_hay = page + "\n" + unescape(page) + "\n" + unquote(page) + "\n" + page.replace(",", "")
    if (folder / "answer.json").exists():
        answer = (folder / "answer.json").read_text(encoding="utf-8")
        data = json.loads(answer)
        texts = list(strings(data))
    else:
        answer = (folder / "answer.html").read_text(encoding="utf-8")
        lxml.html.fromstring(answer)
        texts = [answer]
    plain = "\n".join(TAG.sub("", unescape(t)) for t in texts)
    hay = answer + "\n" + unescape(answer) + "\n" + "\n".join(texts) + "\n" + "\n".join(unquote(t) for t in texts) + "\n" + plain

    req = expected["request"]
    check_request(name, req, "request")
    got = params(req)
    for key in meta.get("declared", []):
        if key not in got:
            fail(name, f"declared parameter {key} is not in the request")
        if got[key] and got[key] not in page_hay:
            fail(name, f"declared value {key}={got[key]!r} is not on the page")
    if meta["query"] not in got.values():
        fail(name, "the request does not carry the query")

    for r in expected["results"]:
        url, title, date = r["url"], r["title"], r["date"]
        parts = urlsplit(url)
        tail = parts.path + (("?" + parts.query) if parts.query else "")
        if url not in hay and tail not in hay:  # HTML answers may link root-relative
            fail(name, f"result address not in the answer: {url}")
        if not title or title not in plain:
            fail(name, f"result title not in the answer: {title}")
        if date is not None:
            if not DATE.match(date):
                fail(name, f"bad date {date!r}")
            y, m, d = date.split("-")
            if date not in hay and f"{y}年{m}月{d}日" not in hay:
                fail(name, f"result date not in the answer: {date}")
    if len({r["url"] for r in expected["results"]}) != len(expected["results"]):
        fail(name, "duplicate result addresses")
    host = urlsplit(req["url"]).netloc
    for f in expected["follow"]:
        check_request(name, f, "follow")
        if urlsplit(f["url"]).netloc != host:
            fail(name, f"follow leaves the request's host: {f['url']}")
    return len(expected["results"])


def main() -> int:
    folders = sorted(p for p in HERE.iterdir() if p.is_dir() and (p / "meta.json").exists())
    total = sum(check(folder) for folder in folders)
    print(f"{len(folders)} search examples consistent, {total} results")
    return 0


if __name__ == "__main__":
    sys.exit(main())

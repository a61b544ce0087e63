#!/usr/bin/env python3
"""Check the real-page corpus: fields, types, and that the gold occurs in the stored text.

Usage: python3 tests/realpages/validate.py [DIR ...]   (default: dev/ and holdout/ next to this file)
Exits 1 when any file fails; prints counts per part, kind and level.
"""
import collections
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
KINDS = {"report", "lookalike"}
# "district" is used by three of the original shared files for urban districts (county level).
LEVELS = {"province", "city", "county", "district", "township", "department"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

REQUIRED = {
    "id": str,
    "kind": str,
    "url": str,
    "title": (str, type(None)),
    "title_shown": bool,
    "publish_date": (str, type(None)),
    "publisher": (str, type(None)),
    "source": dict,
    "level": str,
    "title_in_text": bool,
    "stored_text": str,
    "body_paragraphs": list,
    "boilerplate_lines": list,
}
OPTIONAL = {
    "province": (str, type(None)),
    "lookalike_type": str,
    "publisher_aliases": list,
    "title_aliases": list,
    "mirror_of": str,
    "note": str,
}


def collapse(s):
    return re.sub(r"\s+", " ", s).strip()


def nospace(s):
    return re.sub(r"\s+", "", s)


def check(path):
    errors = []
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, [f"unreadable JSON: {exc}"]
    if not isinstance(d, dict):
        return None, ["top level is not an object"]
    for key, typ in REQUIRED.items():
        if key not in d:
            errors.append(f"missing field {key}")
        elif not isinstance(d[key], typ):
            errors.append(f"field {key} has type {type(d[key]).__name__}")
    for key, typ in OPTIONAL.items():
        if key in d and not isinstance(d[key], typ):
            errors.append(f"field {key} has type {type(d[key]).__name__}")
    if errors:
        return d, errors
    if d["id"] != path.stem:
        errors.append(f"id {d['id']!r} differs from the file name")
    if d["kind"] not in KINDS:
        errors.append(f"kind {d['kind']!r}")
    if d["level"] not in LEVELS:
        errors.append(f"level {d['level']!r}")
    if d["publish_date"] is not None and not DATE.match(d["publish_date"]):
        errors.append(f"publish_date {d['publish_date']!r} is not YYYY-MM-DD")
    src = d["source"]
    for key in ("corpus", "address"):
        if not isinstance(src.get(key), str) or not src.get(key):
            errors.append(f"source.{key} missing")
    if "query" in src and not isinstance(src["query"], str):
        errors.append("source.query is not a string")
    if src.get("address") and src.get("address") != d["url"]:
        errors.append("source.address differs from url")
    if d["kind"] == "lookalike" and "lookalike_type" not in d:
        errors.append("lookalike without lookalike_type")
    if d["title_shown"] and not d["title"]:
        errors.append("title_shown but no title")
    if not d["stored_text"].strip():
        errors.append("empty stored_text")
    if not d["body_paragraphs"]:
        errors.append("no body paragraphs")
    text = collapse(d["stored_text"])
    for name in ("body_paragraphs", "boilerplate_lines"):
        for n, item in enumerate(d[name]):
            if not isinstance(item, str) or not item.strip():
                errors.append(f"{name}[{n}] is empty or not a string")
            elif collapse(item) not in text:
                errors.append(f"{name}[{n}] not in stored_text: {item[:40]!r}")
    if d["title"]:
        found = nospace(d["title"]) in nospace(d["stored_text"]) or any(
            nospace(t) in nospace(d["stored_text"]) for t in d.get("title_aliases", []))
        if d["title_in_text"] != found:
            errors.append(f"title_in_text is {d['title_in_text']} but the title is {'' if found else 'not '}in the text")
        if d["title_shown"] and not found:
            errors.append("title_shown but the title does not occur in stored_text")
    elif d["title_in_text"]:
        errors.append("title_in_text without a title")
    return d, errors


def main(argv):
    dirs = [pathlib.Path(a) for a in argv] or [HERE / "dev", HERE / "holdout"]
    counts = collections.Counter()
    ids, urls = {}, {}
    failed = 0
    total = 0
    for directory in dirs:
        for path in sorted(directory.glob("*.json")):
            total += 1
            d, errors = check(path)
            if d is not None and isinstance(d, dict):
                ident, url = d.get("id"), d.get("url")
                if ident in ids:
                    errors.append(f"duplicate id, also in {ids[ident]}")
                if url in urls:
                    errors.append(f"duplicate url, also in {urls[url]}")
                ids[ident], urls[url] = path, path
                if not errors:
                    counts[(directory.name, d["kind"], d["level"])] += 1
            if errors:
                failed += 1
                for e in errors:
                    print(f"FAIL {path.relative_to(HERE) if HERE in path.parents else path}: {e}")
    print(f"{total} files checked, {failed} failed")
    parts = sorted({k[0] for k in counts})
    for part in parts:
        for kind in sorted(KINDS, reverse=True):
            row = {lv: counts[(part, kind, lv)] for lv in sorted(LEVELS) if counts[(part, kind, lv)]}
            n = sum(row.values())
            print(f"  {part:8s} {kind:9s} {n:3d}  " + ", ".join(f"{lv} {c}" for lv, c in row.items()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""From the copies of one report and what the state knew of it, to the
report's record and its change line (new / updated / none).

The canonical copy is chosen from every copy the state knows: the ones read
this run and, from the state, the ones that only answered 304 (or could not
be reached) — a copy confirmed unchanged is still a copy. The record's text
(title, body, sections, content hash, and so its version) comes only from a
copy read in full this run, and only from the address that gave the current
text or from a better one by the canonical rule: a repost read again while
the original answered 304, or a repost left after the original is gone,
never replaces the original's text. A repost's wrapper (转载：, 编者按, 来源
lines) is taken off every copy first (govlaw.repost).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from govlaw import normalize, repost
from govlaw.dedupe import address_key, choose_canonical

# The report record, field by field, in the order the feed writes them
# (see govlaw/schema/report.schema.json).
FIELDS = ["id", "title", "report_year", "publish_date", "publisher", "region_code", "admin_level",
          "doc_number", "index_number", "recipient", "signed_date", "body", "body_source", "sections", "missing_parts",
          "attachments", "url", "urls", "portal", "content_hash", "first_seen", "last_seen", "version",
          "history", "withdrawn"]
_FILLABLE = ["title", "report_year", "publish_date", "publisher", "region_code", "admin_level", "doc_number",
             "index_number", "recipient", "signed_date"]
# What the state keeps of a copy between runs: enough to rank it and to fill
# a field from it, not its text (the text that matters is in the versions).
_NOT_KEPT = {"body", "sections", "missing_parts", "match_key", "signature", "shingle_count", "asked_key", "history",
             "first_seen", "last_seen", "version", "withdrawn", "urls", "stub", "wrapped_hash"}


@dataclass
class Merged:
    record: dict
    change: str | None       # new | updated | None
    diff: dict | None = None  # paragraphs added / removed / changed, when the text changed


def copy_to_keep(copy: dict) -> dict:
    """A copy (or a record), as the state keeps it for the next runs."""
    return {k: v for k, v in repost.unwrap(copy).items() if k not in _NOT_KEPT}


def merge(copies: list[dict], previous: dict | None, seen_at: str, known: list[dict] = (),
          previous_copy: dict | None = None) -> Merged:
    """`copies`: read in full this run. `known`: the state's other copies of
    the report (as kept by copy_to_keep), not read this run and not gone.
    `previous_copy`: the kept copy at the previous record's address."""
    read = [repost.unwrap(c) for c in copies]
    read_keys = {address_key(c["url"]) for c in read}
    stubs = [dict(k, stub=True) for k in known if address_key(k["url"]) not in read_keys]
    candidates = read + stubs
    if previous is None:
        record = _from_copy(choose_canonical(read), read)
        record.update(first_seen=seen_at, version=1, last_seen=seen_at, withdrawn=False,
                      history=[{"version": 1, "content_hash": record["content_hash"], "seen_at": seen_at}])
        record["urls"] = _urls(record["url"], candidates, None)
        return Merged(record, "new")

    canonical = choose_canonical(candidates) if candidates else None
    text_from = None
    if canonical is not None and not canonical.get("stub"):
        before = dict(previous_copy or previous, url=previous["url"])
        same_address = address_key(canonical["url"]) == address_key(previous["url"])
        # min() keeps the first of equals: `canonical` wins only when strictly better.
        if same_address or choose_canonical([before, canonical]) is canonical:
            text_from = canonical

    diff, change = None, None
    same_text = text_from is not None and previous["content_hash"] in (text_from["content_hash"],
                                                                        text_from.get("wrapped_hash"))
    if text_from is None or (same_text and address_key(text_from["url"]) == address_key(previous["url"])):
        # Same text, or no copy entitled to change it: the stored text and
        # version stand (a re-rendered page never becomes a correction).
        record = dict(previous)
    else:
        record = _from_copy(text_from, candidates)
        record.update(first_seen=previous["first_seen"], version=previous["version"],
                      history=list(previous.get("history") or []))
        if same_text:
            # A better copy of the same text: its address and metadata, the stored text.
            record.update({k: previous.get(k) for k in ("body", "body_source", "sections", "missing_parts",
                                                         "content_hash")})
        else:
            record["version"] += 1
            record["history"].append({"version": record["version"], "content_hash": record["content_hash"],
                                      "seen_at": seen_at})
            diff, change = paragraph_diff(previous.get("body") or "", record["body"]), "updated"
    if canonical is not None:
        record.update(url=canonical["url"], portal=canonical.get("portal"))
    record["urls"] = _urls(record["url"], candidates, previous)
    record["attachments"] = _union(list(record.get("attachments") or [])
                                   + [a for c in sorted(read, key=lambda c: c["url"]) for a in c.get("attachments") or []])
    record.update(last_seen=seen_at, withdrawn=False)
    return Merged(record, change, diff)


def _from_copy(canonical: dict, candidates: list[dict]) -> dict:
    record = {k: canonical.get(k) for k in FIELDS}
    # A field the canonical copy lacks is taken from another copy that states it.
    for key in _FILLABLE:
        if record.get(key) in (None, ""):
            record[key] = next((c[key] for c in candidates if c.get(key) not in (None, "")), None)
    # The canonical copy's files first, the others' after, in address order:
    # the same copies give the same list whatever order they arrived in.
    others = sorted((c for c in candidates if c is not canonical and not c.get("stub")), key=lambda c: c["url"])
    record["attachments"] = _union(a for c in [canonical, *others] for a in c.get("attachments") or [])
    record["url"] = canonical["url"]
    record["portal"] = canonical.get("portal")
    return record


def _urls(url: str, candidates: list[dict], previous: dict | None) -> list[str]:
    urls = [url] + sorted({c["url"] for c in candidates} - {url})
    if previous:
        urls += sorted(set(previous.get("urls", [])) - set(urls))
    return urls


def paragraph_diff(old: str, new: str) -> dict:
    """How two bodies differ, in paragraphs: compared folded (width and
    blanks do not count), matched in order by difflib; a replaced run of n
    paragraphs by m counts min(n, m) changed and the rest added or removed."""
    a = [normalize.fold(p) for p in old.split("\n\n") if p.strip()]
    b = [normalize.fold(p) for p in new.split("\n\n") if p.strip()]
    added = removed = changed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        n, m = i2 - i1, j2 - j1
        if tag == "replace":
            changed += min(n, m)
            added += max(0, m - n)
            removed += max(0, n - m)
        elif tag == "insert":
            added += m
        elif tag == "delete":
            removed += n
    return {"paragraphs_added": added, "paragraphs_removed": removed, "paragraphs_changed": changed}


def change_line(record: dict, change: str, run_id: str, at: str, diff: dict | None = None) -> dict:
    line = {k: record.get(k) for k in FIELDS if k not in ("body", "sections", "history")}
    line.update(change=change, run_id=run_id, at=at)
    if diff is not None:
        line["diff"] = diff
    return line


def _union(attachments) -> list[dict]:
    seen, out = set(), []
    for a in attachments:
        if a["url"] not in seen:
            seen.add(a["url"])
            out.append(a)
    return out


def section_texts(record: dict) -> list[dict]:
    """A record's sections as {heading, part, text}, whether the record keeps
    each section's text or only its place in the body (start and end offsets).
    Readers of records (exports, the HTML report) go through this."""
    body = record.get("body") or ""
    out = []
    for s in record.get("sections") or []:
        text = s["text"] if "text" in s else body[s["start"]:s["end"]]
        out.append({"heading": s["heading"], "part": s.get("part"), "text": text})
    return out

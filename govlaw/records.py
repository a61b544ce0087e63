"""From the copies of one report seen in a run, and what the state knew of
it, to the report's record and its change line (new / updated / none)."""
from __future__ import annotations

from govlaw.dedupe import choose_canonical

# The report record, field by field, in the order the feed writes them
# (see govlaw/schema/report.schema.json).
FIELDS = ["id", "title", "report_year", "publish_date", "publisher", "region_code", "admin_level",
          "doc_number", "index_number", "recipient", "signed_date", "body", "body_source", "sections", "missing_parts",
          "attachments", "url", "urls", "portal", "content_hash", "first_seen", "last_seen", "version",
          "history", "withdrawn"]
_FILLABLE = ["title", "report_year", "publish_date", "publisher", "region_code", "admin_level", "doc_number",
             "index_number", "recipient", "signed_date"]


def merge(copies: list[dict], previous: dict | None, seen_at: str) -> tuple[dict, str | None]:
    canonical = choose_canonical(copies)
    record = {k: canonical.get(k) for k in FIELDS}
    # A field the canonical copy lacks is taken from another copy that states it.
    for key in _FILLABLE:
        if record.get(key) in (None, ""):
            record[key] = next((c[key] for c in copies if c.get(key) not in (None, "")), None)
    # The canonical copy's files first, the others' after, in address order:
    # the same copies give the same list whatever order they arrived in.
    others = sorted((c for c in copies if c is not canonical), key=lambda c: c["url"])
    record["attachments"] = _union(a for c in [canonical, *others] for a in c.get("attachments") or [])
    urls = [canonical["url"]] + sorted({c["url"] for c in copies} - {canonical["url"]})
    if previous:
        urls += sorted(set(previous.get("urls", [])) - set(urls))
    record["urls"] = urls
    record["url"] = canonical["url"]
    record["portal"] = canonical.get("portal")
    record["last_seen"] = seen_at
    record["withdrawn"] = False

    if previous is None:
        record.update(first_seen=seen_at, version=1,
                      history=[{"version": 1, "content_hash": record["content_hash"], "seen_at": seen_at}])
        return record, "new"
    record["first_seen"] = previous["first_seen"]
    history = list(previous.get("history") or [])
    if record["content_hash"] != previous["content_hash"]:
        record["version"] = previous["version"] + 1
        history.append({"version": record["version"], "content_hash": record["content_hash"], "seen_at": seen_at})
        record["history"] = history
        return record, "updated"
    # Unchanged content: keep the stored text and version; only addresses and
    # last_seen move. A re-rendered page never becomes a correction.
    kept = dict(previous)
    kept.update(urls=record["urls"], last_seen=seen_at, withdrawn=False,
                attachments=_union(list(previous.get("attachments") or []) + record["attachments"]))
    if kept.get("url") not in kept["urls"]:
        kept["url"] = record["url"]
    return kept, None


def change_line(record: dict, change: str, run_id: str, at: str) -> dict:
    line = {k: record.get(k) for k in FIELDS if k not in ("body", "sections", "history")}
    line.update(change=change, run_id=run_id, at=at)
    return line


def _union(attachments) -> list[dict]:
    seen, out = set(), []
    for a in attachments:
        if a["url"] not in seen:
            seen.add(a["url"])
            out.append(a)
    return out

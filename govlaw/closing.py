"""The end of a run: from the copies gathered and the journal kept, the
run's records, change lines, page validators and per-portal summary —
committed to the state in one transaction, then written as feed files."""
from __future__ import annotations

import dataclasses
import json
import logging

from govlaw import feed, records
from govlaw.dedupe import address_key
from govlaw.run import RunContext, utc_now

logger = logging.getLogger(__name__)


def close_run(run: RunContext, copies: dict[str, list[dict]], finish_reason: str | None = None) -> dict:
    store, journal = run.store, run.journal
    seen_at = utc_now()
    # A page whose item never reached the feed (an error in a pipeline) keeps
    # no validators: the next run fetches it in full instead of trusting a 304.
    confirmed = {c.get("asked_key") for cs in copies.values() for c in cs}
    lost = {k for k, p in journal.pages.items() if p.outcome == "report" and k not in confirmed}
    for key in lost:
        del journal.pages[key]
        journal.seen_urls.discard(key)
    if lost:
        logger.error("%d report pages did not reach the feed; they will be fetched again next run", len(lost))
    out_records, changes = [], []

    def change(record, kind):
        out_records.append(record)
        if kind:
            changes.append(records.change_line(record, kind, run.run_id, seen_at))

    # 1. Reports fetched in full this run: new, corrected or unchanged.
    for rid in sorted(copies):
        previous = store.get(rid)
        record, kind = records.merge(copies[rid], previous, seen_at)
        if previous is not None and previous.get("withdrawn") and kind is None:
            kind = "updated"  # back on its portal after a withdrawal
        change(record, kind)
    present = set(copies)

    # 2. Reports confirmed unchanged by a 304: only last_seen moves.
    for key in sorted(journal.seen_urls):
        rid = store.report_for_url(key)
        if rid and rid not in present:
            present.add(rid)
            record = store.get(rid)
            if record is not None:
                kind = "updated" if record.get("withdrawn") else None
                record.update(last_seen=seen_at, withdrawn=False)
                change(record, kind)

    # 3. Reports gone from every address this run could judge: withdrawn.
    for rid in _withdrawn(run, present):
        record = store.get(rid)
        record["withdrawn"] = True
        change(record, "withdrawn")

    # Which portal each address belongs to, for the summaries and the next run.
    addresses = [(address_key(c["url"]), rid, c.get("portal")) for rid, cs in copies.items() for c in cs]
    summaries = summarize(run, changes, out_records, finish_reason)
    store.commit_run(run.run_id, out_records, changes, seen_at, pages=list(journal.pages.values()),
                     addresses=addresses, summaries=summaries)
    feed.export(store, run.output_dir)
    summary = {"run_id": run.run_id, "started": run.started, "finished": seen_at, "finish_reason": finish_reason,
               "changes": _count_changes(changes), "portals": summaries}
    feed.atomic_write(run.output_dir / "runs" / f"{run.run_id}.json",
                      json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    _log(summary)
    return summary


def _withdrawn(run: RunContext, present: set[str]) -> list[str]:
    """Known reports with evidence of absence at every address: a 404/410,
    or missing from a listing of its portal that was walked to its end."""
    store, journal = run.store, run.journal
    crawled = set(run.crawled_portals)
    out = []
    for rid in store.active_report_ids():
        if rid in present:
            continue
        addresses = store.addresses_of(rid)
        if not addresses:
            continue
        judged = True
        for key, portal in addresses:
            if key in journal.seen_urls:
                judged = False
                break
            if key in journal.gone_urls:
                continue
            walked = (portal in crawled and portal in journal.complete_walks
                      and portal not in journal.incomplete_portals)
            if not (walked and key not in journal.complete_walks[portal]):
                judged = False
                break
        if judged:
            out.append(rid)
    return sorted(out)


def _count_changes(changes: list[dict]) -> dict:
    return {k: sum(1 for c in changes if c["change"] == k) for k in ("new", "updated", "withdrawn")}


def summarize(run: RunContext, changes: list[dict], out_records: list[dict], finish_reason) -> dict:
    out = {}
    present_on: dict[str, int] = {}  # portal → reports present there now
    for r in out_records:
        if not r.get("withdrawn"):
            for portal in {p for _, p in run.store.addresses_of(r["id"])} | {r.get("portal")}:
                present_on[portal] = present_on.get(portal, 0) + 1
    for portal in run.crawled_portals:
        counts = dataclasses.asdict(run.journal.count(portal))
        mine = [c for c in changes if c.get("portal") == portal]
        counts.update(_count_changes(mine))
        known_before = run.store.reports_on_portal(portal)
        present_now = present_on.get(portal, 0)
        counts["reports_present"] = present_now
        failures = run.journal.listing_failures.get(portal, [])
        counts["listing_failures"] = failures
        counts["not_read"] = dict(sorted(run.journal.reasons.get(portal, {}).items()))
        if known_before and not present_now:
            counts["flag"] = "yielded reports before, none now"
        elif failures and not run.journal.complete_walks.get(portal) and counts["listing_pages"] == 0:
            counts["flag"] = "listing unreachable: " + "; ".join(failures[:3])
        else:
            counts["flag"] = None
        out[portal] = counts
    return out


def _log(summary: dict) -> None:
    for portal, c in sorted(summary["portals"].items()):
        logger.info(
            "portal %s: %d listing pages, %d detail pages, %d not modified, %d new, %d updated, %d withdrawn, "
            "%d errors%s%s", portal, c["listing_pages"], c["detail_pages"], c["not_modified"], c["new"], c["updated"],
            c["withdrawn"], c["errors"],
            f"; not read: {', '.join(f'{k} ×{v}' for k, v in c['not_read'].items())}" if c["not_read"] else "",
            f" — FLAG: {c['flag']}" if c["flag"] else "")
    ch = summary["changes"]
    logger.info("run %s: %d new, %d updated, %d withdrawn", summary["run_id"], ch["new"], ch["updated"], ch["withdrawn"])

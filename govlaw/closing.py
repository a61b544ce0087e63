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
from govlaw.state import backup, guard

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

    def change(record, kind, diff=None):
        out_records.append(record)
        if kind:
            changes.append(records.change_line(record, kind, run.run_id, seen_at, diff))

    # 1. Reports read in full this run, or confirmed by a 304: new, corrected
    #    or unchanged — the canonical copy chosen again from every known copy.
    confirmed_ids = {rid for key in journal.seen_urls if (rid := store.report_for_url(key))}
    present = set()
    for rid in sorted(set(copies) | confirmed_ids):
        previous = store.get(rid)
        if previous is None and rid not in copies:
            continue
        present.add(rid)
        if rid not in copies and address_key(previous["url"]) in journal.seen_urls:
            # Only 304s, the canonical address among them: nothing can have
            # moved, so no copy is looked at — only last_seen moves.
            merged = records.Merged(dict(previous), None)
        else:
            known, previous_copy = _known_copies(run, rid, previous, copies.get(rid, []))
            merged = records.merge(copies.get(rid, []), previous, seen_at, known, previous_copy)
        record, kind = merged.record, merged.change
        if previous is not None and previous.get("withdrawn") and kind is None:
            kind = "updated"  # back on its portal after a withdrawal
        record.update(last_seen=seen_at, withdrawn=False)
        change(record, kind, merged.diff)

    # 2. Reports gone from every address this run could judge: withdrawn.
    for rid in _withdrawn(run, present):
        record = store.get(rid)
        record["withdrawn"] = True
        change(record, "withdrawn")

    # Which portal each address belongs to, for the summaries and the next run.
    addresses = [(address_key(c["url"]), rid, c.get("portal"), records.copy_to_keep(c))
                 for rid, cs in copies.items() for c in cs]
    summaries = summarize(run, changes, out_records, finish_reason)
    store.commit_run(run.run_id, out_records, changes, seen_at, pages=list(journal.pages.values()),
                     addresses=addresses, summaries=summaries)
    feed.export(store, run.output_dir)
    summary = {"run_id": run.run_id, "started": run.started, "finished": seen_at, "finish_reason": finish_reason,
               "changes": _count_changes(changes), "portals": summaries}
    feed.atomic_write(run.output_dir / "runs" / f"{run.run_id}.json",
                      json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    _keep_state(run)
    _log(summary)
    return summary


def _known_copies(run: RunContext, rid: str, previous: dict | None, read: list[dict]):
    """The state's copies of a report that were not read this run and are
    not gone, and the kept copy at the previous record's address."""
    if previous is None:
        return [], None
    gone = run.journal.gone_urls
    read_keys = {address_key(c["url"]) for c in read}
    canonical_key = address_key(previous["url"])
    url_of = {address_key(u): u for u in previous.get("urls") or []}
    known, previous_copy = [], None
    for key, portal, kept, outcome in run.store.copies_of(rid):
        if kept is None:
            # Kept before copies were: rebuilt from the record (its own
            # address) or from the address and its portal alone.
            if key == canonical_key:
                kept = records.copy_to_keep(previous)
            elif key in url_of:
                kept = {"url": url_of[key], "portal": portal}
            else:
                continue
            name, region = run.portal_names.get(kept.get("portal") or portal, (None, None))
            kept.setdefault("portal_name", name)
            kept.setdefault("portal_region", region)
        if key == canonical_key:
            previous_copy = kept
        if key not in read_keys and key not in gone and outcome != "gone":
            known.append(kept)
    return known, previous_copy


def _keep_state(run: RunContext) -> None:
    """After the commit: a backup of the state, then the marker the next run
    checks the state against. Neither can undo the commit, so a failure here
    is logged, not raised."""
    try:
        backup.take(run.store, run.output_dir, run.run_id, run.backups)
    except Exception:
        logger.exception("could not back up the state after run %s", run.run_id)
    try:
        guard.write_marker(run.output_dir / guard.MARKER, run.run_id, run.store.report_count(), run.state_path)
    except Exception:
        logger.exception("could not write the state marker after run %s", run.run_id)


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
        if portal in run.journal.discovery_failures:
            counts["flag"] = "discovery found no report column"
        elif known_before and not present_now:
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

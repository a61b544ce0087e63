"""Commits: a portal's part of the run as soon as its requests have drained,
and the end of the run.

`commit_portal` turns the copies read on one portal and what the run learned
there (the portal's journal) into records, change lines, page validators,
evidence of absence and the portal's summary, and writes them to the state
in one transaction. A run killed afterwards keeps every portal it finished.

`finish_run` judges withdrawals — a report is withdrawn only when every one
of its addresses, on whatever portal, gave evidence of absence this run —,
marks the run finished, and writes the feed files from the state.

A report met on several portals in one run is merged portal by portal; a
text that changes again within the run is folded into the version the run
created (no second version, the run's change line rewritten), so the state
ends as one commit of all the copies would leave it.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path

from govlaw import analysts, feed, htmlreport, records
from govlaw.dedupe import address_key
from govlaw.run import RunContext, utc_now
from govlaw.state import backup, guard

logger = logging.getLogger(__name__)

# The change of a report within one run: the first kind stands (a report new
# this run stays new however many portals it is found on).
_IN_RUN = ("new", "updated")


def commit_portal(run: RunContext, portal: str, copies: dict[str, list[dict]], texts: dict | None = None,
                  cut_short: bool = False) -> dict:
    with run.store.exclusive():
        return _commit_portal(run, portal, copies, texts, cut_short)


def _commit_portal(run: RunContext, portal: str, copies: dict[str, list[dict]], texts: dict | None,
                   cut_short: bool) -> dict:
    """Commit what the run read and learned on `portal`; returns its summary.
    `texts`: content hash → (match key, signature, shingle count) of the
    copies' texts. `cut_short`: the crawl closed before the portal drained,
    so none of its walks counts as complete."""
    pj = run.journal.take(portal)
    try:
        return _commit_journal(run, pj, copies, texts, cut_short)
    except BaseException:
        run.journal.put_back(pj)  # nothing was committed: the next try has it all
        raise


def _commit_journal(run: RunContext, pj, copies: dict[str, list[dict]], texts: dict | None, cut_short: bool) -> dict:
    store, portal = run.store, pj.portal
    pj.incomplete = pj.incomplete or cut_short
    seen_at = utc_now()
    # A page whose item never reached the feed (an error in a pipeline) keeps
    # no validators: the next run fetches it in full instead of trusting a 304.
    confirmed = {c.get("asked_key") for cs in copies.values() for c in cs}
    lost = [k for k, p in pj.pages.items() if p.outcome == "report" and k not in confirmed]
    for key in lost:
        del pj.pages[key]
        pj.seen.discard(key)
    if lost:
        logger.error("%d report pages of portal %s did not reach the feed; they will be fetched again next run",
                     len(lost), portal)
    known_before = store.reports_on_portal(portal)
    out_records, changes, folded = [], [], set()
    confirmed_ids = {rid for key in pj.seen if (rid := store.report_for_url(key))}
    for rid in sorted(set(copies) | confirmed_ids):
        previous = store.get(rid)
        if previous is None and rid not in copies:
            continue
        if rid not in copies and address_key(previous["url"]) in pj.seen:
            # Only 304s, the canonical address among them: nothing can have
            # moved, so no copy is looked at — only last_seen moves.
            merged = records.Merged(dict(previous), None)
        else:
            known, previous_copy = _known_copies(run, pj, rid, previous, copies.get(rid, []))
            merged = records.merge(copies.get(rid, []), previous, seen_at, known, previous_copy)
        record, kind, diff = merged.record, merged.change, merged.diff
        if previous is not None and previous.get("withdrawn") and kind is None:
            kind = "updated"  # back on its portal after a withdrawal
        earlier = store.run_change(run.run_id, rid) if previous is not None else None
        if earlier is not None and earlier["change"] in _IN_RUN:
            record, kind, diff = _fold(store, earlier, previous, record, kind, diff)
            folded.add(rid)
        record.update(last_seen=seen_at, withdrawn=False)
        out_records.append(record)
        if kind:
            changes.append(records.change_line(record, kind, run.run_id, seen_at, diff))
    # Addresses of this portal, with the copy read there (without its text).
    addresses = [(address_key(c["url"]), rid, c.get("portal"), records.copy_to_keep(c))
                 for rid, cs in copies.items() for c in cs]
    verdicts = _verdicts(store, pj)
    summary = _summary(run, pj, changes, out_records, known_before, verdicts)
    store.commit_portal(run.run_id, portal, out_records, changes, seen_at, pages=list(pj.pages.values()),
                        addresses=addresses, summary=summary, verdicts=verdicts,
                        replace_versions=folded, texts=_texts_of(out_records, texts or {}))
    _log_portal(portal, summary)
    return summary


def _texts_of(out_records: list[dict], texts: dict) -> dict:
    """Report id → (match key, signature, shingle count) of its record's text, where known."""
    return {r["id"]: texts[r["content_hash"]] for r in out_records
            if r.get("content_hash") in texts and texts[r["content_hash"]][0] is not None}


def _fold(store, earlier: dict, previous: dict, record: dict, kind, diff):
    """A report this run already created or corrected, changed again by a
    better copy met later in the run: the same version, its text replaced."""
    if kind == "updated" and record["version"] == previous["version"] + 1:
        record["version"] = previous["version"]
        history = list(record.get("history") or [])
        record["history"] = history[:-2] + history[-1:] if len(history) >= 2 else history
        record["history"][-1] = dict(record["history"][-1], version=record["version"])
    kind = earlier["change"]
    if kind == "updated":
        # What changed is told against the text before this run.
        before = next((v for v in store.versions_of(record["id"]) if v["version"] == record["version"] - 1), None)
        diff = records.paragraph_diff((before or {}).get("body") or "", record.get("body") or "")
    else:
        diff = None
    return record, kind, diff


def _known_copies(run: RunContext, pj, rid: str, previous: dict | None, read: list[dict]):
    """The state's copies of a report that were not read on this portal and
    are not gone, and the kept copy at the previous record's address."""
    if previous is None:
        return [], None
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
        if key not in read_keys and key not in pj.gone and outcome != "gone":
            known.append(kept)
    return known, previous_copy


def _verdicts(store, pj) -> list[tuple[str, str]]:
    """(address key, present | gone | absent) for the addresses of known
    reports on this portal that this run could judge."""
    out = []
    for key in pj.seen:
        out.append((key, "present"))
    for key, _rid in store.addresses_on_portal(pj.portal):
        if key in pj.seen:
            continue
        if key in pj.gone:
            out.append((key, "gone"))
        elif pj.walked and key not in pj.complete_walk:
            out.append((key, "absent"))
    return out


def finish_run(run: RunContext, finish_reason: str | None = None) -> dict:
    """The end of the run: withdrawals and the run marked finished (one
    transaction), then the feed files, the run's summary and a backup."""
    store = run.store
    finished = _with_retries(lambda: _judge_withdrawals(run), store, "withdrawals not judged")
    # The analysts' exports of the state now committed, in their own process
    # (govlaw.analysts.refresh) while this one writes the feed, the run's
    # summary and the backup; or here, after them.
    refresher = getattr(run, "analyst_refresh", None)
    exporting = refresher is not None and refresher.start_final()
    try:
        feed.export(store, run.output_dir)
        summary = {"run_id": run.run_id, "started": run.started, "finished": finished,
                   "finish_reason": finish_reason, "changes": store.run_change_counts(run.run_id),
                   "portals": store.portal_summaries(run.run_id)}
        feed.atomic_write(run.output_dir / "runs" / f"{run.run_id}.json", feed.json_document(summary))
        _keep_state(run)
    finally:
        exported = exporting and refresher.end_final()
    if not exported:
        analysts.export_all(store, run.output_dir, getattr(run, "analyst_options", None))
        htmlreport.after_run(run.output_dir, run.html_report)
    ch = summary["changes"]
    logger.info("run %s: %d new, %d updated, %d withdrawn", run.run_id, ch["new"], ch["updated"], ch["withdrawn"])
    return summary


def _with_retries(work, store, what: str, tries: int = 3):
    """`work()` under the store's commit lock, tried again when it fails
    (a database server's dropped connection takes the lock with it: the
    work is abandoned, not finished unguarded); its last failure is raised."""
    for attempt in range(1, tries + 1):
        try:
            with store.exclusive():
                return work()
        except Exception as exc:
            if attempt == tries:
                raise
            logger.warning("%s (%s); trying again", what, str(exc).strip().splitlines()[0] if str(exc).strip()
                           else type(exc).__name__)
            time.sleep(0.5 * attempt)


def _judge_withdrawals(run: RunContext) -> str:
    store = run.store
    seen_at = utc_now()
    out_records, changes = [], []
    for rid in store.withdrawal_candidates(run.run_id):
        record = store.get(rid)
        record["withdrawn"] = True
        out_records.append(record)
        changes.append(records.change_line(record, "withdrawn", run.run_id, seen_at))
    store.finish_run(run.run_id, out_records, changes, seen_at, withdrawn_by_portal=_count_by_portal(out_records))
    return seen_at


def _keep_state(run: RunContext) -> None:
    """After the commit: a backup of the state, then the marker the next run
    checks the state against. Neither can undo the commit, so a failure here
    is logged, not raised."""
    try:
        backup.take(run.store, run.output_dir, run.run_id, run.backups)
    except Exception:
        logger.exception("could not back up the state after run %s", run.run_id)
    if not isinstance(run.state_path, Path):
        return  # a database server's state: the marker checks a state file
    try:
        guard.write_marker(run.output_dir / guard.MARKER, run.run_id, run.store.report_count(), run.state_path)
    except Exception:
        logger.exception("could not write the state marker after run %s", run.run_id)


def _count_by_portal(withdrawn: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in withdrawn:
        out[r.get("portal")] = out.get(r.get("portal"), 0) + 1
    return out


def _count_changes(changes: list[dict]) -> dict:
    return {k: sum(1 for c in changes if c["change"] == k) for k in ("new", "updated", "withdrawn")}


def _summary(run: RunContext, pj, changes: list[dict], out_records: list[dict], known_before: int,
             verdicts: list[tuple[str, str]]) -> dict:
    # Every record this commit touched was read or confirmed on this portal.
    present_now = sum(1 for r in out_records if not r.get("withdrawn"))
    counts = dataclasses.asdict(pj.counts)
    counts.update(_count_changes(changes))
    counts["reports_present"] = present_now
    counts["listing_failures"] = pj.listing_failures
    counts["not_read"] = dict(sorted(pj.reasons.items()))
    if pj.discovery_failed:
        counts["flag"] = "discovery found no report column"
    elif counts.get("challenge") == "not passed":
        counts["flag"] = "challenge not passed"
    elif known_before and not present_now and {"gone", "absent"} & {v for _, v in verdicts}:
        # Only on evidence: a listing unchanged since the last run (304) and
        # older reports not due to be asked for again say nothing either way.
        counts["flag"] = "yielded reports before, none now"
    elif pj.listing_failures and not pj.complete_walk and counts["listing_pages"] == 0:
        counts["flag"] = "listing unreachable: " + "; ".join(pj.listing_failures[:3])
    else:
        counts["flag"] = None
    return counts


def _log_portal(portal: str, c: dict) -> None:
    logger.info(
        "portal %s: %d listing pages, %d detail pages, %d not modified, %d new, %d updated, "
        "%d errors%s%s", portal, c["listing_pages"], c["detail_pages"], c["not_modified"], c["new"], c["updated"],
        c["errors"],
        f"; not read: {', '.join(f'{k} ×{v}' for k, v in c['not_read'].items())}" if c["not_read"] else "",
        f" — FLAG: {c['flag']}" if c["flag"] else "")

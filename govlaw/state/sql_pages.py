"""Pages and addresses in the SQLite state: validators and listing entries
per portal, the addresses of every report with the copy last read there,
and the journal of responses fetched for portals not yet committed."""
from __future__ import annotations

import json


class PagesMixin:
    def pages_of(self, portal: str) -> dict:
        from govlaw.incremental import PageRecord

        out = {}
        for key, url, kind, etag, modified, outcome, data in self.db.execute(
                "SELECT key, url, kind, etag, last_modified, outcome, data FROM pages WHERE portal = ?", (portal,)):
            out[key] = PageRecord(url, portal, kind, etag, modified, outcome, json.loads(data) if data else None)
        return out

    def report_pages_of(self, portal: str) -> dict[str, tuple]:
        """Address key → (report year, publish date, last seen) of the report
        last read at each of a portal's pages that held one."""
        rows = self.db.execute(
            "SELECT p.key, r.report_year, json_extract(r.record, '$.publish_date'),"
            " json_extract(r.record, '$.last_seen') FROM pages p JOIN addresses a ON a.url = p.key"
            " JOIN reports r ON r.id = a.report_id"
            " WHERE p.portal = ? AND p.kind = 'document' AND p.outcome = 'report' AND r.withdrawn = 0", (portal,))
        return {key: (year, published, seen) for key, year, published, seen in rows}

    def addresses_of(self, report_id: str) -> list[tuple[str, str | None]]:
        return list(self.db.execute("SELECT url, portal FROM addresses WHERE report_id = ?", (report_id,)))

    def addresses_on_portal(self, portal: str) -> list[tuple[str, str]]:
        """(address key, report id) of the reports not withdrawn that a portal holds."""
        return list(self.db.execute(
            "SELECT a.url, a.report_id FROM addresses a JOIN reports r ON r.id = a.report_id"
            " WHERE a.portal = ? AND r.withdrawn = 0 ORDER BY a.url", (portal,)))

    def copies_of(self, report_id: str) -> list[tuple[str, str | None, dict | None, str | None]]:
        """(address key, portal, copy last read there or None, the page's last outcome) of every address."""
        rows = self.db.execute("SELECT a.url, a.portal, a.copy, p.outcome FROM addresses a LEFT JOIN pages p"
                               " ON p.key = a.url WHERE a.report_id = ? ORDER BY a.url", (report_id,))
        return [(key, portal, json.loads(copy) if copy else None, outcome) for key, portal, copy, outcome in rows]

    def reports_on_portal(self, portal: str) -> int:
        row = self.db.execute("SELECT COUNT(DISTINCT report_id) FROM addresses WHERE portal = ?", (portal,)).fetchone()
        return row[0]

    def _write_pages(self, pages, addresses) -> None:
        for key, report_id, portal, *copy in addresses:
            # (key, report id, portal[, copy]): the copy as read this run, without its text.
            copy_json = json.dumps(copy[0], ensure_ascii=False, sort_keys=True) if copy and copy[0] else None
            self.db.execute("UPDATE addresses SET portal = ?, copy = COALESCE(?, copy) WHERE url = ? AND report_id = ?",
                            (portal, copy_json, key, report_id))
        for page in pages:
            self.db.execute(
                "INSERT OR REPLACE INTO pages (key, url, portal, kind, etag, last_modified, outcome, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (page.key, page.url, page.portal, page.kind, page.etag, page.last_modified, page.outcome,
                 json.dumps(page.data, ensure_ascii=False) if page.data is not None else None))

    # the fetched-response journal ---------------------------------------------
    def keep_fetched(self, run_id: str, batch) -> None:
        """Keep a batch of (request fingerprint, portal, serialized response)
        of portals not yet committed, in one transaction."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO fetched (run_id, fingerprint, portal, response)"
                                " VALUES (?, ?, ?, ?)", [(run_id, fp, portal, blob) for fp, portal, blob in batch])

    def fetched_fingerprints(self, run_id: str, portal: str | None = None) -> set[str]:
        if portal is None:
            rows = self.db.execute("SELECT fingerprint FROM fetched WHERE run_id = ?", (run_id,))
        else:
            rows = self.db.execute("SELECT fingerprint FROM fetched WHERE run_id = ? AND portal = ?", (run_id, portal))
        return {fp for (fp,) in rows}

    def fetched_response(self, run_id: str, fingerprint: str) -> bytes | None:
        row = self.db.execute("SELECT response FROM fetched WHERE run_id = ? AND fingerprint = ?",
                              (run_id, fingerprint)).fetchone()
        return row[0] if row else None

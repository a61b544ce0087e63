"""What every SQL backend of the state shares: reports and versions read
back, records written inside a commit, and the methods of the mixins
(identity, pages, runs). Statements are written once, in SQLite's dialect;
a backend whose dialect differs translates them in its connection
(govlaw.state.postgres)."""
from __future__ import annotations

import contextlib
import json

from govlaw.state.packing import pack, unpack
from govlaw.state.sql_identity import IdentityMixin
from govlaw.state.sql_pages import PagesMixin
from govlaw.state.sql_runs import RunsMixin


class SQLStore(IdentityMixin, PagesMixin, RunsMixin):
    """The state's interface over one DB-API connection (`self.db`), its
    methods grouped by concern in mixins — identity (addresses, hashes,
    near-duplicate bands), pages (validators, addresses, kept responses),
    runs (commits, change lines, withdrawals) — and reports read here."""

    db = None

    def exclusive(self):
        """Held around a commit's reads and writes, so that two processes
        sharing the state never merge one report at once. One process holds
        a SQLite state (the output directory's lock): nothing to do."""
        return contextlib.nullcontext()

    # reports ----------------------------------------------------------------
    _RECORD = ("SELECT r.record, v.body FROM reports r LEFT JOIN versions v"
               " ON v.id = r.id AND v.version = r.version")

    @staticmethod
    def _record(record_json: str, body) -> dict:
        record = json.loads(record_json)
        if "body" not in record:  # stored once, in the version's row
            record["body"] = unpack(body)
        return record

    def get(self, report_id: str) -> dict | None:
        row = self.db.execute(f"{self._RECORD} WHERE r.id = ?", (report_id,)).fetchone()
        return self._record(*row) if row else None

    def active_report_ids(self) -> list[str]:
        """Reports not withdrawn."""
        return [rid for (rid,) in self.db.execute("SELECT id FROM reports WHERE withdrawn = 0 ORDER BY id")]

    def all_reports(self):
        for record, body in self.db.execute(f"{self._RECORD} ORDER BY r.id"):
            yield self._record(record, body)

    def versions_of(self, report_id: str) -> list[dict]:
        """Every version of a report, oldest first, with its text (None for
        versions stored before texts were kept)."""
        rows = self.db.execute("SELECT version, content_hash, seen_at, title, body FROM versions WHERE id = ?"
                               " ORDER BY version", (report_id,))
        return [{"version": version, "content_hash": content_hash, "seen_at": seen_at, "title": title,
                 "body": unpack(body)} for version, content_hash, seen_at, title, body in rows]

    def report_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]

    # writing records (inside a run's transaction) ---------------------------
    def _write_records(self, records, texts: dict | None = None, replace_versions=()) -> None:
        """Each record, its version and its addresses. `texts`: report id →
        (match key, signature bytes, shingle count) of the record's text, as
        computed once where the text was read; made here when absent."""
        from govlaw.dedupe import address_key, fingerprint

        for rec in records:
            row = self.db.execute("SELECT content_hash FROM reports WHERE id = ?", (rec["id"],)).fetchone()
            stored = {k: v for k, v in rec.items() if k != "body"}
            record_json = json.dumps(stored, ensure_ascii=False, sort_keys=True)
            if row and row[0] == rec["content_hash"]:
                # Same text: its match key and MinHash stand; only the record moves
                # (last_seen, addresses, withdrawn) — no rehashing of every known report.
                self.db.execute("UPDATE reports SET record = ?, withdrawn = ? WHERE id = ?",
                                (record_json, int(bool(rec.get("withdrawn"))), rec["id"]))
            else:
                known = (texts or {}).get(rec["id"])
                if known is None:
                    fp = fingerprint(rec.get("body") or "")
                    known = (fp["match_key"], fp["signature"], fp["shingle_count"])
                key, sig, count = known
                self.db.execute(
                    "INSERT INTO reports (id, version, content_hash, report_year, folded, signature, shingles,"
                    " record, withdrawn) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                    " version=excluded.version, content_hash=excluded.content_hash,"
                    " report_year=excluded.report_year, folded=excluded.folded, signature=excluded.signature,"
                    " shingles=excluded.shingles, record=excluded.record, withdrawn=excluded.withdrawn",
                    (rec["id"], rec["version"], rec["content_hash"], rec.get("report_year"), pack(key or ""),
                     sig if key else None, count if key else None, record_json, int(bool(rec.get("withdrawn")))))
                self._index_bands(rec["id"], rec.get("report_year"), sig if key else None)
            verb = "INSERT OR REPLACE" if rec["id"] in replace_versions else "INSERT OR IGNORE"
            self.db.execute(f"{verb} INTO versions (id, version, content_hash, seen_at, title, body)"
                            " VALUES (?, ?, ?, ?, ?, ?)", (rec["id"], rec["version"], rec["content_hash"],
                                                           rec["last_seen"], rec.get("title"), pack(rec.get("body"))))
            for url in rec["urls"]:
                self.db.execute("INSERT INTO addresses (url, report_id) VALUES (?, ?) ON CONFLICT(url)"
                                " DO UPDATE SET report_id = excluded.report_id", (address_key(url), rec["id"]))

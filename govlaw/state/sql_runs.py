"""Runs in the SQLite state: a portal's commit, the run's end, its change
lines and the evidence withdrawals are judged from.

A run is begun, committed portal by portal (`commit_portal`, one
transaction each), and finished (`finish_run`: withdrawals and the
`finished` mark, one transaction). A run that was never finished is
resumed by the next one, which skips the portals it committed.
"""
from __future__ import annotations

import json

_KINDS = ("new", "updated", "withdrawn")


class RunsMixin:
    def begin_run(self, run_id: str, started: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO runs (run_id, started) VALUES (?, ?)", (run_id, started))

    def unfinished_run(self) -> tuple[str, str] | None:
        """(run id, started) of the last run begun and never finished, when it
        is the last run of all: the run a killed crawl leaves to resume."""
        row = self.db.execute("SELECT run_id, started, finished FROM runs ORDER BY run_id DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row and row[2] is None else None

    def committed_portals(self, run_id: str) -> set[str]:
        return {p for (p,) in self.db.execute("SELECT portal FROM portal_runs WHERE run_id = ?", (run_id,))}

    def portal_committed(self, run_id: str, portal: str) -> bool:
        return self.db.execute("SELECT 1 FROM portal_runs WHERE run_id = ? AND portal = ?",
                               (run_id, portal)).fetchone() is not None

    def later_run(self, run_id: str) -> bool:
        """Is there a run with this id or a later one?"""
        return self.db.execute("SELECT 1 FROM runs WHERE run_id >= ?", (run_id,)).fetchone() is not None

    def run_change(self, run_id: str, report_id: str) -> dict | None:
        """The change line a run already wrote for a report, if any."""
        row = self.db.execute("SELECT line FROM changes WHERE run_id = ? AND report_id = ?",
                              (run_id, report_id)).fetchone()
        return json.loads(row[0]) if row else None

    def commit_portal(self, run_id, portal, records, changes, at, pages=(), addresses=(), summary=None,
                      verdicts=(), replace_versions=(), texts=None) -> None:
        """Everything a run learned on one portal, in one transaction: its
        records, change lines (replacing the run's earlier line of the same
        report), validators, evidence, summary; its fetched responses are
        dropped, now that what they gave is committed."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._write_records(records, texts, replace_versions)
            self._write_pages(pages, addresses)
            self._write_changes(run_id, changes)
            self.db.executemany("INSERT OR REPLACE INTO verdicts (run_id, url, verdict) VALUES (?, ?, ?)",
                                [(run_id, key, verdict) for key, verdict in verdicts])
            if portal is not None:
                self.db.execute("INSERT OR REPLACE INTO portal_runs (run_id, portal, summary) VALUES (?, ?, ?)",
                                (run_id, portal, json.dumps(summary or {}, ensure_ascii=False, sort_keys=True)))
                self.db.execute("DELETE FROM fetched WHERE run_id = ? AND portal = ?", (run_id, portal))

    def withdrawal_candidates(self, run_id: str) -> list[str]:
        """Reports not withdrawn whose every address gave evidence of absence
        this run (gone, or missing from a listing walked to its end), and
        none was read or confirmed."""
        return [rid for (rid,) in self.db.execute(
            "SELECT a.report_id FROM addresses a JOIN reports r ON r.id = a.report_id"
            " LEFT JOIN verdicts v ON v.run_id = ? AND v.url = a.url"
            " WHERE r.withdrawn = 0 GROUP BY a.report_id"
            " HAVING SUM(CASE WHEN v.verdict IN ('gone', 'absent') THEN 1 ELSE 0 END) = COUNT(*)"
            " ORDER BY a.report_id", (run_id,))]

    def finish_run(self, run_id, records, changes, finished, withdrawn_by_portal=None) -> None:
        """The run's end, in one transaction: its withdrawals, the withdrawn
        counts in its portals' summaries, the `finished` mark; the run's
        evidence and fetched responses are dropped."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._write_records(records)
            self._write_changes(run_id, changes)
            for portal, n in (withdrawn_by_portal or {}).items():
                row = self.db.execute("SELECT summary FROM portal_runs WHERE run_id = ? AND portal = ?",
                                      (run_id, portal)).fetchone()
                if row:
                    summary = json.loads(row[0])
                    summary["withdrawn"] = summary.get("withdrawn", 0) + n
                    self.db.execute("UPDATE portal_runs SET summary = ? WHERE run_id = ? AND portal = ?",
                                    (json.dumps(summary, ensure_ascii=False, sort_keys=True), run_id, portal))
            self.db.execute("DELETE FROM verdicts WHERE run_id = ?", (run_id,))
            self.db.execute("DELETE FROM fetched WHERE run_id = ?", (run_id,))
            self.db.execute("UPDATE runs SET finished = ? WHERE run_id = ?", (finished, run_id))

    def commit_run(self, run_id, records, changes, finished, pages=(), addresses=(), summaries=None) -> None:
        """A whole run in one go (records not tied to one portal): its
        records, change lines, pages and summaries, and the finished mark."""
        self.commit_portal(run_id, None, records, changes, finished, pages, addresses)
        for portal, summary in (summaries or {}).items():
            self.db.execute("INSERT OR REPLACE INTO portal_runs (run_id, portal, summary) VALUES (?, ?, ?)",
                            (run_id, portal, json.dumps(summary, ensure_ascii=False, sort_keys=True)))
        self.finish_run(run_id, [], [], finished)

    def _write_changes(self, run_id: str, changes) -> None:
        for change in changes:
            row = self.db.execute("SELECT seq FROM changes WHERE run_id = ? AND report_id = ?",
                                  (run_id, change["id"])).fetchone()
            if row:
                seq = row[0]
                self.db.execute("DELETE FROM changes WHERE run_id = ? AND seq = ?", (run_id, seq))
            else:
                seq = self.db.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM changes WHERE run_id = ?",
                                      (run_id,)).fetchone()[0]
            self.db.execute("INSERT INTO changes (run_id, seq, report_id, change, line) VALUES (?, ?, ?, ?, ?)",
                            (run_id, seq, change["id"], change["change"],
                             json.dumps(change, ensure_ascii=False, sort_keys=True)))

    def portal_summaries(self, run_id: str) -> dict:
        return {portal: json.loads(s) for portal, s in self.db.execute(
            "SELECT portal, summary FROM portal_runs WHERE run_id = ? ORDER BY portal", (run_id,))}

    def run_change_counts(self, run_id: str) -> dict:
        counts = dict(self.db.execute("SELECT change, COUNT(*) FROM changes WHERE run_id = ? GROUP BY change",
                                      (run_id,)))
        return {k: counts.get(k, 0) for k in _KINDS}

    def unexported_runs(self) -> list[str]:
        return [r for (r,) in self.db.execute(
            "SELECT run_id FROM runs WHERE finished IS NOT NULL AND exported = 0 ORDER BY run_id")]

    def finished_runs(self) -> list[str]:
        return [r for (r,) in self.db.execute("SELECT run_id FROM runs WHERE finished IS NOT NULL ORDER BY run_id")]

    def changes_of(self, run_id: str):
        """A run's change lines in one order whatever order its portals were
        committed in: new and corrected reports by id, then withdrawals by id;
        one at a time (a first national run's are tens of megabytes)."""
        for (line,) in self.db.execute(
                "SELECT line FROM changes WHERE run_id = ? ORDER BY change = 'withdrawn', report_id", (run_id,)):
            yield json.loads(line)

    def recent_changes(self, limit: int) -> list[dict]:
        rows = self.db.execute("SELECT line FROM changes ORDER BY run_id DESC, change = 'withdrawn' DESC,"
                               " report_id DESC LIMIT ?", (limit,))
        return [json.loads(line) for (line,) in rows]

    def mark_exported(self, run_id: str) -> None:
        self.db.execute("UPDATE runs SET exported = 1 WHERE run_id = ?", (run_id,))

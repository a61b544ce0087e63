"""Every version keeps its text; an `updated` change line says what changed.
The demo's state 2 corrects one figure in 汕尾's 2021 report (专题研究法治政府
建设工作4次 → 5次): one paragraph changed, none added or removed. A state
written before texts were kept is migrated in place; one written before texts
were compressed reads the same."""
from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import crawl, read_jsonl
from govlaw.cli import main as govlaw
from govlaw.demo.catalog import load_documents
from govlaw.dedupe import match_key
from govlaw.demo.server import DemoPortals
from govlaw.state import SQLiteStore
from govlaw.state.guard import SCHEMA_VERSION, inspect

CORRECTED = "汕尾市人民政府2021年法治政府建设年度报告"
SLUG = "shanwei-report-2021"


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    output = tmp_path_factory.mktemp("versions")
    sources = output.parent / "versions-sources.yaml"
    with DemoPortals() as demo:
        demo.write_sources(sources)
        first = crawl(sources, output, "-a", "portals=shanwei")
        demo.set_state(2)
        second = crawl(sources, output, "-a", "portals=shanwei")
    assert first.returncode == second.returncode == 0, (first.stderr + second.stderr)[-3000:]
    return output


def test_updated_change_line_carries_an_exact_paragraph_diff(corrected):
    last = sorted((corrected / "changes").glob("*.jsonl"))[-1]
    [line] = read_jsonl(last)
    assert (line["change"], line["title"], line["version"]) == ("updated", CORRECTED, 2)
    assert line["diff"] == {"paragraphs_added": 0, "paragraphs_removed": 0, "paragraphs_changed": 1}
    for first in read_jsonl(sorted((corrected / "changes").glob("*.jsonl"))[0]):
        assert "diff" not in first  # new reports have nothing to compare with


def test_every_version_keeps_its_title_and_body(corrected, capsys):
    before = next(d for d in load_documents() if d.slug == SLUG)
    after = next(d for d in load_documents(state=2) if d.slug == SLUG)
    record = next(r for r in read_jsonl(corrected / "reports.jsonl") if r["title"] == CORRECTED)
    store = SQLiteStore(corrected / "state.sqlite")
    try:
        versions = store.versions_of(record["id"])
    finally:
        store.close()
    assert [(v["version"], v["title"], v["body"]) for v in versions] == [(1, CORRECTED, before.body),
                                                                        (2, CORRECTED, after.body)]
    assert [v["content_hash"] for v in versions] == [h["content_hash"] for h in record["history"]]
    # The same from the command line: one JSON line per version, oldest first.
    assert govlaw(["state", "versions", record["id"], "--output", str(corrected)]) == 0
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(v["version"], v["body"]) for v in shown] == [(1, before.body), (2, after.body)]


OLD_SCHEMA = """
CREATE TABLE reports (id TEXT PRIMARY KEY, version INTEGER NOT NULL, content_hash TEXT NOT NULL,
    report_year INTEGER, folded TEXT NOT NULL, signature BLOB, shingles INTEGER, record TEXT NOT NULL,
    withdrawn INTEGER NOT NULL DEFAULT 0);
CREATE TABLE versions (id TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL,
    seen_at TEXT NOT NULL, PRIMARY KEY (id, version));
CREATE TABLE addresses (url TEXT PRIMARY KEY, report_id TEXT NOT NULL, portal TEXT);
CREATE TABLE pages (key TEXT PRIMARY KEY, url TEXT NOT NULL, portal TEXT NOT NULL, kind TEXT NOT NULL,
    etag TEXT, last_modified TEXT, outcome TEXT, data TEXT);
CREATE TABLE runs (run_id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT,
    exported INTEGER NOT NULL DEFAULT 0);
CREATE TABLE changes (run_id TEXT NOT NULL, seq INTEGER NOT NULL, report_id TEXT NOT NULL,
    change TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (run_id, seq));
"""


def test_a_state_from_before_texts_were_kept_is_migrated(tmp_path):
    path = tmp_path / "state.sqlite"
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    record = {"id": "0123456789abcdef", "title": "测试报告", "body": "第二版正文。", "version": 2}
    db.execute("INSERT INTO reports VALUES (?, 2, 'h2', 2024, '', NULL, NULL, ?, 0)",
               (record["id"], json.dumps(record, ensure_ascii=False)))
    db.executemany("INSERT INTO versions VALUES (?, ?, ?, ?)",
                   [(record["id"], 1, "h1", "2025-01-01T00:00:00Z"), (record["id"], 2, "h2", "2025-02-01T00:00:00Z")])
    db.execute("INSERT INTO addresses VALUES ('example.org/a.html', ?, 'p')", (record["id"],))
    db.commit()
    db.close()

    store = SQLiteStore(path)
    try:
        # The current version's text comes from its record; the older one was never kept.
        assert [(v["version"], v["title"], v["body"]) for v in store.versions_of(record["id"])] == [
            (1, None, None), (2, "测试报告", "第二版正文。")]
        assert store.copies_of(record["id"]) == [("example.org/a.html", "p", None, None)]
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        store.close()
    SQLiteStore(path).close()  # migrating twice changes nothing


def _record(rid, version, body, seen_at):
    return {"id": rid, "version": version, "content_hash": f"h{version}-{rid}", "report_year": 2024,
            "title": f"{rid}的报告", "body": body, "last_seen": seen_at, "urls": [f"http://example.org/{rid}.html"]}


def test_texts_are_stored_compressed_and_states_with_plain_texts_still_read(tmp_path):
    """Schema 3 stores match keys and version bodies zlib-compressed (BLOB);
    a schema-2 state has them as TEXT, and reads the same before and after a
    run adds compressed rows beside them."""
    path = tmp_path / "state.sqlite"
    old_body = "一、主要工作\n\n本年度，我市深入推进依法行政，加快建设法治政府。" * 20
    store = SQLiteStore(path)
    store.db.execute("PRAGMA user_version = 2")  # as a schema-2 govlaw wrote it: every text plain
    old = _record("old", 1, old_body, "2025-01-01T00:00:00Z")
    store.db.execute("INSERT INTO reports (id, version, content_hash, report_year, folded, record, withdrawn)"
                     " VALUES ('old', 1, ?, 2024, ?, ?, 0)",
                     (old["content_hash"], match_key(old_body), json.dumps(old, ensure_ascii=False)))
    store.db.execute("INSERT INTO versions VALUES ('old', 1, ?, ?, ?, ?)",
                     (old["content_hash"], old["last_seen"], old["title"], old_body))
    store.close()
    assert inspect(path)["problem"] is None

    store = SQLiteStore(path)
    try:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.match_key_of("old") == match_key(old_body)
        assert [v["body"] for v in store.versions_of("old")] == [old_body]
        # A run: a correction of the old report and a new report.
        fixed, new = old_body.replace("我市", "本市"), "二、存在的问题\n\n执法监督仍需加强。" * 30
        store.begin_run("r2", "2025-02-01T00:00:00Z")
        store.commit_run("r2", [_record("old", 2, fixed, "2025-02-01T00:00:00Z"),
                                _record("new", 1, new, "2025-02-01T00:00:00Z")], [], "2025-02-01T00:00:01Z")
        kinds = dict(store.db.execute("SELECT id || '/' || version, typeof(body) FROM versions"))
        assert kinds == {"old/1": "text", "old/2": "blob", "new/1": "blob"}
        assert dict(store.db.execute("SELECT id, typeof(folded) FROM reports")) == {"old": "blob", "new": "blob"}
        assert len(store.db.execute("SELECT body FROM versions WHERE id = 'new'").fetchone()[0]) < len(new.encode()) / 4
        assert [v["body"] for v in store.versions_of("old")] == [old_body, fixed]
        assert [v["body"] for v in store.versions_of("new")] == [new]
        assert (store.match_key_of("old"), store.match_key_of("new")) == (match_key(fixed), match_key(new))
        assert store.get("new")["body"] == new  # the record itself is JSON text, as before
    finally:
        store.close()
    assert inspect(path)["problem"] is None
    # An older govlaw refuses a state newer than it reads instead of misreading it.
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    assert "written by a newer govlaw" in inspect(path)["problem"]

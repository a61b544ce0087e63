"""Full-text search of the analysts' database, for Chinese phrases.

Chinese has no blanks between words, so the index is of characters, not
words: FTS5's trigram tokenizer indexes every run of three characters and
finds a phrase of three or more as a substring, through the index. A phrase
of two characters (复议, 督察) has no trigram; it is looked for in the
texts themselves (instr), which reads every report once — fast enough for
the few thousand reports a national crawl holds. Both are case-sensitive,
so the two paths agree on what matches.

SEARCH_SQL is the one query behind `search()`, `govlaw search` and the
Datasette canned query `search` (parameter :q).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

SEARCH_SQL = """
SELECT r.id, r.report_year, r.publisher, r.title, r.url, r.publish_date
FROM reports r
WHERE length(trim(:q)) >= 2 AND (
  (length(trim(:q)) >= 3 AND r.rowid IN (
     SELECT rowid FROM reports_fts WHERE reports_fts MATCH '"' || replace(trim(:q), '"', '""') || '"'))
  OR (length(trim(:q)) < 3 AND (instr(r.title, trim(:q)) > 0 OR instr(r.body, trim(:q)) > 0)))
ORDER BY r.report_year DESC, r.publisher, r.id
""".strip()

FTS_TABLE = """
CREATE VIRTUAL TABLE reports_fts USING fts5(
    title, body, content='reports', content_rowid='rowid', tokenize='trigram case_sensitive 1')
"""


class SearchError(ValueError):
    """The phrase cannot be searched, or there is no database to search."""


def search(db_path: str | Path, phrase: str) -> list[dict]:
    """Reports whose title or body contains `phrase` (two characters or more),
    newest report year first."""
    phrase = (phrase or "").strip()
    if len(phrase) < 2:
        raise SearchError(f"search phrase {phrase!r} is too short; give two characters or more, e.g. 复议")
    path = Path(db_path)
    if not path.is_file():
        raise SearchError(f"no analysts' database at {path}; run a crawl, or `govlaw ledger --output DIR`")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute(SEARCH_SQL, {"q": phrase})]
    finally:
        db.close()

"""Scoring govlaw (or any extractor) on the real-page corpus (tests/realpages):
one definition shared by the test and benchmarks/extraction.py.

A stored text is what an archive kept of a real page (text only, cut after
about 1,500 bytes). Each scored extractor gets the same input: the text as a
minimal HTML page, one <p> per stored line, so that all of them must tell
the document from the chrome the archive kept with it.
"""
from __future__ import annotations

import difflib
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).parent / "realpages"


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def f1(gold: str, out: str) -> float:
    g, o = squash(gold), squash(out)
    if not g or not o:
        return 0.0
    matched = sum(b.size for b in difflib.SequenceMatcher(None, g, o, autojunk=False).get_matching_blocks())
    p, r = matched / len(o), matched / len(g)
    return 2 * p * r / (p + r) if p + r else 0.0


def load(part: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((CORPUS / part).glob("*.json"))]


def as_html(page: dict) -> bytes:
    lines = [l for l in page["stored_text"].splitlines() if l.strip()]
    body = "".join(f"<p>{html.escape(l)}</p>" for l in lines)
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode("utf-8")


def leaks(page: dict, body: str) -> list[str]:
    """Chrome lines of the page found in an extracted body."""
    got = squash(body)
    return [l for l in page.get("boilerplate_lines", []) if len(squash(l)) >= 4 and squash(l) in got
            and not any(squash(l) in squash(p) for p in page["body_paragraphs"])]


@dataclass
class Score:
    pages: int = 0
    reports: int = 0
    accepted: int = 0
    lookalikes: int = 0
    lookalikes_accepted: int = 0
    f1s: list = field(default_factory=list)
    leaks: int = 0
    fields: dict = field(default_factory=lambda: {k: [0, 0] for k in ("title", "publish_date", "publisher")})
    misses: list = field(default_factory=list)
    detects: bool = True  # False for a tool that cannot tell a report from a look-alike

    def line(self) -> str:
        f = sum(self.f1s) / len(self.f1s) if self.f1s else 0.0
        meta = " ".join(f"{k} {r}/{n}" for k, (r, n) in self.fields.items())
        detection = (f"reports accepted {self.accepted}/{self.reports}, look-alikes accepted "
                     f"{self.lookalikes_accepted}/{self.lookalikes}" if self.detects else "no report detection")
        return (f"{detection}, body F1 {f:.4f} (min "
                f"{min(self.f1s, default=0):.4f}), chrome leaks {self.leaks}; {meta}")


def score(pages: list[dict], extract) -> Score:
    """`extract(page) → dict` with body, is_report (None if the tool cannot
    tell) and whatever metadata it gives."""
    s = Score()
    for page in pages:
        out = extract(page)
        s.pages += 1
        s.detects = s.detects and out.get("is_report") is not None
        if page["kind"] == "lookalike":
            s.lookalikes += 1
            if out.get("is_report"):
                s.lookalikes_accepted += 1
                s.misses.append(f"look-alike accepted: {page['id']}")
            continue
        s.reports += 1
        if out.get("is_report") or out.get("is_report") is None:
            s.accepted += 1
        else:
            s.misses.append(f"report rejected: {page['id']} ({out.get('reason')})")
        s.f1s.append(f1("\n".join(page["body_paragraphs"]), out.get("body") or ""))
        s.leaks += len(leaks(page, out.get("body") or ""))
        for key in s.fields:
            gold = page.get(key)
            if key == "title" and not page.get("title_shown", True):
                continue
            if gold:
                s.fields[key][1] += 1
                if squash(out.get(key)) == squash(gold):
                    s.fields[key][0] += 1
                else:
                    s.misses.append(f"{key}: {page['id']}: {out.get(key)!r} != {gold!r}")
    return s


def govlaw_text(page: dict) -> dict:
    from govlaw.extract import extract_text

    return extract_text(page["stored_text"], page["url"]).to_dict()

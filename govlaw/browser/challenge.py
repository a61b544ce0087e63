"""Is this answer a script challenge: a page whose only job is to run a
script that earns a cookie and loads the page again?

Such pages come with status 412 (Ruishu), 521 (Jiasule) or 468, or with 200
and nothing to read but the script (Aliyun's acw_sc__v2 page). What real ones
look like, with sources, is in docs/challenges.md. A browser can pass them;
a plain HTTP client cannot. Rate-limit notices, login walls and block pages
without a script are not challenges: a browser gains nothing there, and
govlaw.extract.blocked reports them.
"""
from __future__ import annotations

import re

CHALLENGE_STATUSES = frozenset({412, 468, 521})
# What a challenge script does: write a cookie, then load a page (again).
_SETS_COOKIE = re.compile(r"document\s*\.\s*cookie\s*=|setCookie\s*\(", re.I)
_RELOADS = re.compile(r"location\s*\.\s*(reload|replace|assign)\s*\(|location(\s*\.\s*href)?\s*=|"
                      r"\.submit\s*\(|setTimeout\s*\(", re.I)
# Markers the WAFs of Chinese portals leave in their challenge pages.
_MARKERS = re.compile(r"\$_ts\s*=|__jsl_clearance|acw_sc__v2|\barg1\s*=|FSSBBIl1UgzbN7N80", re.I)
_SCRIPT = re.compile(r"<script\b", re.I)
_SCRIPTS_AND_STYLES = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")
_BLANKS = re.compile(r"\s+|&nbsp;")
# A challenge page has next to no text of its own; a real page, even a short
# notice, has more than this many visible characters.
MAX_VISIBLE = 200
# Only the head of a page is looked at: challenge pages are small.
HEAD_BYTES = 64 * 1024


def _text(body: bytes | str) -> str:
    if isinstance(body, bytes):
        return body[:HEAD_BYTES].decode("utf-8", "replace")
    return body[:HEAD_BYTES]


def visible_chars(html: str) -> int:
    return len(_BLANKS.sub("", _TAGS.sub(" ", _SCRIPTS_AND_STYLES.sub(" ", html))))


def is_script_challenge(status: int, body: bytes | str, content_type: str | bytes | None = None) -> bool:
    """True when the answer is a page that only runs a challenge script."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    if content_type and "html" not in content_type.lower() and "javascript" not in content_type.lower():
        return False  # a PDF or a spreadsheet is never a challenge
    html = _text(body)
    if not _SCRIPT.search(html):
        return False
    if status in CHALLENGE_STATUSES:
        return True
    if status != 200 or visible_chars(html) > MAX_VISIBLE:
        return False
    return bool(_MARKERS.search(html) or (_SETS_COOKIE.search(html) and _RELOADS.search(html)))

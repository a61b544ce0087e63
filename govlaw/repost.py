"""The wrapper a reposting site puts around a report, taken off.

A county bureau that republishes its city's report titles it 转载：…, puts an
editor's note (编者按：…现予转载) above the text and a 来源 line below it.
None of that is the report: a record's title and body never carry it, and a
copy compares to the original on the report's own text. Only the opening and
closing few paragraphs are looked at, and only short notes are taken for
wrapper, so a report's own sentences are never cut.
"""
from __future__ import annotations

import re

from govlaw import normalize

_TITLE_WRAPPER = re.compile(r"^\s*(?:[【\[（(]\s*转(?:载|发)?\s*[】\]）)]|转载\s*[:：]|转\s*[:：])\s*"
                            r"|\s*[【\[（(]\s*转载\s*[】\]）)]\s*$")
# Paragraphs above the text: an editor's note (one paragraph, however long)
# or a short repost / source line.
_NOTE = re.compile(r"^\s*[【\[]?\s*(?:编者按|编者的话|编者注|编辑按|按语)\s*[】\]]?\s*[:：]?")
_HEAD_LINE = re.compile(r"^\s*[【\[（(]?\s*(?:转载|转自|转载自|来源|信息来源|稿件来源|文章来源|原文来源|原标题)"
                        r"\s*[】\]）)]?\s*(?:[:：]|$)")
# Short lines below it: where it came from and who edited the repost.
_TAIL_LINE = re.compile(r"^\s*[【\[（(]?\s*(?:来源|转自|转载自|本文转自|本文来源|信息来源|稿件来源|文章来源|原文来源|"
                        r"责任编辑|编辑|审核|校对|初审|复审|终审|供稿|撰稿)\s*[:：]")
_SHORT = 80
_SCAN = 3


def unwrap_title(title: str | None) -> str | None:
    if not title:
        return title
    return _TITLE_WRAPPER.sub("", title).strip() or title


def unwrap_body(body: str) -> str:
    """The body without the reposting site's notes above and below it."""
    if not body:
        return body
    paragraphs = body.split("\n\n")
    start = 0
    while start < min(_SCAN, len(paragraphs) - 1):
        p = paragraphs[start]
        if _NOTE.match(p) or (len(p) <= _SHORT and _HEAD_LINE.match(p)):
            start += 1
        else:
            break
    end = len(paragraphs)
    while end > start + 1 and len(paragraphs) - end < _SCAN:
        p = paragraphs[end - 1]
        if len(p) <= _SHORT and _TAIL_LINE.match(p):
            end -= 1
        else:
            break
    if (start, end) == (0, len(paragraphs)):
        return body
    return "\n\n".join(paragraphs[start:end])


def unwrap(copy: dict) -> dict:
    """A copy as the report itself: title and body unwrapped; the content
    hash, sections (offsets into the new body) and missing parts follow the
    body, and so do the match key and signature when the copy carries them."""
    title = unwrap_title(copy.get("title"))
    body = unwrap_body(copy.get("body") or "")
    if title == copy.get("title") and body == (copy.get("body") or ""):
        return copy
    out = dict(copy, title=title)
    if body != (copy.get("body") or ""):
        from govlaw.extract.sections import missing_parts, split_sections
        from govlaw.extract.zh import simplified

        paragraphs = body.split("\n\n")
        out["body"] = body
        # The hash as published, wrapper and all: a state written before
        # wrappers were taken off knows the report by it (govlaw.records).
        out["wrapped_hash"] = copy.get("content_hash")
        out["content_hash"] = normalize.content_hash(body)
        out["sections"] = split_sections(paragraphs, [simplified(p) for p in paragraphs])
        out["missing_parts"] = missing_parts(out["sections"])
        if "signature" in copy:  # what the copy carried was made from the wrapped body
            from govlaw.dedupe import fingerprint

            carried = fingerprint(body)
            carried.pop("content_hash")
            out.update(carried)
    return out

"""The difference between two versions of a report, as HTML: paragraphs
matched in order (difflib), unchanged runs folded to a line, removed ones
struck through, added ones marked, and a changed paragraph shown once with
the characters that changed marked inside it — Chinese has no spaces, so
words would be whole sentences."""
from __future__ import annotations

import difflib
import os
import re

from govlaw.htmlreport.layout import esc

# Unchanged paragraphs shown around a change, before the rest is folded.
CONTEXT = 1


def split_paragraphs(body: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body or "") if p.strip()]


# Past this many differing characters, a changed paragraph is shown removed
# and added whole: a character diff of long unlike texts is slow and unreadable.
INLINE_LIMIT = 2000


def inline(old: str, new: str) -> str:
    """One paragraph in two versions, the characters that changed marked.
    The common beginning and end are set aside first: a correction touches a
    few characters of a long paragraph, and difflib then compares only those."""
    head = len(os.path.commonprefix([old, new]))
    tail = len(os.path.commonprefix([old[head:][::-1], new[head:][::-1]]))
    a, b = old[head:len(old) - tail], new[head:len(new) - tail]
    out = [esc(old[:head])]
    if len(a) + len(b) > INLINE_LIMIT:
        out += [f"<del>{esc(a)}</del>" if a else "", f"<ins>{esc(b)}</ins>" if b else ""]
    else:
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag == "equal":
                out.append(esc(a[i1:i2]))
                continue
            if i2 > i1:
                out.append(f"<del>{esc(a[i1:i2])}</del>")
            if j2 > j1:
                out.append(f"<ins>{esc(b[j1:j2])}</ins>")
    out.append(esc(old[len(old) - tail:]) if tail else "")
    return "".join(out)


def render(old_body: str | None, new_body: str | None) -> tuple[str, dict]:
    """(HTML of the differences, counts of paragraphs added/removed/changed)."""
    a, b = split_paragraphs(old_body), split_paragraphs(new_body)
    blocks, counts = [], {"added": 0, "removed": 0, "changed": 0}
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            run = a[i1:i2]
            head = run[:CONTEXT] if index > 0 else []
            tail = run[-CONTEXT:] if index < len(opcodes) - 1 and len(run) > len(head) else []
            folded = len(run) - len(head) - len(tail)
            blocks += [f'<p class="same">{esc(p)}</p>' for p in head]
            if folded > 0:
                blocks.append(f'<p class="folded">… {folded} unchanged paragraph{"s" if folded > 1 else ""} …</p>')
            blocks += [f'<p class="same">{esc(p)}</p>' for p in tail]
            continue
        old, new = a[i1:i2], b[j1:j2]
        paired = min(len(old), len(new)) if tag == "replace" else 0
        for k in range(paired):
            counts["changed"] += 1
            blocks.append(f'<p class="changed">{inline(old[k], new[k])}</p>')
        for p in old[paired:]:
            counts["removed"] += 1
            blocks.append(f'<p class="removed"><del>{esc(p)}</del></p>')
        for p in new[paired:]:
            counts["added"] += 1
            blocks.append(f'<p class="added"><ins>{esc(p)}</ins></p>')
    if not any(counts.values()):
        blocks = ['<p class="folded">The texts are the same paragraph for paragraph.</p>']
    return '<div class="diff">' + "\n".join(blocks) + "</div>", counts

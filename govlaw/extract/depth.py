"""Pages nested deeper than libxml2 will parse (256 levels): their tags
past a bound are dropped and their text kept, in one linear pass, so the
page parses instead of reading as empty."""
from __future__ import annotations

import re

# Open elements kept when a page nests past libxml2's limit of 256.
MAX_DEPTH = 200
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source",
         "track", "wbr", "basefont", "bgsound", "frame", "isindex", "spacer"}
_RAW = {"script", "style", "textarea", "title", "xmp", "plaintext", "noscript", "iframe", "noembed", "noframes"}
# A tag ends at its '>' or is not a tag before the next '<': no search runs past it.
_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<[!?][^<>]*>?|<(/?)([A-Za-z][^\s/<>]*)[^<>]*>", re.S)


def flatten_deep(html: str, bound: int = MAX_DEPTH) -> str:
    """`html` with the start and end tags of elements nested deeper than
    `bound` removed and everything between them kept: one pass over the
    tags, in linear time. Elements whose content is not markup (script,
    style …) are kept whole wherever they are."""
    out = []
    stack: list[tuple[str, bool]] = []  # (tag, kept) of the open elements
    open_count: dict[str, int] = {}     # how many of each tag are open: an end tag of none costs nothing
    pos = 0
    n = len(html)
    while pos < n:
        m = _TOKEN.search(html, pos)
        if m is None:
            break
        out.append(html[pos:m.start()])
        pos = m.end()
        name = (m.group(2) or "").lower()
        if not name:  # comment, doctype, processing instruction
            out.append(m.group(0))
        elif m.group(1):  # end tag
            if not open_count.get(name):
                out.append(m.group(0))  # closes nothing open: the parser's business
                continue
            while True:  # close everything above it, as the parser does
                tag, kept = stack.pop()
                open_count[tag] -= 1
                if tag == name:
                    break
            if kept:
                out.append(m.group(0))
        elif name in _RAW:
            end = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(html, pos)
            stop = end.end() if end else n
            out.append(m.group(0) + html[pos:stop])
            pos = stop
        elif name in _VOID or m.group(0).endswith("/>"):
            if len(stack) < bound:
                out.append(m.group(0))
        else:
            kept = len(stack) < bound
            stack.append((name, kept))
            open_count[name] = open_count.get(name, 0) + 1
            if kept:
                out.append(m.group(0))
    out.append(html[pos:])
    return "".join(out)

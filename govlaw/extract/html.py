"""HTML pages: decoding, the DOM, and the body container.

The body container is found by scoring, not by site rules: every block of
text adds its prose to its ancestors and every block of chrome (links, short
labels, menus) subtracts, and the element with the best sum wins. Chinese
prose is recognised by its punctuation (，。；：、), so menus, related lists
and footers, made of links and short unpunctuated labels, score below zero.
Known family containers (TRS_Editor, ucapcontent, #zoom …) are hints that win
ties, never requirements.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from govlaw.extract.charset import decode  # noqa: F401  (re-exported)
from govlaw.extract.chrome import is_chrome, is_label_line
from govlaw.extract.depth import MAX_DEPTH, flatten_deep
from govlaw.normalize import clean_line
from govlaw.vocab import CJK_CHAR as _CJK, PROSE_PUNCT as _PROSE_PUNCT

BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "tbody", "thead", "tfoot",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote", "pre", "center", "form",
    "header", "footer", "nav", "aside", "hr", "figure", "figcaption", "main", "address", "fieldset",
    "ucapcontent", "caption", "body", "html",
}
CELL_TAGS = {"td", "th"}
# Elements whose text is never page content.
DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "canvas", "select", "option",
             "input", "textarea", "button", "object", "embed", "head", "title", "map", "audio", "video"]
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Containers of the known portal families, in order of trust.
FAMILY_HINTS = [
    ".TRS_Editor", ".TRS_UEDITOR", ".TRS_PreAppend", "ucapcontent", "#UCAP-CONTENT", "#zoom", "#Zoom",
    ".article-content", ".article_content", ".pages_content", "#js_content", ".wz_content", ".zw",
    "#content", ".content", "article",
]


# Decoding lives in govlaw.extract.charset; `decode` is re-exported here for callers.


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


_CLOSING_TAGS = re.compile(r"</\s*(body|html)\s*>", re.I)
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def parse(html: str) -> lxml.html.HtmlElement | None:
    # lxml refuses control characters in text; pages in the wild carry them.
    html = _CONTROL_CHARS.sub("", _XML_DECL.sub("", html))
    # Content after </body></html> (seen on real portals) belongs to the
    # body: without the closing tags the parser keeps it there.
    html = _CLOSING_TAGS.sub("", html)
    if not html.strip():
        return None
    try:
        root, too_deep = _parse(html)
        if too_deep:
            # Nested past libxml2's limit (256 levels), the page parses to
            # nothing. Tags nested past MAX_DEPTH are dropped, their text
            # kept, and the page parsed again; pages within the limit are
            # parsed once, as they are.
            for bound in (MAX_DEPTH, MAX_DEPTH // 4):
                root, too_deep = _parse(flatten_deep(html, bound))
                if not too_deep:
                    break
    except (lxml.etree.ParserError, ValueError):
        return None
    return root


def _parse(html: str):
    parser = lxml.html.HTMLParser()
    root = lxml.html.document_fromstring(html, parser=parser)
    too_deep = any(e.type_name == "ERR_RESOURCE_LIMIT" and "depth" in e.message for e in parser.error_log)
    return root, too_deep


def meta_tags(root) -> dict[str, str]:
    """<meta name=… content=…>, names lower-cased; the first value wins,
    empty values are kept (they are a fact about the page)."""
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        name = el.get("name") or el.get("property") or el.get("itemprop")
        if name:
            out.setdefault(name.strip().lower(), (el.get("content") or "").strip())
    return out


_CSS_HIDDEN_RULE = re.compile(r"([^{}]+)\{[^}]*?(?:display\s*:\s*none|visibility\s*:\s*hidden)[^}]*\}", re.I)
_SIMPLE_SELECTOR = re.compile(r"^(?:[a-z][a-z0-9]*)?(?:[.#][\w-]+)+$", re.I)


def _css_hidden(root) -> list:
    """Elements hidden by simple rules of the page's own stylesheet
    (.ivs_hidden{display:none}): mobile and print copies of the chrome,
    voice-reader sources. Only class and id selectors are read."""
    selectors = []
    for style in root.iter("style"):
        for m in _CSS_HIDDEN_RULE.finditer(style.text or ""):
            for sel in m.group(1).split(","):
                sel = sel.strip()
                if _SIMPLE_SELECTOR.match(sel) and not re.search(r":", sel):
                    selectors.append(sel)
    found = []
    for sel in selectors:
        found.extend(_select(root, sel))
    return found


def strip_invisible(root) -> None:
    css_hidden = _css_hidden(root)  # read the stylesheets before they go
    for tag in DROP_TAGS:
        for el in list(root.iter(tag)):
            _drop(el)
    for el in list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        _drop(el)
    # Hidden by the stylesheet or inline: mobile and print copies of the
    # chrome, dialogs. But a page that hides its content until a script shows
    # it (WeChat's #js_content) must keep it: nothing holding 40% of the
    # page's text or more is dropped.
    inline_hidden = [el for el in _WITH_HIDING_ATTRIBUTES(root) if el.tag not in ("html", "body")
                     and (el.get("hidden") is not None or HIDDEN_STYLE.search(el.get("style") or ""))]
    hidden = css_hidden + inline_hidden
    total = len(_text_len(root)) if hidden else 0
    for el in hidden:
        if len(_text_len(el)) < 0.4 * total and _attached(el, root):
            _drop(el)


# Elements that could be hidden inline, in document order (found by libxml2,
# not by walking every element in Python).
_WITH_HIDING_ATTRIBUTES = lxml.etree.XPath("descendant-or-self::*[@hidden or @style]")


def _attached(el, root) -> bool:
    while el is not None:
        if el is root:
            return True
        el = el.getparent()
    return False


def _text_len(el) -> str:
    return re.sub(r"\s+", "", "".join(t for t in el.itertext() if isinstance(t, str)))


def _drop(el) -> None:
    """Remove an element but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# --- blocks --------------------------------------------------------------------

@dataclass
class Block:
    """A run of text between two block boundaries, owned by its nearest block element."""
    text: str
    link_chars: int
    owner: object  # lxml element


@dataclass
class _Acc:
    parts: list = field(default_factory=list)
    link_chars: int = 0


def blocks(root) -> list[Block]:
    """Linearise the DOM into text blocks in document order. Table rows become
    one block with cells separated by blanks, so `label value label value`
    metadata tables read as label lines."""
    out: list[Block] = []
    acc = _Acc()
    owner_stack = [root]

    def flush():
        nonlocal acc
        if not acc.parts:  # nothing since the last boundary (most boundaries): no block, nothing to reset
            return
        text = clean_line("".join(acc.parts))
        if text:
            out.append(Block(text, min(acc.link_chars, len(text)), owner_stack[-1]))
        acc = _Acc()

    # Iterative walk: (element, entering?) so hostile nesting depth cannot
    # exhaust the interpreter stack.
    stack = [(root, True)]
    link_depth = 0
    row_starts: list[int] = []
    while stack:
        el, entering = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        is_block = tag in BLOCK_TAGS
        if entering:
            if tag == "tr":
                row_starts.append(len(out))
            if is_block:
                flush()
                owner_stack.append(el)
            elif tag in CELL_TAGS:
                acc.parts.append(" ")  # cells of a row read `label value label value`
            if tag == "a":
                link_depth += 1
            if el.text:
                _add(acc, el.text, link_depth)
            stack.append((el, False))
            stack.extend((child, True) for child in reversed(el))
        else:
            if tag == "a":
                link_depth -= 1
            if is_block:
                flush()
                owner_stack.pop()
            if tag == "tr":
                _merge_row(out, row_starts.pop(), el)
            elif tag in CELL_TAGS:
                acc.parts.append(" ")
            if el.tail:
                _add(acc, el.tail, link_depth)
    flush()
    return out


def _merge_row(out: list[Block], start: int, row) -> None:
    """A data-table row whose cells hold paragraphs reads as one line,
    `cell cell cell`; a layout row (long text, or a table inside) is left alone."""
    cells = out[start:]
    if len(cells) < 2 or any(len(b.text) > 60 for b in cells) or row.find(".//table") is not None:
        return
    merged = Block(" ".join(b.text for b in cells), sum(b.link_chars for b in cells), row)
    del out[start:]
    out.append(merged)


def _add(acc: _Acc, text: str, link_depth: int) -> None:
    acc.parts.append(text)
    if link_depth:
        acc.link_chars += len(text.strip())


# --- scoring -------------------------------------------------------------------

def prose_value(block: Block) -> float:
    """Positive for prose, negative for chrome."""
    text = block.text
    n = len(text.replace(" ", ""))
    if is_chrome(text) or is_label_line(text):
        return -0.5 * n
    own = n - block.link_chars
    cjk = len(_CJK.findall(text))
    punct = len(_PROSE_PUNCT.findall(text))
    if own <= 0:
        return -0.5 * n
    if cjk >= 8 and (punct >= 1 or own >= 25):
        # Prose: its own (non-link) text counts, link text inside it costs.
        return own - 0.5 * block.link_chars
    if own <= 40 and cjk >= 2:
        # Headings, signature lines and dates inside a report are short and
        # unpunctuated too; a small cost keeps them neutral-ish.
        return -0.15 * n - 0.5 * block.link_chars
    return -0.3 * n - 0.5 * block.link_chars


def find_container(root, items: list[Block]):
    """The element whose subtree has the best prose score."""
    own: dict[object, float] = {}  # each owner's blocks, summed before climbing: many blocks share one owner
    for b in items:
        own[b.owner] = own.get(b.owner, 0.0) + prose_value(b)
    scores: dict[object, float] = {}
    for el, v in own.items():
        while el is not None:
            scores[el] = scores.get(el, 0.0) + v
            el = el.getparent()
    if not scores:
        return None
    best_el, best = max(scores.items(), key=lambda kv: (kv[1], _depth(kv[0])))
    if best <= 0:
        # Next to no prose (a cover page for an attachment): the family's
        # content container, if the page has one, holds what little there is.
        for selector in FAMILY_HINTS:
            for el in _select(root, selector):
                if _text_len(el):
                    return el
        return None
    best_el = _with_split_siblings(best_el, items)
    # A known family container that holds nearly all of the best prose wins:
    # it is where the CMS puts the body, and it excludes the title bar.
    for selector in FAMILY_HINTS:
        for el in _select(root, selector):
            s = scores.get(el)
            if s is not None and s >= 0.85 * best and (_contains(best_el, el) or _contains(el, best_el)):
                return el
    return best_el


def _with_split_siblings(el, items: list[Block]):
    """Bodies split over sibling elements — the 文号 and 主送 lines in one div,
    the text in the next one of the same kind — are read as one: the
    container becomes their parent."""
    parent = el.getparent()
    if parent is None or el.tag in ("body", "html"):
        return el
    key = (el.tag, el.get("class"))
    same_kind = [s for s in parent if s is not el and isinstance(s.tag, str) and (s.tag, s.get("class")) == key
                 and _text_len(s)]
    return parent if same_kind and key[1] else el


def _depth(el) -> int:
    d = 0
    while el is not None:
        d += 1
        el = el.getparent()
    return d


def _contains(outer, inner) -> bool:
    el = inner
    while el is not None:
        if el is outer:
            return True
        el = el.getparent()
    return False


_SELECTOR_CACHE: dict[str, object] = {}


def _select(root, selector: str):
    from cssselect import GenericTranslator

    xp = _SELECTOR_CACHE.get(selector)
    if xp is None:
        xp = lxml.etree.XPath(GenericTranslator().css_to_xpath(selector))
        _SELECTOR_CACHE[selector] = xp
    try:
        return xp(root)
    except lxml.etree.XPathError:
        return []


def inside(block: Block, container) -> bool:
    return _contains(container, block.owner)


def partition(items: list[Block], container) -> list[bool]:
    """inside(b, container) for every block, with the container's subtree
    listed once rather than climbed from each block."""
    subtree = set(container.iter())
    return [b.owner in subtree for b in items]


ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|wps|ofd|xlsx?|et|zip|rar|7z|txt)(?:$|[?#&])", re.I)


def attachment_links(container, base_url: str) -> list[tuple[str, str]]:
    """(href, link text) of document files linked from an element: links
    whose address names a file, links to a download script, and links whose
    text is a file name (报告.pdf) whatever their address."""
    from urllib.parse import urljoin

    from govlaw.extract.attachments import DOWNLOAD_SCRIPT, FILE_EXT

    out = []
    seen = set()
    for a in container.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        text = clean_line(a.text_content())
        named = FILE_EXT.search(text) or FILE_EXT.search(clean_line(a.get("title") or ""))
        if ATTACHMENT_EXT.search(href) or DOWNLOAD_SCRIPT.search(href) or named:
            url = urljoin(base_url, href)
            if url not in seen:
                seen.add(url)
                out.append((url, text or clean_line(a.get("title") or "")))
    return out

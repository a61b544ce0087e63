"""Page objects: an HTML page or a text dump in, a draft report out.

`extract_html` and `extract_text` take what a crawl or an analyst holds and
return an `Extraction`: the clean body, its sections, the metadata reconciled
from every place the page states it, and whether the page is a report at all,
with the reason. No network, no Scrapy: testable on saved pages.
"""
from __future__ import annotations

import mimetypes
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import unquote, urlsplit

from govlaw import normalize
from govlaw.extract import html as htmlx
from govlaw.extract.chrome import is_chrome, is_label_line, label_only, labelled_fields, same_text
from govlaw.extract import attachments as files
from govlaw.extract import metadata as md
from govlaw.extract import titles
from govlaw.extract import zh
from govlaw.extract.detect import COVER_MEMO, REPORT_TITLE, decide, decide_title, is_stub
from govlaw.extract.parts import (
    is_doc_number_line, is_recipient_line, read_parts, title_lines,
)
from govlaw.vocab import CJK_CHAR, PROSE_PUNCT
from govlaw.extract.sections import TOP_HEADING, missing_parts, split_sections


@dataclass
class Hints:
    """What the crawl knows about a page before reading it."""
    listing_title: str | None = None
    listing_date: str | None = None  # ISO date from the listing entry
    region_code: str | None = None
    portal: str | None = None
    portal_name: str | None = None


@dataclass
class Extraction:
    url: str | None = None
    title: str | None = None
    report_year: int | None = None
    publish_date: str | None = None
    publisher: str | None = None
    region_code: str | None = None
    admin_level: str | None = None
    doc_number: str | None = None
    index_number: str | None = None
    recipient: str | None = None
    signed_date: str | None = None
    body: str = ""
    sections: list = field(default_factory=list)
    missing_parts: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    body_source: str = "page"  # page | attachment | none
    is_report: bool = False
    reason: str = ""
    encoding: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


# --- shared helpers ------------------------------------------------------------------

_SUB_HEADING = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]")
_RELATED_HEADER = re.compile(r"^(关联稿件|相关稿件|相关文章|相关附件|相关链接|相关阅读|相关新闻|相关文件|上一篇|下一篇)")


def _is_prose(line: str) -> bool:
    cjk = len(CJK_CHAR.findall(line))
    return cjk >= 8 and (bool(PROSE_PUNCT.search(line)) or len(line) >= 60)


def bodyish(line: str, title: str | None) -> bool:
    if is_chrome(line) or same_text(line, title or ""):
        return False
    if is_label_line(line) and not _is_prose_sentence(line):
        return False
    return (_is_prose(line) or is_doc_number_line(line) or is_recipient_line(line)
            or bool(TOP_HEADING.match(line)) or bool(_SUB_HEADING.match(line)))


def _is_prose_sentence(line: str) -> bool:
    return "。" in line and len(line) > 40


def _trim(lines: list[str], title: str | None) -> tuple[list[int], list[int], list[int], int | None]:
    """Split paragraphs into head, body and tail (as index lists): the body
    runs from the first paragraph that reads like the document to the last
    one that is not chrome; chrome inside it is dropped; a related-articles
    list after the last prose paragraph ends it. `lines` are the paragraphs
    as matched (Simplified), so indexes map back to the text as published."""
    start = next((i for i, l in enumerate(lines) if bodyish(l, title)), None)
    if start is None:
        # No paragraph reads like a document (a cover page: 详见附件。): what
        # is neither chrome, nor a label, nor the title, nor a file name.
        keep = [i for i, l in enumerate(lines) if not (is_chrome(l) or is_label_line(l) or same_text(l, title or "")
                                                        or htmlx.ATTACHMENT_EXT.search(l))]
        return [i for i in range(len(lines)) if i not in keep], keep, [], None
    head_end = start
    start, report_title = _after_cover_memo(lines, start, title)  # a skipped memo is neither head nor body
    end = len(lines) - 1
    while end > start and (is_chrome(lines[end]) or is_label_line(lines[end])):
        end -= 1
    last_prose = max((i for i in range(start, end + 1) if _is_prose(lines[i])), default=start)
    for i in range(last_prose + 1, end + 1):
        if _RELATED_HEADER.match(lines[i]):
            end = i - 1
            break
    drop = {start + i for i in title_lines(lines[start:end + 1], title)}
    body = [i for i in range(start, end + 1) if i not in drop and not is_chrome(lines[i])]
    dropped = [i for i in range(start, end + 1) if i in drop or is_chrome(lines[i])]
    return list(range(head_end)), body, dropped + list(range(end + 1, len(lines))), report_title


def _after_cover_memo(lines: list[str], start: int, title: str | None) -> tuple[int, int | None]:
    """A memo that carries the report (…以上请示妥否，请批示。 附件：<title>)
    may precede it on the page; the report starts after its title line.
    Returns the report's first paragraph and, when the page is titled
    after the memo, the index of the report's own title line."""
    memo_end = next((i for i in range(start, min(len(lines), start + 15)) if COVER_MEMO.search(lines[i])), None)
    if memo_end is None:
        return start, None
    window = range(memo_end + 1, min(len(lines), memo_end + 12))
    for i in window:
        if title and same_text(lines[i], title):
            return i + 1, None
    for i in window:
        if titles.title_like(lines[i]) and not lines[i].startswith("附件") and REPORT_TITLE.search(lines[i]):
            return i + 1, i
    return start, None


class _Paragraphs:
    """Paragraphs as published, and the same paragraphs as matched: a
    Traditional-Chinese page is read through its Simplified conversion."""

    def __init__(self, published: list[str]):
        self.published = published
        self.keys = [zh.simplified(p) for p in published] if zh.is_traditional("".join(published[:80])) else published

    def pick(self, indexes: list[int]) -> tuple[list[str], list[str]]:
        return [self.published[i] for i in indexes], [self.keys[i] for i in indexes]


_MEDIA_TYPES = {
    "pdf": "application/pdf", "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "wps": "application/vnd.ms-works", "ofd": "application/ofd", "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "et": "application/vnd.ms-excel", "zip": "application/zip", "rar": "application/vnd.rar",
    "txt": "text/plain",
}


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


def _attachment(url: str, name: str) -> dict:
    """An attachment as the record lists it. Names are only ever data (files
    are never written to disk), but they are cleaned of path separators and
    control characters all the same, for whoever saves them later."""
    shown = files.name_from_url(url)
    ext = files.ext_of(shown) or files.ext_of(name or "")
    media = _MEDIA_TYPES.get(ext) or (mimetypes.guess_type(shown)[0] if shown else None) or "application/octet-stream"
    name = _UNSAFE_NAME.sub(" ", name or shown or unquote(urlsplit(url).path).rsplit("/", 1)[-1]).strip(" .")
    return {"url": url, "name": normalize.clean_line(name or "attachment"), "media_type": media}


def attachment_kind(attachment: dict) -> str:
    """What an attachment is by its address or its link text; "" when only
    its bytes can tell (a download script with no name in the query)."""
    return files.kind_of(attachment["url"]) or files.ext_of(attachment.get("name") or "")


def _assemble(*, url, title, head, body, body_keys, tail, meta, outside, hints: Hints, encoding=None,
              shown: list[str] | None = None) -> Extraction:
    """Reconcile metadata from every place the page states it. `body_keys`
    are the body paragraphs as matched (Simplified); `body` as published;
    `shown` is head + outside + tail as published."""
    labels = md.fields_from_lines(head + outside + tail, shown)
    parts = read_parts(body_keys, body)
    ex = Extraction(url=url, encoding=encoding)

    ex.title = title or normalize.clean_line(labels.get("title", "")) or None
    title_key = zh.simplified(ex.title)

    line_date, line_org = md.date_line_in(head)
    pub = (normalize.parse_date(meta.get("pubdate")) or normalize.parse_date(labels.get("publish_date"))
           or normalize.parse_date(hints.listing_date) or line_date
           or normalize.parse_date(labels.get("written_date"))
           or (normalize.date_from_url(url) if url else None))
    ex.publish_date = normalize.iso(pub)

    # The document's own signature block names its issuer; failing that, the
    # body the page names as publishing it (发布机构, a 来源 that names a
    # body, the name beside the date line), then the title's issuer.
    source = labels.get("source") if md.is_org_name(labels.get("source")) else None
    issuer = " ".join(parts.issuers) if parts.issuers else None
    ex.publisher = normalize.publisher_name(
        issuer or labels.get("issuer") or source or line_org or md.publisher_from_title(ex.title)
        or meta.get("contentsource") or hints.portal_name)

    doc_no = parts.doc_number or normalize.doc_number(labels.get("doc_number"))
    if not doc_no:
        for line in head:
            doc_no = normalize.doc_number(line)
            if doc_no:
                break
    ex.doc_number = doc_no
    ex.index_number = normalize.clean_line(labels.get("index_number", "")) or None
    ex.recipient = parts.recipient
    ex.signed_date = normalize.iso(parts.signed_date)

    ex.region_code = (normalize.region_code(hints.region_code) or normalize.region_code(meta.get("siteidcode"))
                      or md.site_code_in(outside + tail))
    ex.admin_level = normalize.admin_level(ex.region_code, zh.simplified(ex.publisher))
    ex.report_year = md.report_year(title_key, body_keys, ex.publish_date)

    ex.body = normalize.join_paragraphs(body)
    sections = split_sections(body, body_keys)
    ex.sections = sections
    ex.missing_parts = missing_parts(sections)
    decision = decide(title_key, body_keys, sections)
    ex.is_report, ex.reason = decision.is_report, decision.reason
    return ex


def extract_html(body: bytes | str, url: str | None = None, *, content_type: str | None = None,
                 hints: Hints | None = None) -> Extraction:
    hints = hints or Hints()
    if isinstance(body, bytes):
        text, encoding = htmlx.decode(body, content_type)
    else:
        text, encoding = body, None
    root = htmlx.parse(text)
    if root is None:
        return Extraction(url=url, encoding=encoding, reason="page:empty")
    meta = htmlx.meta_tags(root)
    page_title = normalize.clean_line(root.findtext(".//title") or "")
    htmlx.strip_invisible(root)
    items = htmlx.blocks(root)
    container = htmlx.find_container(root, items)
    if container is None:
        return Extraction(url=url, encoding=encoding, title=meta.get("articletitle") or page_title or None,
                          reason="page:no_text")

    within = htmlx.partition(items, container)
    inner = [b for b, w in zip(items, within) if w]
    first = within.index(True) if inner else 0
    before = [b.text for b, w in zip(items[:first], within) if not w]
    after = [b.text for b, w in zip(items[first:], within[first:]) if not w]

    title = titles.html_title(root, meta, page_title, before, hints.listing_title)
    if title is None:  # no title element at all: the first lines, as a reader finds it
        top = [b.text for b in items[:15]]
        keys = [zh.simplified(t) for t in top]
        title = titles.published_title(titles.text_title(keys), keys, top)
    paras = _Paragraphs([b.text for b in inner])
    before_shown, after_shown = before, after
    if paras.keys is not paras.published:
        before, after = [zh.simplified(t) for t in before], [zh.simplified(t) for t in after]
        meta = {k: zh.simplified(v) for k, v in meta.items()}
    head_i, body_i, tail_i, title_i = _trim(paras.keys, zh.simplified(title))
    title = paras.published[title_i] if title_i is not None else title
    body, body_keys = paras.pick(body_i)
    (head_shown, head), (tail_shown, tail) = paras.pick(head_i), paras.pick(tail_i)
    ex = _assemble(url=url, title=title, head=before[-12:] + head, body=body, body_keys=body_keys, tail=tail,
                   meta=meta, outside=before + after, hints=hints, encoding=encoding,
                   shown=before_shown[-12:] + head_shown + before_shown + after_shown + tail_shown)
    links = htmlx.attachment_links(container, url or "")
    if not links:
        links = htmlx.attachment_links(root, url or "")
    ex.attachments = [_attachment(u, n) for u, n in links]
    if ex.attachments and is_stub(body) and not ex.reason.startswith(("lookalike:", "title:other_subject")):
        # The page is a cover for a file (详见附件): the attachment decides.
        ex.is_report, ex.reason = False, "attachment:pending"
    return ex


# --- text dumps -------------------------------------------------------------------

def extract_text(text: str, source: str | None = None, hints: Hints | None = None) -> Extraction:
    """A page saved as text (one paragraph a line, chrome included)."""
    hints = hints or Hints()
    lines = [normalize.clean_line(l) for l in text.splitlines()]
    lines = [l for l in lines if l]
    if not lines:
        return Extraction(url=source, reason="page:empty")
    paras = _Paragraphs(lines)
    title_key = titles.text_title(paras.keys[:15])
    title = titles.published_title(title_key, paras.keys, paras.published) or titles.untruncated(hints.listing_title)
    head_i, body_i, tail_i, title_i = _trim(paras.keys, zh.simplified(title))
    title = paras.published[title_i] if title_i is not None else title
    body, body_keys = paras.pick(body_i)
    (head_shown, head), (tail_shown, tail) = paras.pick(head_i), paras.pick(tail_i)
    return _assemble(url=source, title=title, head=head, body=body, body_keys=body_keys, tail=tail, meta={},
                     outside=[], hints=hints, shown=head_shown + tail_shown)


# --- articles split over pages -------------------------------------------------

def join_parts(first: Extraction, later: list[Extraction]) -> Extraction:
    """One report from an article's pages: the first page's metadata and
    address, every page's body in order; parts, signature and the decision
    read again from the whole text (the signature is on the last page)."""
    paragraphs = [p for ex in [first, *later] for p in ex.body.split("\n\n") if p]
    keys = _Paragraphs(paragraphs).keys
    out = Extraction(**{**first.to_dict(), "attachments": first.attachments + [
        a for ex in later for a in ex.attachments if a not in first.attachments]})
    out.body = normalize.join_paragraphs(paragraphs)
    doc = read_parts(keys, paragraphs)
    if doc.issuers:
        out.publisher = normalize.publisher_name(" ".join(doc.issuers))
        out.admin_level = normalize.admin_level(out.region_code, zh.simplified(out.publisher))
    out.signed_date = normalize.iso(doc.signed_date) or first.signed_date
    out.sections = split_sections(paragraphs, keys)
    out.missing_parts = missing_parts(out.sections)
    decision = decide(zh.simplified(out.title), keys, out.sections)
    out.is_report, out.reason = decision.is_report, decision.reason
    if out.attachments and is_stub(paragraphs) and not out.reason.startswith(("lookalike:", "title:other_subject")):
        out.is_report, out.reason = False, "attachment:pending"
    return out


# --- attachments ---------------------------------------------------------------

def attachment_order(ex: Extraction) -> list[dict]:
    """Attachments worth reading for the body, best first: readable kinds,
    then those whose name repeats the title."""
    def rank(a):
        kind = attachment_kind(a)
        named = bool(ex.title) and same_text(re.sub(r"\.\w+$", "", a["name"]), ex.title)
        # Readable kinds first, then files only their bytes can name, then the rest.
        order = 0 if kind in files.READABLE else (1 if not kind else 2)
        return (order, not named, ["pdf", "docx", "ofd"].index(kind) if kind in files.READABLE else 9)
    return sorted(ex.attachments, key=rank)


def with_attachment(ex: Extraction, data: bytes, url: str, content_type: str | None = None,
                    file_name: str | None = None) -> Extraction:
    """The page's metadata with the body read from its attachment. A file
    that cannot be read still leaves a report, whose attachment says why.
    `file_name` is the name the server gave it (Content-Disposition)."""
    attachment = next((a for a in ex.attachments if a["url"] == url), {})
    text = files.read(data, file_name or files.name_from_url(url) or attachment.get("name") or url, content_type)
    if attachment:
        attachment["status"] = "read" if not text.error else f"unread: {text.error}"
        kind = files.kind_of(file_name or "", data)
        if attachment["media_type"] == "application/octet-stream" and kind in _MEDIA_TYPES:
            attachment["media_type"] = _MEDIA_TYPES[kind]
        if file_name and not files.ext_of(attachment["name"]):
            attachment["name"] = _attachment(url, file_name)["name"]
    if text.error:
        return unread_report(ex)
    inner = extract_text("\n".join(text.paragraphs), url, Hints(listing_title=ex.title))
    out = Extraction(**{**ex.to_dict(), "attachments": ex.attachments})
    out.body, out.sections, out.missing_parts = inner.body, inner.sections, inner.missing_parts
    for key in ("doc_number", "recipient", "signed_date"):
        setattr(out, key, getattr(ex, key) or getattr(inner, key))
    # The file's signature block names the issuer better than the page's labels.
    issuers = read_parts(inner.body.split("\n\n")).issuers
    out.publisher = normalize.publisher_name(" ".join(issuers)) if issuers else (ex.publisher or inner.publisher)
    out.report_year = normalize.year_in(ex.title) or inner.report_year or ex.report_year
    out.body_source = "attachment"
    decision = decide(out.title, out.body.split("\n\n"), out.sections)
    out.is_report, out.reason = decision.is_report, ("attachment:" + decision.reason)
    return out


def unread_report(ex: Extraction) -> Extraction:
    """Every attachment is unreadable: the report exists (its page says so),
    its text does not reach us."""
    out = Extraction(**{**ex.to_dict(), "attachments": ex.attachments})
    out.body, out.sections, out.missing_parts = "", [], []
    out.body_source = "none"
    # Only a page whose title says it is a report stands as one without its text.
    by_title = decide_title(zh.simplified(ex.title)) if ex.title else None
    if by_title is not None and by_title.is_report:
        out.is_report, out.reason = True, "attachment:unreadable"
    else:
        out.is_report, out.reason = False, "attachment:unreadable_untitled"
    return out


def extract_file(data: bytes, url: str, content_type: str | None = None, hints: Hints | None = None,
                 file_name: str | None = None) -> Extraction:
    """A listing entry that is itself a file (report.pdf, or downfile.jsp?id=…)."""
    hints = hints or Hints()
    text = files.read(data, file_name or url, content_type)
    if text.error:
        ex = Extraction(url=url, title=hints.listing_title, reason=f"file:unreadable: {text.error}")
        return ex
    ex = extract_text("\n".join(text.paragraphs), url, hints)
    ex.body_source = "attachment"
    ex.attachments = [{**_attachment(url, file_name or hints.listing_title or ""), "status": "read"}]
    kind = files.kind_of(file_name or url, data)
    if kind in _MEDIA_TYPES:
        ex.attachments[0]["media_type"] = _MEDIA_TYPES[kind]
    return ex

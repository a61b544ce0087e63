"""Page objects: an HTML page or a text dump in, a draft report out.

`extract_html` and `extract_text` take what a crawl or an analyst holds and
return an `Extraction`: the clean body, its sections, the metadata reconciled
from every place the page states it, and whether the page is a report at all,
with the reason. No network, no Scrapy: testable on saved pages.
"""
from __future__ import annotations

import datetime as dt
import mimetypes
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import unquote, urlsplit

from govlaw import normalize
from govlaw.extract import html as htmlx
from govlaw.extract.chrome import is_chrome, is_label_line, labelled_fields, same_text
from govlaw.extract.detect import decide
from govlaw.extract.parts import (
    is_doc_number_line, is_recipient_line, read_parts, title_lines,
)
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
    is_report: bool = False
    reason: str = ""
    encoding: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


# --- shared helpers ------------------------------------------------------------------

_PROSE_PUNCT = re.compile(r"[，。；：、！？,;:]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SUB_HEADING = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]")
_TITLE_SUFFIX = re.compile(r"(报告|情况|通知|方案|要点|解读|意见|办法|公告|决定|规划|总结|通报|纲要|图解|计划)$")
_RELATED_HEADER = re.compile(r"^(关联稿件|相关稿件|相关文章|相关附件|相关链接|相关阅读|相关新闻|相关文件|上一篇|下一篇)")
_TITLE_ORG = re.compile(r"^(.{2,40}?(?:人民政府|委员会|办事处|管委会|局|厅|部|署))(?:关于|\d{4}|[一二〇]{4}|$)")


def _is_prose(line: str) -> bool:
    cjk = len(_CJK.findall(line))
    return cjk >= 8 and (bool(_PROSE_PUNCT.search(line)) or len(line) >= 60)


def _bodyish(line: str, title: str | None) -> bool:
    if is_chrome(line) or same_text(line, title or ""):
        return False
    if is_label_line(line) and not _is_prose_sentence(line):
        return False
    return (_is_prose(line) or is_doc_number_line(line) or is_recipient_line(line)
            or bool(TOP_HEADING.match(line)) or bool(_SUB_HEADING.match(line)))


def _is_prose_sentence(line: str) -> bool:
    return "。" in line and len(line) > 40


def _title_like(line: str) -> bool:
    if not (6 <= len(line) <= 100) or re.search(r"[，。；！？]", line):
        return False
    if is_label_line(line) or not _CJK.search(line):
        return False
    return bool(_TITLE_SUFFIX.search(line))


_VALIDITY_PREFIX = re.compile(r"^[【\[][^】\]]{1,8}[】\]]\s*")


def _clean_title(line: str) -> str:
    """【文件有效】袁府字〔2023〕5号 关于…报告 → 关于…报告."""
    line = _VALIDITY_PREFIX.sub("", line)
    line = re.sub(r"^[\u3400-\u9fff]{1,14}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,5}\s*号\s*", "", line)
    return normalize.clean_line(line)


def _trim(lines: list[str], title: str | None) -> tuple[list[str], list[str], list[str]]:
    """Split paragraphs into (head, body, tail): the body runs from the first
    paragraph that reads like the document to the last one that is not
    chrome; chrome inside it is dropped; a related-articles list after the
    last prose paragraph ends it."""
    start = next((i for i, l in enumerate(lines) if _bodyish(l, title)), None)
    if start is None:
        return lines, [], []
    end = len(lines) - 1
    while end > start and is_chrome(lines[end]):
        end -= 1
    last_prose = max((i for i in range(start, end + 1) if _is_prose(lines[i])), default=start)
    for i in range(last_prose + 1, end + 1):
        if _RELATED_HEADER.match(lines[i]):
            end = i - 1
            break
    region = lines[start:end + 1]
    drop = title_lines(region, title)
    body = [l for i, l in enumerate(region) if i not in drop and not is_chrome(l)]
    dropped = [l for i, l in enumerate(region) if i in drop or is_chrome(l)]
    return lines[:start], body, dropped + lines[end + 1:]


def _fields_from_lines(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        for key, value in labelled_fields(line).items():
            if value and key not in out:
                out[key] = value
    return out


def _date_line_in(lines: list[str]):
    """An unlabelled date in the head (• 2021-02-26 15:16), never a date widget."""
    for line in lines:
        if re.search(r"今天|星期|农历|周[一二三四五六日]", line):
            continue
        stripped = line.strip(" •·●-")
        if len(stripped) <= 22 and re.fullmatch(r"[\d\s:：年月日./\-]+", stripped):
            date = normalize.parse_date(stripped)
            if date:
                return date
    return None


def _publisher_from_title(title: str | None) -> str | None:
    if not title:
        return None
    m = _TITLE_ORG.match(title)
    return m.group(1) if m else None


def _report_year(title, body, publish_date) -> int | None:
    year = normalize.year_in(title)
    if year:
        return year
    for p in body[:3]:
        # "2024年，省司法厅…" — a year opening a clause, not the end of a range
        # such as 《纲要(2021—2025年)》.
        m = re.search(r"(?:^|[，。；,;：:\s])((?:19|20)\d{2})\s*年(?:度)?(?![)）])", p)
        if m:
            return int(m.group(1))
    if publish_date:
        return int(publish_date[:4]) - 1
    return None


_MEDIA_TYPES = {
    "pdf": "application/pdf", "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "wps": "application/vnd.ms-works", "ofd": "application/ofd", "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "et": "application/vnd.ms-excel", "zip": "application/zip", "rar": "application/vnd.rar",
    "txt": "text/plain",
}


def _attachment(url: str, name: str) -> dict:
    path = unquote(urlsplit(url).path)
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    media = _MEDIA_TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return {"url": url, "name": name or path.rsplit("/", 1)[-1], "media_type": media}


def _assemble(*, url, title, head, body, tail, meta, outside, hints: Hints, encoding=None) -> Extraction:
    labels = _fields_from_lines(head + outside + tail)
    parts = read_parts(body)
    ex = Extraction(url=url, encoding=encoding)

    ex.title = title or normalize.clean_line(labels.get("title", "")) or None

    pub = (normalize.parse_date(meta.get("pubdate")) or normalize.parse_date(labels.get("publish_date"))
           or normalize.parse_date(hints.listing_date) or _date_line_in(head)
           or (normalize.date_from_url(url) if url else None))
    ex.publish_date = normalize.iso(pub)

    issuer = " ".join(parts.issuers) if parts.issuers else None
    ex.publisher = normalize.publisher_name(
        issuer or labels.get("issuer") or _publisher_from_title(ex.title) or labels.get("source")
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
                      or _site_code_in(outside + tail))
    ex.admin_level = normalize.admin_level(ex.region_code, ex.publisher)
    ex.report_year = _report_year(ex.title, body, ex.publish_date)

    ex.body = normalize.join_paragraphs(body)
    sections = split_sections(body)
    ex.sections = sections
    ex.missing_parts = missing_parts(sections)
    decision = decide(ex.title, body, sections)
    ex.is_report, ex.reason = decision.is_report, decision.reason
    return ex


_SITE_CODE = re.compile(r"网站标识码\s*[:：]?\s*([A-Za-z]{0,2}\d{6,10})")


def _site_code_in(lines: list[str]) -> str | None:
    for line in lines:
        m = _SITE_CODE.search(line)
        if m:
            return normalize.region_code(m.group(1))
    return None


# --- HTML -------------------------------------------------------------------------

_TITLE_SEPARATORS = re.compile(r"\s*(?:[-_|｜–—]+|::)\s*")


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

    inner = [b for b in items if htmlx.inside(b, container)]
    first = items.index(inner[0]) if inner else 0
    before = [b.text for b in items[:first] if not htmlx.inside(b, container)]
    after = [b.text for b in items[first:] if not htmlx.inside(b, container)]

    title = _html_title(root, meta, page_title, before, hints)
    head, body_lines, tail = _trim([b.text for b in inner], title)
    ex = _assemble(url=url, title=title, head=before[-12:] + head, body=body_lines, tail=tail, meta=meta,
                   outside=before + after, hints=hints, encoding=encoding)
    links = htmlx.attachment_links(container, url or "")
    if not links:
        links = htmlx.attachment_links(root, url or "")
    ex.attachments = [_attachment(u, n) for u, n in links]
    return ex


def _html_title(root, meta, page_title, before, hints) -> str | None:
    """ArticleTitle meta, then the 标题 label, then a heading element, then
    the <title> minus the site name, then the listing's title."""
    candidates = [meta.get("articletitle"), _fields_from_lines(before).get("title")]
    for tag in ("h1", "h2", "h3"):
        for el in root.iter(tag):
            text = normalize.clean_line(el.text_content())
            if _title_like(text) or (len(text) >= 8 and page_title and text in page_title):
                candidates.append(text)
    if page_title:
        pieces = [p for p in _TITLE_SEPARATORS.split(page_title) if p]
        if pieces:
            candidates.append(max(pieces, key=len))
    candidates.append(hints.listing_title if hints.listing_title and "…" not in hints.listing_title
                      and "..." not in hints.listing_title else None)
    for c in candidates:
        c = normalize.clean_line(c or "")
        if c and len(c) >= 4:
            return c
    return None


# --- text dumps -------------------------------------------------------------------

def extract_text(text: str, source: str | None = None, hints: Hints | None = None) -> Extraction:
    """A page saved as text (one paragraph a line, chrome included)."""
    hints = hints or Hints()
    lines = [normalize.clean_line(l) for l in text.splitlines()]
    lines = [l for l in lines if l]
    if not lines:
        return Extraction(url=source, reason="page:empty")
    title = _text_title(lines[:15])
    head, body, tail = _trim(lines, title)
    return _assemble(url=source, title=title, head=head, body=body, tail=tail, meta={}, outside=[],
                     hints=hints)


def _text_title(top: list[str]) -> str | None:
    labelled = _fields_from_lines(top).get("title")
    if labelled:
        return normalize.clean_line(labelled)
    for line in top:
        if _bodyish(line, None) and not _title_like(line):
            break
        if not is_chrome(line) and _title_like(line):
            return _clean_title(line)
        if is_chrome(line) and _title_like(_clean_title(line)) and not _VALIDITY_PREFIX.match(line):
            continue
        if _VALIDITY_PREFIX.match(line) and _title_like(_clean_title(line)):
            return _clean_title(line)
    return None


def today() -> dt.date:
    return dt.date.today()

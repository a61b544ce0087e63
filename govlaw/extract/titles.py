"""The document's title: never a breadcrumb, a site name or half of a
title split over two lines.

HTML pages name their title in several places (ArticleTitle meta, a 标题
label, a heading element, the `<title>` with the site's name around it, the
listing's link); text dumps only in their first lines. Each candidate is
checked for what real pages put there by mistake.
"""
from __future__ import annotations

import re

from govlaw import normalize
from govlaw.extract import zh
from govlaw.extract.chrome import is_chrome, is_label_line
from govlaw.extract.detect import REPORT_TITLE
from govlaw.extract.metadata import fields_from_lines, is_org_name
from govlaw.vocab import CJK, CJK_CHAR, DOC_CLOSE, DOC_OPEN

TITLE_SUFFIX = re.compile(r"(报告|汇报|情况|通知|方案|要点|解读|意见|办法|公告|决定|规划|总结|通报|纲要|图解|计划|规则|规定)$")
_VALIDITY_PREFIX = re.compile(r"^[【\[][^】\]]{1,8}[】\]]\s*")
_DOC_NUMBER_PREFIX = re.compile(rf"^[{CJK}]{{1,14}}[{DOC_OPEN}]\s*\d{{4}}\s*[{DOC_CLOSE}]\s*\d{{1,5}}\s*号\s*")
# <title> pieces: 标题_中国政府网 · 标题 - 某某区人民政府门户网站 · 首页 | 政务公开 | 标题
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜–—]+|\s-+\s|(?<!\d)-+(?=[^-]{2,20}(?:网|网站|门户|政府)$)|::)\s*")
_SITE_NAME = re.compile(r"(门户网站|政府网站|网站|门户|官网|政府网|政务网|信息网|人民政府|首页|政务公开|信息公开)$")


def title_like(line: str) -> bool:
    if not (6 <= len(line) <= 100) or re.search(r"[，。；！？]", line):
        return False
    if is_label_line(line) or not CJK_CHAR.search(line):
        return False
    return bool(TITLE_SUFFIX.search(line))


def clean_title(line: str) -> str:
    """【文件有效】袁府字〔2023〕5号 关于…报告 → 关于…报告;
    【法治建设报告】湖北省司法厅…报告 keeps its words after the column tag."""
    line = _VALIDITY_PREFIX.sub("", line)
    line = _DOC_NUMBER_PREFIX.sub("", line)
    return normalize.clean_line(line)


def untruncated(title: str | None) -> str | None:
    """A listing's title, unless the listing cut it short (…)."""
    if not title or "…" in title or "..." in title:
        return None
    return normalize.clean_line(title)


def _usable(candidate: str | None) -> str | None:
    c = normalize.clean_line(candidate or "")
    if len(c) < 4 or is_chrome(c) or _SITE_NAME.search(c) and not TITLE_SUFFIX.search(c):
        return None
    return c


def html_title(root, meta: dict, page_title: str, before: list[str], listing_title: str | None) -> str | None:
    """ArticleTitle meta, then the 标题 label, then a heading element, then
    the <title> without the site's name, then the listing's title."""
    candidates = [meta.get("articletitle"), fields_from_lines(before).get("title")]
    for tag in ("h1", "h2", "h3"):
        for el in root.iter(tag):
            text = normalize.clean_line(el.text_content())
            if title_like(text) or (len(text) >= 8 and page_title and text in page_title):
                candidates.append(text)
    candidates.append(title_from_page_title(page_title, meta.get("sitename")))
    candidates.append(untruncated(listing_title))
    for c in candidates:
        c = _usable(c)
        if c:
            return c
    return None


def title_from_page_title(page_title: str, site_name: str | None = None) -> str | None:
    """The document's part of a `<title>`: the piece that reads as a title,
    else the longest piece that is not the site's name."""
    pieces = [p for p in _TITLE_SEPARATORS.split(page_title or "") if p]
    site = normalize.clean_line(site_name or "")
    pieces = [p for p in pieces if p != site]
    titled = [p for p in pieces if title_like(clean_title(p))]
    if titled:
        return max(titled, key=len)
    rest = [p for p in pieces if not _SITE_NAME.search(p)]
    return max(rest, key=len) if rest else None


def text_title(top: list[str]) -> str | None:
    """The title among a text dump's first lines; a title split over two or
    three lines is joined."""
    labelled = fields_from_lines(top).get("title")
    if labelled:
        return normalize.clean_line(labelled)
    from govlaw.extract.page import bodyish

    for i, line in enumerate(top):
        if bodyish(line, None) and not title_like(line):
            break
        joined = _split_title(top, i)
        if joined:
            return joined
        if not is_chrome(line) and title_like(line):
            return clean_title(line)
        if _VALIDITY_PREFIX.match(line) and title_like(clean_title(line)):
            return clean_title(line)
    return None


def _split_title(top: list[str], i: int) -> str | None:
    """关于2023年度 / 法治政府建设工作情况的报告: the head of a title, with
    no ending of its own, completed by the next one or two short lines."""
    head = top[i]
    if title_like(head) or is_chrome(head) or len(head) > 40 or re.search(r"[，。；：:！？]", head):
        return None
    if i + 1 < len(top) and title_like(top[i + 1]) and _column_name(head):
        return None  # a whole title follows: the line above it is a column name (通知公告), not its head
    for span in (2, 3):
        parts = top[i:i + span]
        if len(parts) < span or any(len(p) > 40 or re.search(r"[，。；！？]", p) or is_chrome(p) for p in parts):
            return None
        joined = clean_title("".join(parts))
        if title_like(joined) and REPORT_TITLE.search(zh.simplified(joined)):
            return joined
    return None


def _column_name(line: str) -> bool:
    """通知公告 · 政府信息公开 · 政务动态: a short label with no year, no 关于, no issuer."""
    return len(line) <= 10 and not re.search(r"\d|关于|年", line) and not is_org_name(line)


def published_title(title_key: str | None, keys: list[str], published: list[str]) -> str | None:
    """The title as the page wrote it (Traditional stays Traditional)."""
    if not title_key or keys is published:
        return title_key
    for key, shown in zip(keys[:15], published[:15]):
        if title_key in key:
            start = key.index(title_key)
            return shown[start:start + len(title_key)] if len(key) == len(shown) else title_key
    joined_key, joined_shown = "".join(keys[:15]), "".join(published[:15])
    if title_key in joined_key and len(joined_key) == len(joined_shown):
        start = joined_key.index(title_key)
        return joined_shown[start:start + len(title_key)]
    return title_key


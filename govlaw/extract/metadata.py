"""Metadata as the page states it: labelled fields, date lines, the issuer
named in a title, the site code in a footer, the year under review.

A page states its metadata in many places — meta tags, a 索引号 table,
bulleted 发文字号 blocks, a `2024-03-27 14:21 湖北省司法厅` line, a 来源 line,
the signature block — and `extract.page` reconciles them in a fixed order.
Values are taken as published: a Traditional page's 信息來源 is matched in
Simplified but its value stays 辰溪縣小龍門鄉.
"""
from __future__ import annotations

import re

from govlaw import normalize
from govlaw.extract.chrome import is_label_line, label_only, labelled_fields
from govlaw.vocab import CLOCK, CJK, DATE_WIDGET, ISSUER_SUFFIX, TITLE_ISSUER_SUFFIX, TOWNSHIP_WORDS


def fields_from_lines(lines: list[str], published: list[str] | None = None) -> dict[str, str]:
    """Label → value from label lines. `lines` are matched (Simplified);
    values come from `published`, the same lines as the page wrote them,
    where the two align character for character."""
    published = published if published is not None and len(published) == len(lines) else lines
    out: dict[str, str] = {}
    for i, line in enumerate(lines):
        shown = published[i] if len(published[i]) == len(line) else line
        for key, (value, span) in labelled_fields(line, spans=True).items():
            if value and key not in out:
                out[key] = shown[span[0]:span[1]].strip(" \t|｜•·●【】[]") if shown is not line else value
        # A label alone on its line (<dt>信息索引号</dt><dd>…</dd>): its value is the next line.
        field = label_only(line)
        if field and field not in out and i + 1 < len(lines) and not label_only(lines[i + 1]) \
                and not is_label_line(lines[i + 1]):
            out[field] = published[i + 1]
    return out


# `2024-03-27 14:21 湖北省司法厅` · `• 2021-02-26 15:16` · `2023年3月30日`: a date
# line of the head, possibly with its time and the publishing body.
_DATE_LINE = re.compile(
    rf"^[\s•·●\-]*((?:19|20)\d{{2}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}}\s*日?)(?:\s*{CLOCK})?"
    rf"(?:\s+([{CJK}（）()]{{2,30}}))?\s*$")


# `2024-03-30 15:00 来源：新华社`: the date opens a line of labelled fields.
_DATE_THEN_LABELS = re.compile(
    rf"^[\s•·●\-]*((?:19|20)\d{{2}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}}\s*日?)(?:\s*{CLOCK})?"
    rf"\s+(?=(?:来源|信息来源|文章来源|发布机构|作者|浏览|阅读|字号)\s*[:：])()")


def date_line_in(lines: list[str]):
    """(date, body named beside it) of the first unlabelled date line in the
    head; never a date widget."""
    for i, line in enumerate(lines):
        if DATE_WIDGET.search(line) or len(line) > 48:  # 今天是2019年10月31日 星期三
            continue
        m = _DATE_LINE.match(line) or _DATE_THEN_LABELS.match(line)
        if m:
            date = normalize.parse_date(m.group(1))
            if date:
                org = m.group(2)
                # An unlabelled metadata block: 索引号 / 济南市莱芜区人民政府 / 2025-03-19.
                above = lines[i - 1] if i > 0 else None
                org = org if org and is_org_name(org) else (above if above and is_org_name(above) else None)
                return date, org
    return None, None


_ORG_END = re.compile(rf"({ISSUER_SUFFIX}|{TOWNSHIP_WORDS}|政协|人大常委会|法制办)$")
_NOT_AN_ORG = re.compile(r"^(本网|本站|原创|网络|转载|互联网|综合|未知)$|(网|网站|报|日报|电视台|客户端|公众号|新闻)$")


def is_org_name(value: str | None) -> bool:
    """Does a 来源 value name a body (区司法局, 辰溪縣小龍門鄉) rather than a medium (本网, 某某日报)?"""
    if not value:
        return False
    value = value.strip()
    from govlaw.extract import zh

    key = zh.simplified(value)
    return 2 <= len(value) <= 40 and not _NOT_AN_ORG.search(key) and bool(_ORG_END.search(key))


_TITLE_ORG = re.compile(rf"^(.{{2,40}}?(?:{TITLE_ISSUER_SUFFIX}|人民政府|部|署))(?:关于|\d{{4}}|[一二〇]{{4}}|$)")


def publisher_from_title(title: str | None) -> str | None:
    if not title:
        return None
    m = _TITLE_ORG.match(title)
    return m.group(1) if m else None


_YEAR_OPENING_CLAUSE = re.compile(r"(?:^|[，。；,;：:\s])((?:19|20)\d{2})\s*年(?:度)?(?![)）])")


def report_year(title, body, publish_date) -> int | None:
    year = normalize.year_in(title)
    if year:
        return year
    for p in body[:3]:
        # "2024年，省司法厅…" — a year opening a clause, not the end of a range
        # such as 《纲要(2021—2025年)》.
        m = _YEAR_OPENING_CLAUSE.search(p)
        if m:
            return int(m.group(1))
    if publish_date:
        return int(publish_date[:4]) - 1
    return None


_SITE_CODE = re.compile(r"网站标识码\s*[:：]?\s*([A-Za-z]{0,2}\d{6,10})")


def site_code_in(lines: list[str]) -> str | None:
    for line in lines:
        m = _SITE_CODE.search(line)
        if m:
            return normalize.region_code(m.group(1))
    return None

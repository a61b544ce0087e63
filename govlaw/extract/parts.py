"""The document's own parts: 文号 line, title lines, 主送 line, signature block.

These sit inside the body and belong to the report (they are kept in the
body), but they also carry metadata: the document number, the recipient, the
issuing bodies and the signing date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from govlaw import normalize
from govlaw.extract.chrome import is_chrome, same_text
from govlaw.vocab import CJK as _CJK, DOC_CLOSE, DOC_OPEN, ISSUER_SUFFIX

# 袁府字〔2023〕5号, 汕府〔2021〕9号, and the damaged 袁府字〔20235 seen on real pages.
DOC_NUMBER_LINE = re.compile(rf"^[{_CJK}]{{1,14}}\s*[{DOC_OPEN}]\s*(?:19|20)\d{{2}}\s*[{DOC_CLOSE}]?\s*\d{{0,5}}\s*号?$")
# A 主送 line: 中共宜春市袁州区委: / 省委、省政府: / 各乡镇人民政府,区政府各部门:
RECIPIENT_LINE = re.compile(rf"^[{_CJK}、，,（）()\s]{{2,60}}[:：]$")
ORG_SUFFIX = re.compile(rf"({ISSUER_SUFFIX})$")
PUBLIC_NOTE = re.compile(r"^[（(]\s*此件[^)）]{0,12}[)）]$")
CLOSING = re.compile(r"^(特此报告|以上报告|专此报告|特此报送)[。.!！]?$")


def is_doc_number_line(line: str) -> bool:
    return len(line) <= 30 and bool(DOC_NUMBER_LINE.match(line))


def is_recipient_line(line: str) -> bool:
    return len(line) <= 64 and bool(RECIPIENT_LINE.match(line)) and "：" not in line[:-1] and ":" not in line[:-1]


def is_org_line(line: str) -> bool:
    """A line naming one or more issuing bodies: 汕尾市人民政府 / 中共景德镇市委 景德镇市人民政府."""
    if not line or len(line) > 60 or re.search(r"[，。；：:,;!?！？]", line):
        return False
    names = line.split()
    return all(ORG_SUFFIX.search(n) and len(n) >= 3 for n in names)


def date_line(line: str):
    """A line that is only a date (signature dates, incl. Chinese numerals and
    the digit runs left when a page lost its 年月日)."""
    if len(line) > 24 or is_chrome(line):
        return None
    stripped = line.strip()
    date = normalize.parse_date(stripped) or normalize.parse_date(stripped, compact=True)
    if not date:
        return None
    rest = re.sub(r"[\d〇○零一二三四五六七八九十年月日\s./\-]", "", stripped)
    return date if not rest else None


def title_lines(paragraphs: list[str], title: str | None, window: int = 4) -> set[int]:
    """Indexes of paragraphs near the top that repeat the title: the exact
    title, or two or three consecutive lines that join into it."""
    if not title:
        return set()
    hits: set[int] = set()
    top = min(len(paragraphs), window + 2)
    for i in range(top):
        for span in (1, 2, 3):
            if i + span > len(paragraphs):
                break
            if same_text("".join(paragraphs[i:i + span]), title):
                hits.update(range(i, i + span))
                break
    return hits


@dataclass
class DocumentParts:
    doc_number: str | None = None
    recipient: str | None = None
    issuers: list[str] = field(default_factory=list)
    signed_date: object = None  # datetime.date


def read_parts(body: list[str], published: list[str] | None = None) -> DocumentParts:
    """Read 文号, 主送 and the signature block from body paragraphs. `body`
    is matched (Simplified); values are taken from `published`, the same
    paragraphs as the page wrote them."""
    published = published or body
    parts = DocumentParts()
    for i, line in enumerate(body[:4]):
        if parts.doc_number is None and is_doc_number_line(line):
            parts.doc_number = normalize.doc_number(published[i])
        elif parts.recipient is None and is_recipient_line(line):
            parts.recipient = published[i].rstrip(":：").strip()
            break
    # Signature block: walk up from the end past notes, a date and the names.
    i = len(body) - 1
    while i >= 0 and (PUBLIC_NOTE.match(body[i]) or body[i].startswith(("附件", "抄送", "（联系人", "(联系人"))):
        i -= 1
    if i >= 0:
        date = date_line(body[i])
        if date:
            parts.signed_date = date
            i -= 1
    names: list[str] = []
    while i >= 0 and is_org_line(body[i]) and len(names) < 4:
        names[:0] = published[i].split()
        i -= 1
    if names and (parts.signed_date or i < 0 or CLOSING.match(body[i]) or len(body[i]) > 40):
        parts.issuers = names
    return parts

"""One normalization policy for text, dates, document numbers, names and codes.

Extraction, dedupe and the feed all call these functions, so a report reads the
same wherever it came from. The README's "Normalization policy" section is the
prose version of this module.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

from govlaw.vocab import CN_NUMERALS as _CN_NUM, DATE_DIGITS, DATE_NUMERALS, DOC_NUMBER, TOWNSHIP_WORDS

# --- whitespace and text -----------------------------------------------------

# Every kind of blank a portal emits: ASCII, NBSP, ideographic space, zero-width.
_BLANKS = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def clean_line(text: str) -> str:
    """Strip a paragraph and collapse inner blank runs to one ASCII space."""
    text = _ZERO_WIDTH.sub("", text)
    return _BLANKS.sub(" ", text).strip()


def join_paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(p for p in paragraphs if p)


def fold(text: str) -> str:
    """Matching key for text: NFKC (full-width digits/Latin become ASCII,
    full-width punctuation becomes half-width), blanks removed. Used for
    comparing and hashing, never for stored text."""
    return _BLANKS.sub("", unicodedata.normalize("NFKC", text))


def content_hash(body: str) -> str:
    """Hash of what a report says: insensitive to blank changes and character
    width, so re-rendering a page never counts as a correction."""
    return hashlib.sha256(fold(body).encode("utf-8")).hexdigest()


# --- dates --------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "0": 0, "一": 1, "二": 2, "两": 2,
              "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_small_number(text: str) -> int | None:
    """十 → 10, 二十八 → 28, 三十一 → 31, 八 → 8."""
    if not text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        if t is None or o is None:
            return None
        return t * 10 + o
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None


def _cn_year(text: str) -> int | None:
    """二〇二四 → 2024 (digit by digit)."""
    digits = [_CN_DIGITS.get(ch) for ch in text]
    if len(digits) != 4 or any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    if not (1949 <= y <= 2100):
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


_DATE_ARABIC = re.compile(DATE_DIGITS)
_DATE_CN = re.compile(DATE_NUMERALS)
_DATE_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{1,2})(\d{1,2})(?!\d)")


def parse_date(text: str | None, *, compact: bool = False) -> dt.date | None:
    """First date written in `text`: 2024-03-28, 2024年3月28日, 2024/3/28,
    二〇二四年三月二十八日, full-width digits. With `compact`, also a bare
    digit run such as 2023214 whose separators were lost (only accepted
    when exactly one split gives a valid date)."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    m = _DATE_ARABIC.search(text)
    if m:
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    m = _DATE_CN.search(text)
    if m:
        y, mo, d = _cn_year(m[1]), _cn_small_number(m[2]), _cn_small_number(m[3])
        if y and mo and d:
            return _safe_date(y, mo, d)
    if compact:
        return _compact_date(text)
    return None


def _compact_date(text: str) -> dt.date | None:
    m = re.fullmatch(r"\s*((?:19|20)\d{2})(\d{2,4})\s*", text)
    if not m:
        return None
    year, rest = int(m[1]), m[2]
    found = set()
    for cut in range(1, len(rest)):
        mo, d = rest[:cut], rest[cut:]
        if len(mo) > 2 or len(d) > 2:
            continue
        date = _safe_date(year, int(mo), int(d))
        if date:
            found.add(date)
    return found.pop() if len(found) == 1 else None


def iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


_URL_DATES = [
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),             # TRS t20230214_123.html
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),    # Hanweb /art/2024/1/10/
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),               # /20230214/
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})/"),
]


def date_from_url(url: str) -> dt.date | None:
    """Last-resort publish date from the address's folder pattern."""
    for pattern in _URL_DATES:
        m = pattern.search(url)
        if m:
            date = _safe_date(int(m[1]), int(m[2]), int(m[3]))
            if date:
                return date
    return None


_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR_IN_TITLE = re.compile(rf"([{_CN_NUM}]{{4}})\s*年")


def year_in(text: str | None) -> int | None:
    """The first year written in text (2023年 / 2023年度 / 二〇二三年)."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    m = _YEAR_IN_TITLE.search(text)
    if m:
        return int(m[1])
    m = _CN_YEAR_IN_TITLE.search(text)
    if m:
        return _cn_year(m[1])
    return None


# --- document numbers -----------------------------------------------------------

_DOCNO = re.compile(DOC_NUMBER)


def doc_number(text: str | None) -> str | None:
    """袁府字[2023]5号, 汕府(2021)9号 → 袁府字〔2023〕5号; 无号 → None."""
    if not text:
        return None
    m = _DOCNO.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    return f"{m[1]}〔{m[2]}〕{int(m[3])}{m[4]}"


# --- names, regions, levels --------------------------------------------------------

_SITE_SUFFIX = re.compile(r"(门户网站|政府网站|网站|官网|门户网|政务网)$")


def publisher_name(name: str | None) -> str | None:
    """A publisher as an analyst would write it: blanks collapsed, the
    portal-name suffix dropped (汕尾市人民政府门户网站 → 汕尾市人民政府)."""
    if not name:
        return None
    name = clean_line(name).strip(":：,，。;；")
    name = _SITE_SUFFIX.sub("", name).strip()
    return name or None


def region_code(value: str | None) -> str | None:
    """6-digit administrative division code from a code or a SiteIDCode
    (10-digit local site codes start with the division code; bm… codes are
    central departments and carry none)."""
    if not value:
        return None
    digits = re.sub(r"\D", "", str(value))
    if len(digits) in (6, 10, 12) and not str(value).strip().lower().startswith("bm"):
        code = digits[:6]
        if code[:2] != "00" and code != "000000":
            return code
    return None


_TOWNSHIP = re.compile(rf"({TOWNSHIP_WORDS})(人民政府|办事处|党委|党工委)?$|街道办事处$")
_DEPARTMENT = re.compile(r"(局|厅|部|委员会|办公室|办|署|中心|院|所|委)$")
_GOVERNMENT = re.compile(r"(人民政府|市委|区委|县委|州委|盟委|旗委|省委)$")


def admin_level(region: str | None, publisher: str | None) -> str | None:
    """province | city | county | township | department, from the publisher's
    name first (a department or township is never told by its region code),
    then from the division code's shape."""
    names = (publisher or "").split()
    if names:
        last = names[-1]
        if _TOWNSHIP.search(last):
            return "township"
        if _DEPARTMENT.search(last) and not _GOVERNMENT.search(last):
            return "department"
    if region and len(region) == 6:
        if region.endswith("0000"):
            return "province"
        if region.endswith("00"):
            return "city"
        return "county"
    return None


def region_and_level(publisher: str | None, region: str | None,
                     context: str | None = None) -> tuple[str | None, str | None]:
    """A report's division code and level. When the publisher's name resolves
    to a government of the national registry, both are that government's (a
    department's or township's: its government's code, level department or
    township), so a city's report found on its province's portal carries the
    city's code. `context` is the portal's region code, which decides names
    several governments share (朝阳区). Otherwise: `region` as given, and the
    level from the name's form and the code's shape (admin_level)."""
    from govlaw import registry
    from govlaw.extract import zh

    match = registry.match_publisher(zh.simplified(publisher) if publisher else publisher, context or region)
    if match is not None:
        return match.entry.code, match.level
    return region, admin_level(region, publisher)

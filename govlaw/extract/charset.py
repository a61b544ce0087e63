"""Bytes → text for Chinese government pages and text dumps.

What real portals send: UTF-8 with a stray broken byte (a truncated
character pasted from Word), GBK/GB18030 under no charset or under a header
that says UTF-8, Big5 on Traditional gateways, UTF-16 text dumps saved by
Windows tools, BOMs. The rules, in order:

1. a BOM names the encoding;
2. NUL bytes in the opening mean UTF-16 (no GB or UTF-8 text holds NULs);
3. text that is UTF-8 — every byte valid, or nearly every multibyte
   sequence valid with a few broken bytes — is UTF-8, a broken byte
   becoming U+FFFD rather than a reason to switch charsets (GB18030 would
   read UTF-8 bytes as a mojibake that decodes without error);
4. a declared charset (HTTP header, then `<meta>`) that decodes cleanly, or
   with only a few bad bytes, is taken;
5. otherwise GB18030 and Big5 are both tried and the one whose characters
   are common Chinese characters wins (each decodes the other's bytes
   without error, into rare characters).
"""
from __future__ import annotations

import codecs
import re

from govlaw.vocab import CJK_CHAR
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

# A few bad bytes per this many characters are tolerated in a charset the
# page is otherwise written in.
_TOLERATED_ERRORS = 3
_TOLERATED_RATE = 0.002

# Characters frequent in government prose, in both scripts: a right guess
# between GB18030 and Big5 is full of them, a wrong one has next to none.
_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民"
    "得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事"
    "平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党"
    "程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处府研质信记区县市省镇乡街道局厅委办报告治依规范执监督审查推务领导责改革创服务保障落实工作情况主要举措成效存在"
    "這個們為國會說對時發與進經過還來動後將當從於麼開關從報導機體現實議區縣鎮鄉務區審責員規範監執護證書網頁應點"
)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Bytes → (text, encoding name). Never raises."""
    bom_enc, bom = read_bom(body)
    if bom_enc:
        return body[len(bom):].decode(bom_enc, errors="replace"), bom_enc
    utf16 = _utf16(body)
    if utf16:
        return body.decode(utf16, errors="replace"), utf16
    text = _utf8(body)
    if text is not None:
        return text, "utf-8"
    for enc in _declared(body, content_type):
        text = _tolerant(body, enc)
        if text is not None:
            return text, enc
    return _best_chinese(body)


def _declared(body: bytes, content_type: str | None) -> list[str]:
    out = []
    for enc in (http_content_type_encoding(content_type or ""), html_body_declared_encoding(body[:4096])):
        enc = resolve_encoding(enc) if enc else None
        if enc and enc != "utf-8" and enc not in out:
            try:
                info = codecs.lookup(enc)
            except LookupError:
                continue
            if not getattr(info, "_is_text_encoding", True):
                continue  # a page can declare "uu" or "base64": codecs, but not of text
            out.append(enc)
    return out


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Nearly all multibyte sequences valid: UTF-8 with a few broken bytes.
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(_UTF8_MULTIBYTE.findall(body)) - bad
    if good > 0 and bad <= max(_TOLERATED_ERRORS, good * _TOLERATED_RATE) and good >= 10 * bad:
        return text
    return None


def _tolerant(body: bytes, enc: str) -> str | None:
    try:
        return body.decode(enc)
    except (UnicodeDecodeError, LookupError):
        pass
    try:
        text = body.decode(enc, errors="replace")
    except (LookupError, TypeError):
        return None
    bad = text.count("\ufffd")
    return text if bad <= max(_TOLERATED_ERRORS, len(text) * _TOLERATED_RATE) else None


def _utf16(body: bytes) -> str | None:
    """UTF-16 without a BOM: NULs at every other byte of ASCII characters."""
    head = body[:4096]
    if b"\x00" not in head or len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    enc = "utf-16-le" if odd > even else "utf-16-be"
    if max(even, odd) < len(head) // 2 * 0.05 or min(even, odd) > max(even, odd) * 0.2:
        return None  # NULs everywhere: binary data, not text
    try:
        sample = body[: len(head) - len(head) % 2].decode(enc)
    except UnicodeDecodeError:
        return None
    printable = sum(1 for ch in sample if ch.isprintable() or ch in "\r\n\t")
    return enc if printable >= 0.95 * len(sample) else None


_SAMPLE_BYTES = 16384


def _best_chinese(body: bytes) -> tuple[str, str]:
    """The candidates are judged on a sample (a page's opening tells its
    charset as well as its whole does), and only the winner decodes the page:
    this is the path of every GBK page served without a charset."""
    sample = body[:_SAMPLE_BYTES]
    best = None
    # UTF-16 of pure Chinese text has no NULs to tell it by: it competes too.
    candidates = ("gb18030", "big5") + (("utf-16-le", "utf-16-be") if len(body) % 2 == 0 else ())
    for enc in candidates:
        text = sample.decode(enc, errors="replace")
        score = _commonness(text) - 5 * text.count("\ufffd") / max(1, len(text))
        if best is None or score > best[0]:
            best = (score, enc)
    return body.decode(best[1], errors="replace"), best[1]


def _commonness(text: str) -> float:
    cjk = CJK_CHAR.findall(text)
    if not cjk:
        return 0.0
    return sum(ch in _COMMON for ch in cjk) / len(cjk)

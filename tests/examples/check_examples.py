"""Consistency check of the saved-page corpus: run `python tests/examples/check_examples.py`.

Independent of govlaw's extractor. Checks that every page parses, that GBK/Big5 pages really are
in those encodings, that every gold JSON is well formed, that each gold body paragraph occurs
(in order) as a line of the page's visible text, and that no gold body holds page chrome.
Exits non-zero on any failure.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from lxml import etree, html as lhtml

HERE = Path(__file__).resolve().parent

CHROME = [
    "您当前所在位置", "您当前的位置", "您现在的位置", "您所在的位置", "当前位置", "访问量", "浏览次数", "阅读次数",
    "累计次数", "字体", "字号", "分享到", "扫一扫", "关联稿件", "相关稿件", "相关链接", "相关附件", "网站标识码",
    "ICP备", "公网安备", "打印本页", "关闭窗口", "关闭本页", "返回顶部", "上一篇", "下一篇", "热点推荐", "今天是",
    "农历", "无障碍", "关怀版", "即将离开", "是否继续", "发布时间：", "发布日期：", "发布时间:", "发布日期:",
    "信息来源：", "信息索引号", "索 引 号", "【文件有效】",
]
# Traditional-Chinese spellings of the same chrome, for the gateway copies.
CHROME_TRAD = [
    "您當前所在位置", "您當前的位置", "您現在的位置", "當前位置", "訪問量", "瀏覽次數", "閱讀次數", "字體", "字號",
    "分享到", "掃一掃", "關聯稿件", "相關稿件", "相關鏈接", "相關附件", "網站標識碼", "ICP備", "公網安備",
    "打印本頁", "關閉窗口", "上一篇", "下一篇", "今天是", "無障礙", "關懷版", "發佈時間", "發佈日期", "發布時間",
]
try:  # the project's own list, when run inside the repository
    sys.path.insert(0, str(HERE.parent))
    from chrome_strings import CHROME_STRINGS  # type: ignore
    CHROME += [s for s in CHROME_STRINGS if s not in CHROME]
except ImportError:
    pass

REPORT_KEYS = {"url", "is_report", "title", "report_year", "publish_date", "publisher", "region_code",
               "doc_number", "index_number", "recipient", "signed_date", "admin_level", "body"}
ATTACH_KEYS = {"body_from", "attachment", "attachment_url"}
LOOKALIKE_KEYS = {"url", "is_report", "title", "lookalike"}
LOOKALIKE_TYPES = {"gov_info_report", "meeting", "news", "work_points", "implementation_plan",
                   "policy_interpretation", "shufa_report"}
MULTIBYTE_LAYOUTS = {"trs_gbk": "gbk", "table_br": "gbk"}

BLOCK = {"p", "div", "tr", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tbody", "thead",
         "section", "article", "header", "footer", "nav", "aside", "main", "center", "dl", "dt", "dd", "form",
         "blockquote", "hr", "body", "html", "small"}
SKIP = {"script", "style", "noscript", "head", "template", "title", "canvas"}


def declared_charset(data: bytes) -> str | None:
    m = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([\w-]+)", data[:4096], re.I)
    return m.group(1).decode().lower() if m else None


def decode(data: bytes) -> tuple[str, str]:
    cs = declared_charset(data)
    if cs in ("gb2312", "gbk", "gb18030", "x-gbk"):
        return data.decode("gb18030"), cs          # WHATWG: gb2312 labels mean GBK
    if cs in ("big5", "big5-hkscs", "x-x-big5"):
        return data.decode("big5hkscs"), cs
    if cs in ("utf-8", "utf8"):
        return data.decode("utf-8"), cs
    try:                                            # no declaration: sniff
        return data.decode("utf-8"), "none(utf-8)"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "none(gbk)"


def norm(s: str) -> str:
    return re.sub(r"[\s\u3000\u00a0\u200b]+", " ", s).strip()


def cell_text(el) -> str:
    parts = []
    for node in el.iter():
        if node is not el and isinstance(node.tag, str) and node.tag in SKIP:
            continue
        if node is el or (isinstance(node.tag, str) and not any(
                isinstance(a.tag, str) and a.tag in SKIP for a in node.iterancestors())):
            if node.text and isinstance(node.tag, str) and node.tag not in SKIP:
                parts.append(node.text)
        if node is not el and node.tail and not any(
                isinstance(a.tag, str) and a.tag in SKIP for a in node.iterancestors() if a is not el):
            parts.append(node.tail)
    return norm("".join(parts))


def leaf_row(tr) -> bool:
    for el in tr.iter():
        if el is tr:
            continue
        if isinstance(el.tag, str) and el.tag in ("table", "br", "div", "section", "ul"):
            return False
    return True


def lines_of(doc) -> list[str]:
    out: list[str] = []

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None or tag in SKIP:
            if el.tail:
                out.append(el.tail)
            return
        if tag == "tr" and leaf_row(el):
            cells = [cell_text(c) for c in el if isinstance(c.tag, str) and c.tag in ("td", "th")]
            out.append("\n" + " ".join(c for c in cells if c) + "\n")
            if el.tail:
                out.append(el.tail)
            return
        if tag in BLOCK or tag == "br":
            out.append("\n")
        if tag in ("td", "th"):
            out.append("\n")
        if el.text:
            out.append(el.text)
        for child in el:
            walk(child)
        if tag in BLOCK or tag in ("td", "th"):
            out.append("\n")
        if el.tail:
            out.append(el.tail)

    walk(doc)
    return [n for n in (norm(x) for x in "".join(out).split("\n")) if n]


def site_codes(doc, text: str) -> set[str]:
    codes = set()
    for m in doc.iter("meta"):
        if (m.get("name") or "").lower() == "siteidcode" and re.fullmatch(r"\d{10}", m.get("content") or ""):
            codes.add(m.get("content")[:6])
    for m in re.finditer(r"(?:网站标识码|網站標識碼)[:：]\s*(\d{10})", text):
        codes.add(m.group(1)[:6])
    return codes


def date_forms(iso: str) -> list[str]:
    y, m, d = iso.split("-")
    return [iso, f"{y}-{int(m)}-{int(d)}", f"{y}年{m}月{d}日", f"{y}年{int(m)}月{int(d)}日",
            f"/{y}/{int(m)}/{int(d)}/", f"{y}{m}{d}", f"{y}/{m}/{d}"]


def check(page: Path) -> list[str]:
    errs = []
    layout = page.parent.name
    data = page.read_bytes()
    text, cs = decode(data)
    want = MULTIBYTE_LAYOUTS.get(layout)
    if want == "gbk":
        try:
            data.decode("utf-8")
            errs.append("claims GBK layout but bytes are valid UTF-8")
        except UnicodeDecodeError:
            pass
        try:
            data.decode("gbk")
        except UnicodeDecodeError as e:
            errs.append(f"not GBK bytes: {e}")
    if cs.startswith("big5"):
        try:
            data.decode("big5")
        except UnicodeDecodeError as e:
            errs.append(f"not Big5 bytes: {e}")
    try:
        doc = lhtml.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        return errs + [f"does not parse: {e}"]
    gold_path = page.with_suffix(".json")
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        return errs + [f"gold JSON: {e}"]
    lines = lines_of(doc)
    visible = "\n".join(lines)
    if gold["title"] not in visible and gold["title"] not in text:
        errs.append("title not on the page")
    if not gold["is_report"]:
        if set(gold) != LOOKALIKE_KEYS:
            errs.append(f"look-alike keys {sorted(gold)}")
        if gold.get("lookalike") not in LOOKALIKE_TYPES:
            errs.append(f"unknown lookalike type {gold.get('lookalike')}")
        return errs
    keys = set(gold)
    if keys - ATTACH_KEYS != REPORT_KEYS or (keys & ATTACH_KEYS and keys & ATTACH_KEYS != ATTACH_KEYS):
        errs.append(f"report keys {sorted(keys)}")
    for k in ("publish_date", "signed_date"):
        if gold.get(k) is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", gold[k]):
            errs.append(f"{k} not ISO: {gold[k]}")
    if not isinstance(gold.get("report_year"), int):
        errs.append("report_year not int")
    codes = site_codes(doc, visible)
    rc = gold.get("region_code")
    if rc is None and codes:
        errs.append(f"region_code null but page shows {codes}")
    if rc is not None and rc not in codes:
        errs.append(f"region_code {rc} not shown on page ({codes})")
    pubdate_meta = " ".join(m.get("content") or "" for m in doc.iter("meta")
                            if (m.get("name") or "").lower() == "pubdate")
    dated_lines = " ".join(visible[m.end():m.end() + 24] for m in
                           re.finditer("(?:发布|發佈|發布)(?:日期|时间|時間)", visible))
    if not any(f in pubdate_meta or f in dated_lines for f in date_forms(gold["publish_date"])):
        if pubdate_meta.strip() or dated_lines:
            errs.append("publish_date differs from the page's PubDate / 发布 line")
        elif not any(f in gold["url"] for f in date_forms(gold["publish_date"])):
            errs.append("publish_date neither on the page nor in the URL")
    if gold.get("attachment") and gold["attachment"] not in visible:
        errs.append("attachment name not on page")
    body = gold["body"]
    paras = body.split("\n\n")
    if any(p != norm(p) or not p for p in paras):
        errs.append("body paragraph not normalised")
    if paras[0] == gold["title"]:
        errs.append("body starts with the title line")
    pos = 0
    for para in paras:
        try:
            pos = lines.index(para, pos) + 1
        except ValueError:
            errs.append(f"paragraph not found in order: {para[:40]}")
            break
    for s in CHROME + CHROME_TRAD:
        if s in body:
            errs.append(f"chrome in body: {s}")
    return errs


def main(root: Path = HERE) -> int:
    pages = sorted(root.glob("*/*.html"))
    failed = 0
    for page in pages:
        errs = check(page)
        if not page.with_suffix(".json").exists():
            errs.append("no gold JSON")
        for e in errs:
            print(f"FAIL {page.relative_to(root)}: {e}")
        failed += bool(errs)
    layouts = {p.parent.name for p in pages}
    reports = sum(json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))["is_report"] for p in pages)
    print(f"{len(pages)} pages in {len(layouts)} layouts ({reports} reports, {len(pages) - reports} look-alikes)")
    print(f"{len(pages) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))

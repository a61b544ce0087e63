"""Is this page a 法治政府建设年度报告? A decision with a reason code.

The title decides where the page shows one: the report's title forms are
few (domain facts), and so are the look-alikes' (政府信息公开工作年度报告,
工作要点, 实施方案, 解读, news of meetings). Where the page shows none — a
stored text that starts at the body, a page whose title is a breadcrumb —
the opening decides, as it does for a reader: reports hand themselves over
with a formula sentence (……现将2023年法治政府建设情况报告如下) or open with
the year under review and go on to the mandated parts.

Length never rejects a page whose title or opening says it is a report:
short reports exist, stored copies are cut, and a cover page's report is
its attachment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from govlaw.extract.sections import MANDATED_PARTS, TOP_HEADING, classify_heading
from govlaw.vocab import (CJK, LAW_GOV, TITLE_ISSUER_SUFFIX, REPORT_FORMULA, REPORT_FORMULA_NAMED, about_law_gov)

REPORT_TITLE = re.compile(
    LAW_GOV + r".{0,24}(报告|情况)$|" + LAW_GOV + r".{0,12}(年度报告|情况报告|工作报告)|"
    r"关于.{0,30}" + LAW_GOV + r".{0,20}(报告|情况)"
)
# Look-alikes, checked before the report forms. Order matters: the first hit names the reason.
LOOKALIKE_TITLES = [
    ("lookalike:gov_info_report", re.compile(r"(政府)?信息公开.{0,6}(工作)?.{0,4}(年度)?报告|政务公开.{0,6}年度报告")),
    ("lookalike:work_points", re.compile(r"工作要点|工作计划$|任务清单|责任清单|任务分工")),
    ("lookalike:implementation_plan", re.compile(r"实施方案|实施意见|工作方案|规划|纲要|印发.{0,40}(通知|意见|办法)")),
    ("lookalike:policy_interpretation", re.compile(r"解读|图解|答记者问|问答|一图读懂")),
    ("lookalike:official_statement", re.compile(r"述法报告|述职报告|述法.{0,4}情况|个人.{0,6}报告")),
    ("lookalike:work_summary", re.compile(r"工作总结(?!.{0,4}报告)|总结及.{0,12}计划")),
    ("lookalike:notice", re.compile(r"(的|之)?(通知|通报|公告|公示|决定|批复|函|意见)$")),
    ("lookalike:news", re.compile(
        r"召开|举行|举办|开展|部署|推进会|座谈会|会议|培训|调研|督察|督导|视察|检查|获评|荣获|入选|表彰|观摩|"
        r"组织|参加|出席|启动|亮相|签约|走进|赴|深入|开讲|宣讲|学习|专题")),
]
# The same look-alikes told by their opening, for pages that show no title.
LOOKALIKE_OPENINGS = [
    ("lookalike:gov_info_report", re.compile(r"政府信息公开(工作)?年度报告|《[^》]*政府信息公开条例》.{0,80}(编制|制定)本报告")),
    ("lookalike:news", re.compile(r"^(近日|日前|近期|昨天|今天|今日|\d{1,2}月\d{1,2}日[，,上下午晚]|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)")),
    ("lookalike:review_opinion", re.compile(r"审议意见.{0,20}(研究处理|办理)|研究处理情况")),
    ("lookalike:work_summary", re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]\s*(?:(?:19|20)\d{2}\s*年)?(度)?工作总结")),
]
_LEADING_ORG = re.compile(rf"^(中共)?[{CJK}]{{2,30}}?({TITLE_ISSUER_SUFFIX})(?=关于|\d{{4}}|[一二〇]{{4}})")
COVER_MEMO = re.compile(r"(妥否|请批示|请审示|请审阅|请审定|呈请)[。，,]?")
# A page whose text only points at its file: 详见附件 / 全文见附件 / 点击下载.
ATTACHMENT_STUB = re.compile(r"(详见|全文见|请见|见)附件|附件[:：]|点击下载|下载附件|(pdf|docx?|ofd|wps)\b", re.I)
_STUB_CHARS = 200
# How much of the opening a reader looks at before knowing what a text is.
_OPENING_CHARS = 1200
# A review of the year opens with it: 2023年，… · 一年来，… · 今年以来，…
_YEAR_OPENING = re.compile(r"^((19|20)\d{2}\s*年(度)?|一年来|今年以来|过去一年|本年度|年初以来)")
# The year under review with law-based government as its subject: 2023年，全省法治政府建设工作坚持…
_LAW_GOV_SUBJECT = re.compile(r"^((19|20)\d{2}\s*年(度)?|一年来|今年以来)[，,]?[^。；，,]{0,12}(法治政府建设|依法行政)(工作)?")
_STRUCTURE_PARTS = {"measures", "shortcomings", "leadership_duties", "next_year_plan"}


@dataclass
class Decision:
    is_report: bool
    reason: str


def decide(title: str | None, paragraphs: list[str], sections: list[dict]) -> Decision:
    if not paragraphs:
        return Decision(False, "body:empty")  # whatever the title says: no text, no report (a file may follow)
    by_title = decide_title(title)
    if by_title is not None:
        return by_title
    return _by_opening(paragraphs, sections, "opening" if not title else "body")


def decide_title(title: str | None) -> Decision | None:
    """What the title alone says: a report, a look-alike, another subject, or
    None when only the text can tell (no title, or law-based government in
    no known report form)."""
    if title:
        t = re.sub(r"\s+", "", title)
        # Names in 《》 are what a document is about, not what it is:
        # 关于贯彻落实《法治政府建设实施纲要》情况的报告 is a report.
        bare = re.sub(r"《[^》]*》", "", t)
        # Nor is the issuer's name: 自然资源和规划局 is not a 规划.
        bare = _LEADING_ORG.sub("", bare)
        for reason, pattern in LOOKALIKE_TITLES:
            if reason == "lookalike:news" and REPORT_TITLE.search(t) and _report_shaped_title(t):
                continue
            if reason == "lookalike:work_summary" and re.search(LAW_GOV, bare):
                continue  # 法治政府建设工作总结: the opening decides
            if pattern.search(bare):
                return Decision(False, reason)
        if REPORT_TITLE.search(t):
            return Decision(True, "title:report_form")
        if not re.search(LAW_GOV, t):
            return Decision(False, "title:other_subject")
        # Mentions law-based government but in no known report form: the opening decides.
    return None


def _by_opening(paragraphs: list[str], sections: list[dict], prefix: str) -> Decision:
    if not paragraphs:
        return Decision(False, "body:empty")
    opening, heading = _opening(paragraphs)
    first = paragraphs[0]
    for reason, pattern in LOOKALIKE_OPENINGS:
        if pattern.search(first) or (heading and pattern.search(heading)) or (
                reason in ("lookalike:gov_info_report", "lookalike:review_opinion") and pattern.search(opening)):
            return Decision(False, reason)
    heading_ok = heading is not None and (
        classify_heading(heading) in ("measures", "leadership_duties") or bool(re.search(LAW_GOV, heading)))
    if REPORT_FORMULA_NAMED.search(opening):
        return Decision(True, f"{prefix}:report_formula")
    if REPORT_FORMULA.search(opening) and about_law_gov(opening) and (heading_ok or heading is None):
        return Decision(True, f"{prefix}:report_formula")
    if _YEAR_OPENING.match(first) and (about_law_gov(opening) and heading_ok or _LAW_GOV_SUBJECT.match(first)):
        return Decision(True, f"{prefix}:year_review")
    parts = {s["part"] for s in sections} - {None}
    if len(sections) >= 2 and len(parts & _STRUCTURE_PARTS) >= 2 and about_law_gov(
            opening + "".join(s["heading"] for s in sections)):
        return Decision(True, f"{prefix}:report_structure")
    return Decision(False, "body:no_report_structure")


def _opening(paragraphs: list[str]) -> tuple[str, str | None]:
    """The text up to and just past the first top-level heading (capped),
    and that heading: what a reader reads before knowing what a text is."""
    out, heading, size = [], None, 0
    for p in paragraphs:
        if TOP_HEADING.match(p) and len(p) <= 80:
            if heading is not None:
                break
            heading = p
        out.append(p)
        size += len(p)
        if size >= _OPENING_CHARS:
            break
    return "".join(out)[:_OPENING_CHARS + 200], heading


def is_stub(paragraphs: list[str]) -> bool:
    """A cover page for a file: a few lines that point at the attachment."""
    text = "".join(paragraphs)
    return len(text) < _STUB_CHARS and (not text or bool(ATTACHMENT_STUB.search(text)))


def _report_shaped_title(t: str) -> bool:
    """A report title may contain words the news rule fears (推进, 开展) —
    关于2022年度推进法治政府建设工作情况报告 — but it ends like a report."""
    shaped = re.search(r"报告$", t) or re.search(LAW_GOV + r"(建设)?(工作)?(年度)?情况$", t)
    return bool(shaped) and not re.search(r"召开|举行|获评|荣获|入选|表彰|会议|反馈|督察组|督导组", t)


__all__ = ["Decision", "decide", "is_stub", "COVER_MEMO", "MANDATED_PARTS", "REPORT_TITLE"]

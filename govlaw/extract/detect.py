"""Is this page a 法治政府建设年度报告? A decision with a reason code.

Titles decide most pages: the report's title forms are few (domain facts),
and so are the look-alikes' (政府信息公开工作年度报告, 工作要点, 实施方案, 解读,
news of meetings). The body decides the rest: a report is long, numbered
一、二、三、 and covers the mandated parts; news about a report is not. A page
with no title at all is judged on its body alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from govlaw.extract.sections import MANDATED_PARTS

_LAW_GOV = r"(法治政府|依法行政|法治建设)"
REPORT_TITLE = re.compile(
    _LAW_GOV + r".{0,24}(报告|情况)$|" + _LAW_GOV + r".{0,12}(年度报告|情况报告|工作报告)|"
    r"关于.{0,30}" + _LAW_GOV + r".{0,20}(报告|情况)"
)
# Look-alikes, checked before the report forms. Order matters: the first hit names the reason.
LOOKALIKE_TITLES = [
    ("lookalike:gov_info_report", re.compile(r"(政府)?信息公开.{0,6}(工作)?.{0,4}(年度)?报告|政务公开.{0,6}年度报告")),
    ("lookalike:work_points", re.compile(r"工作要点|工作计划$|任务清单|责任清单|任务分工")),
    ("lookalike:implementation_plan", re.compile(r"实施方案|实施意见|工作方案|规划|纲要|印发.{0,40}(通知|意见|办法)")),
    ("lookalike:policy_interpretation", re.compile(r"解读|图解|答记者问|问答|一图读懂")),
    ("lookalike:official_statement", re.compile(r"述法报告|述职报告|述法.{0,4}情况|个人.{0,6}报告")),
    ("lookalike:notice", re.compile(r"(的|之)?(通知|通报|公告|公示|决定|批复|函|意见)$")),
    ("lookalike:news", re.compile(
        r"召开|举行|举办|开展|部署|推进会|座谈会|会议|培训|调研|督察|督导|视察|检查|获评|荣获|入选|表彰|观摩|"
        r"组织|参加|出席|启动|亮相|签约|走进|赴|深入|开讲|宣讲|学习|专题")),
]
_LEADING_ORG = re.compile(r"^(中共)?[\u4e00-\u9fff]{2,30}?(人民政府|委员会|管委会|办事处|局|厅|委|办公室|中心)(?=关于|\d{4}|[一二〇]{4})")
COVER_MEMO = re.compile(r"(妥否|请批示|请审示|请审阅|请审定|呈请)[。，,]?")

_MIN_REPORT_CHARS = 600


@dataclass
class Decision:
    is_report: bool
    reason: str


def decide(title: str | None, paragraphs: list[str], sections: list[dict]) -> Decision:
    body_chars = sum(len(p) for p in paragraphs)
    parts = {s["part"] for s in sections} - {None}
    structure_ok = len(sections) >= 2 and len(parts & {"measures", "shortcomings", "leadership_duties", "next_year_plan"}) >= 2

    if title:
        t = re.sub(r"\s+", "", title)
        # Names in 《》 are what a document is about, not what it is:
        # 关于贯彻落实《法治政府建设实施纲要》情况的报告 is a report.
        bare = re.sub(r"《[^》]*》", "", t)
        # Nor is the issuer's name: 自然资源和规划局 is not a 规划.
        bare = _LEADING_ORG.sub("", bare)
        for reason, pattern in LOOKALIKE_TITLES:
            if pattern.search(bare) and not (reason == "lookalike:news" and REPORT_TITLE.search(t) and _report_shaped_title(t)):
                return Decision(False, reason)
        if REPORT_TITLE.search(t):
            if body_chars < _MIN_REPORT_CHARS and not structure_ok:
                return Decision(False, "body:too_short")
            return Decision(True, "title:report_form")
        if not re.search(_LAW_GOV, t):
            return Decision(False, "title:other_subject")
        # Mentions law-based government but in no known report form: the body decides.
    if body_chars < _MIN_REPORT_CHARS:
        return Decision(False, "body:too_short")
    opening = "".join(paragraphs[:3])
    if structure_ok and re.search(_LAW_GOV, opening + "".join(s["heading"] for s in sections)):
        return Decision(True, "body:report_structure" if title else "no_title:report_structure")
    return Decision(False, "body:no_report_structure")


def _report_shaped_title(t: str) -> bool:
    """A report title may contain words the news rule fears (推进, 开展) —
    关于2022年度推进法治政府建设工作情况报告 — but it ends like a report."""
    return bool(re.search(r"(报告|情况)$", t)) and not re.search(r"召开|举行|获评|荣获|入选|表彰|会议", t)


__all__ = ["Decision", "decide", "COVER_MEMO", "MANDATED_PARTS"]

"""Split a report at its top-level headings and map them to the five mandated parts.

The 《法治政府建设与责任落实督察工作规定》 asks every report for: main measures and
results, shortcomings and their causes, how the principal leaders fulfilled
their duty as first responsible persons, the plan for the next year, and other
matters. Real headings vary in wording and order, so mapping goes by the words
each part is written with, checked in an order that resolves the overlaps
("主要负责人履行…的主要举措和成效" is about leadership duties, not measures).
"""
from __future__ import annotations

import re

MANDATED_PARTS = ["measures", "shortcomings", "leadership_duties", "next_year_plan", "other"]

TOP_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．，,]\s*\S")
_PART_RULES = [
    ("leadership_duties", re.compile(r"第一责任人|主要负责人|主要负责同志|负责人履[行职]|履职情况|党政.{0,6}履行|述法")),
    ("shortcomings", re.compile(r"不足|问题|短板|差距|薄弱|困难")),
    ("next_year_plan", re.compile(r"下一年|下一步|下步|明年|来年|工作安排|工作打算|工作思路|工作计划|主要安排|工作谋划|努力方向|工作重点|打算|展望|(?:19|20)\d{2}\s*年.{0,16}(?:安排|思路|计划)")),
    ("other", re.compile(r"其他|其它|督察|整改")),
    ("measures", re.compile(r"举措|成效|措施|主要工作|工作情况|做法|成绩|进展|推进情况|开展情况|完成情况|主要情况|落实情况")),
]


def classify_heading(heading: str) -> str | None:
    for key, pattern in _PART_RULES:
        if pattern.search(heading):
            return key
    return None


def split_sections(paragraphs: list[str], keys: list[str] | None = None) -> list[dict]:
    """[{heading, part, start, end}] for each top-level section: `start` and
    `end` are offsets, in characters, of the section's text (the paragraphs
    under its heading) in the body the paragraphs make, joined as
    normalize.join_paragraphs joins them; govlaw.records.section_texts
    reads them back. Text before the first heading (the opening) is not a
    section. `keys` are the paragraphs as matched (Simplified), when they
    differ from the published ones."""
    sections: list[dict] = []
    current = None
    offset = 0  # where the paragraph starts in the joined body
    for p, key in zip(paragraphs, keys or paragraphs):
        if not p:  # the body leaves empty paragraphs out, and so do the offsets
            continue
        if TOP_HEADING.match(p) and len(p) <= 80 and "。" not in p[:-1]:
            current = {"heading": p, "part": classify_heading(key), "start": offset + len(p) + 2, "end": None}
            sections.append(current)
        elif current is not None:
            current["end"] = offset + len(p)
        offset += len(p) + 2
    # The signature block and closing lines after the last section stay in
    # that section's text; analysts read sections, and they are short.
    # Reports open with their measures; an opening section whose heading names
    # a topic (一、深入学习习近平法治思想…) rather than a part is that part.
    for s in sections:
        if s["part"] is not None:
            break
        s["part"] = "measures"
    for s in sections:
        if s["end"] is None:  # a heading with no text under it: an empty span right after it
            s["start"] = s["end"] = min(s["start"], max(offset - 2, 0))
    return sections


def missing_parts(sections: list[dict]) -> list[str]:
    present = {s["part"] for s in sections}
    return [p for p in MANDATED_PARTS if p not in present]

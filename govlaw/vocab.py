"""The domain vocabulary, written once.

Every rule that reads Chinese government pages — extraction, detection,
normalization, discovery — takes its words from here: the CJK ranges, the
suffixes that end an issuing body's name, the words of frozen date widgets,
the shapes of document numbers and dates, the words that say a text is
about law-based government, and the sentences with which reports open.
A word added here is known everywhere at once.
"""
from __future__ import annotations

import re

# --- characters -------------------------------------------------------------------
# CJK Unified Ideographs with Extension A and the compatibility block: rare
# characters in place names (鄚, 亳) live outside the basic block.
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{CJK}]")
CN_NUMERALS = "〇○零Ｏ一二两三四五六七八九十"

# Full-width and half-width punctuation that ends or splits a sentence of prose.
PROSE_PUNCT = re.compile(r"[，。；：、！？,;:]")

# --- issuing bodies ----------------------------------------------------------------
# What an issuing body's name ends with, longest first so 人民政府办公室 wins
# over 办公室. Township bodies (镇/乡/街道 …) are named by their place.
ISSUER_SUFFIXES = [
    "人民政府办公室", "人民政府办公厅", "人民政府", "管理委员会", "委员会", "办事处", "管委会", "办公室",
    "办公厅", "党工委", "党委", "党组", "市委", "区委", "县委", "州委", "盟委", "旗委", "省委", "政府",
    "司法所", "法院", "检察院", "中心", "局", "厅", "部", "署", "委", "办", "院",
]
ISSUER_SUFFIX = "|".join(ISSUER_SUFFIXES)
# Inside a title, the one-character suffixes that are also verbs or nouns of
# the sentence (部署, 署名, 办理, 学院) would cut an issuer out of 我市部署…:
# a title's leading issuer must end in an unambiguous suffix.
TITLE_ISSUER_SUFFIX = "|".join(s for s in ISSUER_SUFFIXES if s not in ("部", "署", "办", "政府"))
TOWNSHIP_WORDS = r"镇|乡|街道|苏木|民族乡"

# --- dates -------------------------------------------------------------------------
# Words of the date widgets portals print at the top of every page (今天是
# 2019年10月31日 星期三 农历十月初七): such a date is never a publish date.
DATE_WIDGET = re.compile(r"今天是|今日是|星期[一二三四五六日天]|农历|周[一二三四五六日](?![期年刊])")
# A date written with digits: 2024-03-28, 2024年3月28日, 2024/3/28, 2024.3.28.
DATE_DIGITS = (r"(?<!\d)((?:19|20)\d{2})\s*(?:年|-|/|\.|－|／)\s*(\d{1,2})\s*(?:月|-|/|\.|－|／)"
               r"\s*(\d{1,2})(?!\d)\s*日?")
# A date in Chinese numerals: 二〇二四年三月二十八日.
DATE_NUMERALS = rf"([{CN_NUMERALS}]{{4}})\s*年\s*([{CN_NUMERALS}]{{1,3}})\s*月\s*([{CN_NUMERALS}]{{1,3}})\s*日"
# A clock time after a date (14:21, 14:21:05).
CLOCK = r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"

# --- document numbers --------------------------------------------------------------
# 袁府字〔2023〕5号, 汕府(2021)9号, 潭县自然资字[2025]79号; the brackets vary.
DOC_OPEN, DOC_CLOSE = "〔\\[［(（【", "〕\\]］)）】"
DOC_NUMBER = (rf"([{CJK}]{{1,16}}?)\s*[{DOC_OPEN}]\s*((?:19|20)\d{{2}})\s*[{DOC_CLOSE}]"
              r"\s*(\d{1,5})\s*([号號])")

# --- the subject --------------------------------------------------------------------
# What the report is about. 法治政府、法治社会一体建设 is a set phrase that every
# annual work summary of a justice bureau uses; it does not make a text a report.
LAW_GOV = r"(法治政府|依法行政|法治建设)"
LAW_GOV_SET_PHRASE = re.compile(r"法治[\u4e00-\u9fff]{1,4}、法治政府、法治社会(一体)?建设")


def about_law_gov(text: str) -> bool:
    """Does the text speak of law-based government, beyond the set phrase?"""
    return bool(re.search(LAW_GOV, LAW_GOV_SET_PHRASE.sub("", text)))


# The sentence with which a report hands itself over: 现将2023年法治政府建设情况
# 报告如下 · 现将有关情况报告如下 · 现就我乡法治政府建设情况汇报如下 · 现将工作报告如下.
REPORT_FORMULA = re.compile(
    r"(现将|现就|现把|特将|兹将|下面将|现对)[^。；]{0,60}?(报告|汇报|总结)(如下|于后)")
# The same sentence naming its subject outright.
REPORT_FORMULA_NAMED = re.compile(
    r"(现将|现就|现把|特将|兹将|现对)[^。；]{0,50}?" + LAW_GOV + r"[^。；]{0,30}?(报告|汇报)(如下|于后)")

# A listing or search title that could name a report; titles that certainly
# do not are not fetched. Truncated titles (…) are fetched: the page decides.
CANDIDATE_TITLE = re.compile(r"法治|依法行政|报告|報告|情况|情況|…|\.\.\.")

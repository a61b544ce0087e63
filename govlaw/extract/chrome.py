"""Recognise page chrome line by line.

Government portals are built from a few CMS families, but their chrome speaks
one vocabulary (the national website guideline and decades of copied
templates): breadcrumbs, frozen date widgets, counters, font and share
widgets, related lists, exit dialogs and footers. These patterns describe that
vocabulary, not any one site, so they hold on portals nobody here has seen.
"""
from __future__ import annotations

import re
from functools import lru_cache

from govlaw.normalize import fold
from govlaw.vocab import CJK, DATE_WIDGET

# A paragraph that matches one of these and is short is chrome, wherever it is.
_CHROME_PATTERNS = [
    # breadcrumbs and location bars
    r"^(您|你)?(当前|现在|目前)?(所在|的)?(的)?位置\s*[:：]",
    r"^(当前位置|所在位置|位置导航)",
    r"^首页\s*[>＞»›/]",
    r"[>＞»›]\s*(正文|详情|内容)\s*$",
    r"^\s*[>＞»›]", r"^[^。，；]{0,40}?([>＞»›]\s*[^>＞»›。，；]{1,16}\s*){2,}$",
    # date widgets frozen at crawl time
    DATE_WIDGET.pattern,
    # accessibility, language, site services
    r"无障碍", r"关怀版", r"长者模式", r"适老化", r"(网站)?支持\s*ipv6", r"^(简体|繁体|简|繁|English)(\s*[|｜/]\s*(简体|繁体|繁|English|中文))*\s*$",
    r"^(登录|注册|搜索|高级搜索|站内搜索)(\s*[|｜]\s*(登录|注册|搜索))*\s*$",
    # counters
    r"(访问量|访问次数|阅读次数|阅读量|浏览次数|浏览量|累计次数|点击数|点击量|点击次数|访问人次)\s*[:：]?",
    # font, print, close, share, QR
    r"字体\s*[:：]", r"字体大小", r"【?\s*字号\s*[:：]", r"[【\[]\s*(大|小)\s+中\s+(小|大)\s*[】\]]", r"^(字体|字号)?\s*[【\[]?\s*大\s*中\s*小\s*[】\]]?\s*$",
    r"打印本页", r"打印此页", r"打印文章", r"[【\[]\s*打印\s*[】\]]", r"关闭窗口", r"关闭本页", r"[【\[]\s*关闭\s*[】\]]",
    r"返回顶部", r"回到顶部", r"收藏本页", r"加入收藏", r"设为首页", r"保存本页",
    r"分享到\s*[:：]?", r"^分享\s*[:：]?$", r"打印正文|打印全文|打印内容|打印整页", r"扫一扫", r"扫码", r"手机扫", r"在手机(上)?(打开|查看|阅读)", r"微信(扫|分享)", r"二维码",
    # related lists
    r"^(关联稿件|相关附件|相关稿件|相关文章|相关链接|相关阅读|相关新闻|相关文件|相关信息|相关解读|附件下载)\s*[:：]?",
    r"^(上一篇|下一篇|上一条|下一条)\s*[:：]?",
    # an article's own pager: 上一页 1 2 3 下一页 · 共3页 · 第1页
    r"^(?=.*(?:上一页|下一页|尾页|末页|上页|下页|共\s*\d+\s*页))"
    r"(?:(?:上一页|下一页|首页|尾页|末页|上页|下页|共\s*\d+\s*页|第\s*\d+\s*页|\d{1,2}(?=\s|$)|[<>«»]|\|)\s*){1,}$",
    # tool bars made of tool words only (打印 关闭 / 收藏 | 分享 / 返回顶部)
    r"^(?:(?:打印|关闭|收藏|分享|返回|顶部|纠错|保存|下载|字号|字体|放大|缩小|默认|大|中|小|A\+|A-)\s*[|｜/、·]?\s*){2,}$",
    # repost notes
    r"^(本文|本信息|此文)?(转载|转自|来源于|摘自)[自于]?.{0,40}(网站|公众号|门户|平台|报)",
    r"查看原文|阅读原文|原文链接|点击查看原文",
    # exit dialogs
    r"即将离开", r"跳转(到|至)第三方网站|(访问|进入)第三方网站|离开本站",
    # a site's name beside the page's time: 中国政府网 更新时间：2024-03-30
    r"^[^，。；]{2,30}(网|网站|门户)\s+(更新时间|发布时间|发布日期)\s*[:：]", r"是否继续\s*[?？]", r"^(继续访问|放弃|取消|确定)(\s+(继续访问|放弃|取消|确定))*\s*$",
    # footers
    r"网站标识码", r"ICP\s*备", r"公网安备", r"^(主办单位|承办单位|主办|承办|协办|技术支持|运维单位|维护单位)\s*[:：]",
    r"版权所有", r"copyright", r"©", r"网站地图", r"联系我们", r"建议使用.{0,20}浏览器", r"分辨率",
    r"政府网站找错", r"我要纠错", r"^(网站声明|隐私声明|使用帮助)",
    # validity and sharing stamps
    r"^[【\[]\s*文件(有效|失效|已废止)\s*[】\]]",
]
_CHROME = re.compile("|".join(f"(?:{p})" for p in _CHROME_PATTERNS), re.IGNORECASE)

# Chrome lines are short; a long paragraph that happens to contain a word such
# as 扫码 is a sentence of the report, not chrome.
_MAX_CHROME_LEN = 90
_SENTENCE_END = re.compile(r"[。！？!?]\s*$|[。；]")


# Pure tests on one line, asked several times of each line of a page (in
# scoring, trimming and labelling) and of the same footer and menu lines on
# every page of a portal: their answers are kept.
_LINE_CACHE = 32768


@lru_cache(maxsize=_LINE_CACHE)
def is_chrome(line: str) -> bool:
    if not line:
        return True
    if _SENTENCE_END.search(line) and len(line) > 30:
        return False
    if len(line) > _MAX_CHROME_LEN:
        # A footer run together into one line (版权所有… 主办… 网站标识码… ICP备…):
        # several chrome markers and no sentence.
        return len(line) <= 400 and len({m.group(0) for m in _CHROME.finditer(line)}) >= 3
    return bool(_CHROME.search(line))


# Labelled metadata, as in 索 引 号：…  发布机构：…  来源：… 发布时间：…
# Labels are often spaced one character apart and use either colon width.
LABELS = {
    "index_number": ["索引号", "信息索引号", "索取号"],
    "disclosure": ["公开方式", "公开范围", "公开时限", "公开形式", "公开属性", "信息来源渠道"],
    "category": ["分类", "主题分类", "体裁分类", "组配分类", "信息分类"],
    "issuer": ["发布机构", "发文机关", "发文单位", "发布单位", "公开责任部门", "责任部门", "制发机关"],
    "written_date": ["成文日期", "发文日期", "印发日期", "公文生成日期", "生成日期", "生效日期"],
    "doc_number": ["文号", "发文字号", "文件编号", "备注/文号", "文号/备注"],
    "publish_date": ["发布日期", "发布时间", "公开日期", "公开时间", "更新时间", "日期", "时间"],
    "title": ["标题", "名称", "文件名称"],
    "keywords": ["主题词", "关键词"],
    "summary": ["内容概述", "摘要"],
    "validity": ["时效", "有效性", "效力状态"],
    "source": ["来源", "信息来源", "文章来源", "稿件来源", "出处"],
    "author": ["作者", "编辑", "责任编辑", "审核", "校对", "编审", "供稿", "撰稿", "摄影"],
    "counter": ["访问量", "阅读次数", "浏览次数", "累计次数", "点击数", "浏览量", "阅读量"],
    "font": ["字体", "字号"],
    "share": ["分享到"],
}


def _spaced(label: str) -> str:
    return r"\s*".join(re.escape(ch) for ch in label)


_LABEL_NAMES = sorted({name for names in LABELS.values() for name in names}, key=len, reverse=True)
_LABEL_FIELD = {name: field for field, names in LABELS.items() for name in names}
# A label is a label when a colon follows, or when it starts the line or
# follows a blank (table cells linearised with spaces), and is followed by a blank.
_LABEL_ALT = "|".join(_spaced(n) for n in _LABEL_NAMES)
_LABEL_RE = re.compile(
    r"(?:(?:(?<=^)|(?<=[\s|｜•·●]))(" + _LABEL_ALT + r")\s*(?:[:：]\s*|(?=\s)|$))"
    # Cells run together (索引号：X发布日期：Y): a label followed by a colon
    # is a label wherever it stands.
    r"|(?:(" + _LABEL_ALT + r")\s*[:：]\s*)"
)


_UNKNOWN_LABEL = re.compile(rf"\s+[{CJK}](?:\s?[{CJK}]){{1,5}}\s*[:：]")


def labelled_fields(line: str, spans: bool = False) -> dict:
    """Label → value pairs on one line; a value runs to the next label.
    Empty values are kept as empty strings (a table with a blank cell).
    With `spans`, each value comes with its (start, end) in the line."""
    return {field: ((value, span) if spans else value) for field, value, span in _labelled(line)}


@lru_cache(maxsize=_LINE_CACHE)
def _labelled(line: str) -> tuple:
    """labelled_fields' pairs as (field, value, span), kept: immutable, so a
    caller's dict never shares anything with the next one."""
    found = list(_LABEL_RE.finditer(line))
    out: dict = {}
    for i, m in enumerate(found):
        label = re.sub(r"\s+", "", m.group(1) or m.group(2))
        end = found[i + 1].start() if i + 1 < len(found) else len(line)
        value = line[m.end():end]
        # An unknown label (two to six characters and a colon) also ends a value.
        unknown = _UNKNOWN_LABEL.search(value)
        if unknown:
            value = value[:unknown.start()]
            end = m.end() + unknown.start()
        field = _LABEL_FIELD.get(label)
        if field and field not in out:
            out[field] = (field, value.strip(" \t|｜•·●【】[]"), (m.end(), end))
    return tuple(out.values())


@lru_cache(maxsize=_LINE_CACHE)
def is_label_line(line: str) -> bool:
    """A line made only of label/value pairs (a metadata line, not prose)."""
    line = line.lstrip(" •·●▪-")
    found = list(_LABEL_RE.finditer(line))
    if not found or found[0].start() > 2:
        return False
    if _SENTENCE_END.search(line) and len(line) > 40:
        return False
    return len(line) <= 160


@lru_cache(maxsize=_LINE_CACHE)
def label_only(line: str) -> str | None:
    """The field of a line that is a label and nothing else (索引号 in a
    <dt>, its value in the next <dd>)."""
    m = _LABEL_RE.fullmatch(line.strip(" \t:："))
    if not m:
        return None
    return _LABEL_FIELD.get(re.sub(r"\s+", "", m.group(1) or m.group(2)))


def same_text(a: str, b: str) -> bool:
    return bool(a) and bool(b) and _folded(a) == _folded(b)


@lru_cache(maxsize=_LINE_CACHE)
def _folded(text: str) -> str:
    return fold(text)

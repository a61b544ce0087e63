"""From a portal's home page to its report columns: which links lead there.

A page object: it takes a page (home, 政务公开, 政府信息公开目录, a catalogue
of 法定主动公开内容) and sorts its links into
- report columns: 法治政府建设年度报告 / 法治政府建设 columns (by their words
  or their slugs: fzzfjsndbg, fzzfjsbg, ndfzzfjsbg, fzzfjs);
- the way on: towards 政务公开 → 政府信息公开(目录) → 法定主动公开内容 →
  其他法定主动公开内容, deeper steps first;
- the justice bureau's site (司法局), where many governments publish;
- links never to follow: look-alike columns (政府信息公开年报, 工作动态…) and
  anything that is a document rather than a column.
It also reads the site code (网站标识码) that site search needs. No network,
no Scrapy: the spider decides what to fetch within its budget.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html

from govlaw import normalize

# Report columns, by what they are called and how they are slugged.
_REPORT_COLUMN_TEXT = re.compile(r"法治政府建设(工作)?(年度)?(情况)?(报告|年报)|法治政府建设$|法治政府$|依法行政(工作)?(年度)?报告")
_REPORT_COLUMN_SLUG = re.compile(r"/(nd)?fzzfjs(nd)?(bg|ndbg|ndgzbg|bgnd)?(_\w+)?(/|\.|$)|/fzjs(bg)?(/|$)|/fzzf(/|$)", re.I)
# The way to them, with how deep each step is (deeper = closer to the reports).
_STEPS = [
    (4, re.compile(r"其他法定主动公开|其他法定公开|其他主动公开|其他公开信息|其它法定")),
    (3, re.compile(r"法定主动公开内容|法定主动公开|主动公开目录|政府信息公开目录|信息公开目录|公开目录|法定公开内容")),
    (2, re.compile(r"^政府信息公开$|^信息公开$|政府信息公开专栏|政府信息公开平台|^信息公开专栏$")),
    (1, re.compile(r"^政务公开$|^政务信息公开$|^公开$|政务公开专栏")),
]
_STEP_SLUGS = [
    (4, re.compile(r"/qt(fd)?(zd)?gk(nr|xx)\w*", re.I)),
    (3, re.compile(r"/(fdzdgknr|fdgknr|gkml|zfxxgkml|xxgkml)(/|$|\.)", re.I)),
    (2, re.compile(r"/(zfxxgk|xxgk|gkzl)(/|$|\.)", re.I)),
    (1, re.compile(r"/(zwgk)(/|$|\.)", re.I)),
]
# Columns that look like the way but are not (an annual report of another kind, news).
_AVOID = re.compile(r"信息公开(工作)?年(度)?报|政务公开年报|年报|工作动态|新闻|动态|图片|视频|解读|互动|留言|信箱|办事|"
                    r"服务|招标|采购|人事|公示|统计|预决算|财政|指南|申请|依申请|公开规定|公开制度|意见征集|领导")
_JUSTICE = re.compile(r"司法局|司法行政|司法厅|法制办|依法治(市|县|区)办")
_JUSTICE_HOST = re.compile(r"^(sfj|sft|sfxz|sifa)\.|\.sfj\.", re.I)
# Addresses of documents, not columns.
_DOCUMENT = re.compile(r"/t\d{8}_\d+|/art_\d+_\d+|/art/\d{4}/|/content_\d+|/post_\d+|/content/post_|\d{6,}\.s?html?$|"
                       r"\.(pdf|docx?|wps|ofd|xlsx?|zip|rar|jpg|png)$", re.I)
_SITE_CODE = [
    re.compile(r"<meta[^>]+name=['\"]SiteIDCode['\"][^>]+content=['\"]([\w]+)['\"]", re.I),
    re.compile(r"<meta[^>]+content=['\"]([\w]+)['\"][^>]+name=['\"]SiteIDCode['\"]", re.I),
    re.compile(r"网站标识码\s*[:：]?\s*(?:<[^>]+>\s*)*([A-Za-z]{0,2}\d{6,12})"),
    re.compile(r"[?&](?:site_?code|sitecode)=([A-Za-z]{0,2}\d{6,12})", re.I),
]


@dataclass
class Link:
    url: str
    text: str
    step: int = 0  # for the way on: how deep (1 政务公开 … 4 其他法定主动公开内容)


@dataclass
class Directions:
    report_columns: list[Link] = field(default_factory=list)
    next: list[Link] = field(default_factory=list)       # the way on, best first
    justice_bureau: list[Link] = field(default_factory=list)
    site_code: str | None = None


def read_directions(html: str, url: str, government: str | None = None) -> Directions:
    """The page's links sorted by where they lead. `government` is the
    portal's name (汕尾市人民政府); without it the page's own site name is
    used, to tell this government's justice bureau from a province's."""
    out = Directions(site_code=site_code(html))
    try:
        root = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return out
    government = government or _site_name(root)
    seen: set[str] = set()
    here = _without_fragment(url)
    for target, text in _links(root, url):
        if target in seen or _without_fragment(target).rstrip("/") == here.rstrip("/") and target == here:
            continue
        if not text or len(text) > 30:
            continue  # columns and menus are named briefly; a long text is a document's title
        kind = classify(text, target, url, government)
        if kind is None:
            continue
        seen.add(target)
        getattr(out, kind).append(Link(target, text, _step(text, target)))
    out.next.sort(key=lambda link: -link.step)
    return out


def _links(root, base: str):
    """(address, text) of every link: anchors, and the options of the
    department <select> boxes portals use as link lists."""
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "mailto:", "tel:")) and href != "#":
            yield _target(base, href), normalize.clean_line(a.text_content() or a.get("title") or "")
    for option in root.iter("option"):
        value = (option.get("value") or "").strip()
        if value.startswith(("http://", "https://", "/")):
            yield _target(base, value), normalize.clean_line(option.text_content())


def _target(base: str, href: str) -> str:
    """The absolute address; a fragment is kept only where it names a column
    (gkmlpt's #<catid>), since servers never see fragments."""
    target = urljoin(base, href)
    address, _, fragment = target.partition("#")
    return f"{address}#{fragment}" if fragment.isdigit() else address


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def classify(text: str, url: str, page_url: str, government: str | None = None) -> str | None:
    """report_columns | next | justice_bureau | None (not to follow)."""
    path = urlsplit(url).path
    if _DOCUMENT.search(path):
        return None
    if _REPORT_COLUMN_TEXT.search(text):
        return "report_columns"
    if _REPORT_COLUMN_SLUG.search(path) and len(text) <= 12 and not _AVOID.search(text):
        return "report_columns"  # a column under a report column: 市政府 / 市直部门 / 县（市、区）
    if _JUSTICE.search(text) and len(text) <= 14:
        return "justice_bureau" if _ours(text, government) else None
    if _AVOID.search(text):
        return None
    if _site(urlsplit(url).netloc) != _site(urlsplit(page_url).netloc):
        return None  # the way on stays on the portal's own site (a disclosure subdomain included)
    return "next" if _step(text, url) else None


def _ours(text: str, government: str | None) -> bool:
    """司法局 is ours; 湖南省司法厅 on a city's portal is another government's."""
    place = re.sub(_JUSTICE.pattern + ".*$", "", text).strip()
    if not place or not government:
        return True
    return place in government or government.startswith(place[:2])


def _site(host: str) -> str:
    """The registrable part of a host: www.hd.gov.cn and hdzfxxgk.hd.gov.cn are one site."""
    labels = host.lower().split(":")[0].split(".")
    keep = 3 if labels[-2:] == ["gov", "cn"] or labels[-2:] in (["com", "cn"], ["org", "cn"]) else 2
    return ".".join(labels[-keep:])


def _site_name(root) -> str | None:
    for el in root.iter("meta"):
        if (el.get("name") or "").lower() == "sitename" and el.get("content"):
            return el.get("content").strip()
    title = normalize.clean_line(root.findtext(".//title") or "")
    pieces = [p for p in re.split(r"[-_|｜—\s]+", title) if re.search(r"(人民政府|政府|门户网站)$", p)]
    return pieces[0] if pieces else None


def _step(text: str, url: str) -> int:
    for depth, pattern in _STEPS:
        if pattern.search(text):
            return depth
    path = urlsplit(url).path
    if len(text) <= 10:
        for depth, pattern in _STEP_SLUGS:
            if pattern.search(path) and re.search(r"公开|目录|信息", text):
                return depth
    return 0


def site_code(html: str) -> str | None:
    """The site's 网站标识码: meta SiteIDCode, the footer, or the 找错 widget."""
    for pattern in _SITE_CODE:
        m = pattern.search(html)
        if m:
            return m.group(1)
    return None

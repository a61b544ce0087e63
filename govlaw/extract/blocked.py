"""Pages that are not the page: WAF challenges, rate-limit notices, login
walls and soft 404s (an error page served with status 200).

govlaw does not try to get past any of them. It recognises them so they are
never read as documents, never taken as a withdrawal by mistake (a WAF page
is not a deleted report) and are reported per portal with a plain reason.
"""
from __future__ import annotations

import re

# Markers of challenge pages from the WAFs and anti-bot layers Chinese
# government portals use (Ruishu 412 pages, Jiasule, Aliyun, Yunsuo, Safedog,
# Knownsec) and of generic "turn on JavaScript" walls.
_WAF = re.compile(
    r"\$_ts\s*=|__jsl_clearance|acw_sc__v2|acw_tc|yunsuo_session|安全狗|云锁|知道创宇|创宇盾|网站防火墙|"
    r"Web\s*应用防火墙|WAF|检测到.{0,10}(异常|攻击)|疑似(攻击|恶意)|访问被(拦截|阻断|拒绝)|安全验证|人机验证|"
    r"滑动验证|请(开启|启用)\s*JavaScript|enable\s+JavaScript|browser\s+check|challenge-platform", re.I)
_RATE = re.compile(r"(访问|请求)(过于|太)频繁|访问频率过(高|快)|请稍后(再|重新)?(访问|试)|too many requests", re.I)
_LOGIN = re.compile(r"请(先)?登录|登录后(查看|访问|浏览)|用户登录|统一身份认证|账号密码登录")
_SOFT_404 = re.compile(
    r"页面不存在|页面未找到|找不到(该|您|此)?页面|您(所)?访问的(页面|信息|文章|内容)(不存在|已删除|已过期|已被删除)|"
    r"信息已(撤销|删除|下线)|文章已(删除|下线)|该信息不存在|404\s*(not\s*found|错误|页面)|^\s*404\s*$|"
    r"page\s+not\s+found", re.I)
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)
_CHALLENGE_STATUS = {403, 412, 418, 429, 503, 521, 567}


def classify(status: int, text: str, visible: str | None = None) -> str | None:
    """A reason code when the page is a block or an error page, else None.
    `text` is the raw HTML (scripts included), `visible` the visible text."""
    visible = visible if visible is not None else re.sub(r"<[^>]+>", " ", _SCRIPTS.sub(" ", text))
    size = len(re.sub(r"\s+", "", visible))
    short, bare = size < 600, size < 200
    head = text[:20000]
    title = _TITLE.search(head)
    title = title.group(1) if title else ""
    if status == 429 or (short and _RATE.search(visible)):
        return "blocked:rate_limited"
    if (status in _CHALLENGE_STATUS or bare) and _WAF.search(head):
        return "blocked:waf"
    if status in (412, 521) and "<script" in head.lower():
        return "blocked:waf"  # a script that sets a cookie and reloads: a JS challenge
    if short and _LOGIN.search(visible) and re.search(r"type=[\"']?password", head, re.I):
        return "blocked:login"
    if status in (403, 401):
        return "blocked:forbidden"
    if _SOFT_404.search(title) or (short and _SOFT_404.search(visible)):
        return "page:soft_404"
    return None

"""Site search (tests/search): for each family, the request a page declares and
the hits and further pages of its answer, through govlaw.discovery.search."""
from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from govlaw.discovery.search import QUERY, SearchRequest, find_search, read_answer

HERE = Path(__file__).parent
FOLDERS = sorted(p for p in (HERE / "search").iterdir() if (p / "expected.json").exists())


def load(folder: Path):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    answer = next(folder / name for name in ("answer.json", "answer.html") if (folder / name).exists())
    return meta, expected, (folder / "page.html").read_text(encoding="utf-8"), answer.read_text(encoding="utf-8")


def shape(request) -> dict:
    """A request as compared: method, scheme, host, path, the query as sorted pairs,
    the form and the JSON body as mappings, the headers."""
    if isinstance(request, SearchRequest):
        url, method = request.url, request.method
        form, body, headers = dict(request.formdata), json.loads(request.json) if request.json else {}, \
            dict(request.headers)
    else:
        url, method = request["url"], request["method"]
        form, body, headers = request.get("formdata") or {}, request.get("json") or {}, request.get("headers") or {}
    parts = urlsplit(url)
    return {"method": method, "scheme": parts.scheme, "host": parts.netloc, "path": parts.path,
            "query": sorted(parse_qsl(parts.query, keep_blank_values=True)), "form": form, "json": body,
            "headers": headers}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_request_the_page_declares(folder):
    meta, expected, page, _ = load(folder)
    request = find_search(page, meta["url"])
    assert request is not None
    assert shape(request) == shape(expected["request"])
    assert request.page == 1


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_hits_and_further_pages(folder):
    meta, expected, page, answer = load(folder)
    request = find_search(page, meta["url"])
    entries, follow = read_answer(answer, request)
    assert [asdict(e) for e in entries] == expected["results"]
    assert [shape(f) for f in follow] == [shape(f) for f in expected["follow"]]
    assert [f.page for f in follow] == list(range(2, len(follow) + 2))
    assert all(f.family == request.family and f.kind == request.kind for f in follow)
    # a further page's answer asks for no more pages
    assert read_answer(answer, follow[0])[1] == [] if follow else True


# --- a home page's form leads to a search page, whose script declares the search ------

HOMES = {  # a home page whose form opens the search page of the folder
    "sogov_token_shell": ("http://www.lanchuan.gov.cn/", """<html><body><a href="/zwgk/">政务公开</a>
<form action="/so/s" method="get" target="_blank"><input type="hidden" name="siteCode" value="6112000005">
<input type="hidden" name="tab" value="all"><input type="text" name="qt" id="qt"><button type="submit">搜索</button>
</form></body></html>"""),
    "anhui_site_label": ("https://www.wanlan.gov.cn/", """<html><body><form action="/site/search/6789455"
method="get" target="_blank"><input type="text" name="keywords" placeholder="请输入关键词"><input type="submit"
value="搜索"></form></body></html>"""),
    "hanweb_jsearchfront_catesearch": ("http://www.luolan.gov.cn/", None),
}
SHELL_FAMILIES = {"sogov_token_shell": "sogov-page", "anhui_site_label": "anhui-label-page",
                  "hanweb_jsearchfront_catesearch": "hanweb-jsearchfront-page"}


@pytest.mark.parametrize("name", sorted(HOMES))
def test_home_form_to_search_page_to_search(name):
    meta, expected, shell, _ = load(HERE / "search" / name)
    home_url, home = HOMES[name]
    page_request = SearchRequest(meta["url"], family=SHELL_FAMILIES[name], kind="html")
    if home is not None:
        first = find_search(home, home_url)
        assert (first.family, first.kind, first.method) == (page_request.family, "html", "GET")
        assert shape(first) == shape({"url": meta["url"], "method": "GET"})
    entries, nxt = read_answer(shell, page_request)
    assert entries == [] and len(nxt) == 1
    assert shape(nxt[0]) == shape(expected["request"])
    blank = read_answer("<html><body>维护中</body></html>", page_request)
    if name == "hanweb_jsearchfront_catesearch":  # the search.do address itself carries websiteid, cateid, tpl
        assert blank[0] == [] and len(blank[1]) == 1
    else:  # a search page that declares nothing leads nowhere
        assert blank == ([], [])


def test_search_page_reached_by_script_link_and_footer_code():
    script = """<html><body><input id="kw"><script>function go(){ var temp = document.getElementById('kw').value;
    window.open('http://www.bjchy.gov.cn/so/s?siteCode=1101050069&qt='+encodeURIComponent(temp)); }</script>
    </body></html>"""
    request = find_search(script, "http://www.bjchy.gov.cn/")
    assert shape(request)["query"] == sorted([("siteCode", "1101050069"), ("qt", QUERY)])
    bare = '<form action="/so/s"><input name="qt"></form>'
    assert find_search(bare, "http://www.x.gov.cn/") is None  # no site code anywhere
    request = find_search(bare, "http://www.x.gov.cn/", site_code="1101050069")
    assert dict(shape(request)["query"]) == {"siteCode": "1101050069", "qt": QUERY}


DISCOVERY_FAMILIES = {"sogov": "sogov-page", "hanweb-jsearchfront": "hanweb-jsearchfront-page",
                      "trs-was5": "trs-was5"}


@pytest.mark.parametrize("folder", sorted(p for p in (HERE / "discovery").iterdir()
                                          if (p / "expected.json").exists()), ids=lambda p: p.name)
def test_search_forms_of_the_discovery_pages(folder):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    declared = json.loads((folder / "expected.json").read_text(encoding="utf-8")).get("search")
    request = find_search((folder / "page.html").read_text(encoding="utf-8"), meta["url"])
    if not declared or declared["family"] not in DISCOVERY_FAMILIES:
        # gd-search and trs-irs want an XSRF cookie or a signed body no page shows: not asked, rather than asked wrong
        assert request is None
        return
    assert request.family == DISCOVERY_FAMILIES[declared["family"]]
    if request.method == "GET":
        assert shape(request) == shape({"url": declared["url"], "method": "GET"})
    else:  # a POST form: the form's action
        assert request.url == declared["url"]


# --- unit cases -----------------------------------------------------------------------------

def test_a_page_without_search():
    page = """<html><body><form action="/login.do" method="post"><input name="user"><input name="pwd"></form>
    <a href="/zwgk/">政务公开</a><script>var siteId = "7"; var pageSize = 10;</script></body></html>"""
    assert find_search(page, "http://www.x.gov.cn/") is None
    assert find_search("", "http://www.x.gov.cn/") is None


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
@pytest.mark.parametrize("answer", ["{not json", "[]", '{"data": "x", "page": [1], "result": 5, "resultDocs": {}}',
                                    "<html><body><p>没有找到相关结果</p></body></html>", ""])
def test_malformed_answers_give_nothing(folder, answer):
    meta, _, page, _ = load(folder)
    request = find_search(page, meta["url"])
    assert read_answer(answer, request) == ([], [])


def test_stale_sogov_token_gives_nothing():
    meta, _, page, answer = load(HERE / "search" / "sogov_token_shell")
    request = find_search(page, meta["url"])
    assert read_answer('{"ok": false, "msg": "token invalid"}', request) == ([], [])


def test_titles_lose_highlight_markup():
    request = SearchRequest("https://www.x.gov.cn/igs/front/search.jhtml?pageNumber=1&pageSize=10", family="trs-igs")
    answer = {"page": {"total": 3, "content": [
        {"title": "<em>法治政府建设</em>年度<font color='#b21510'>报告</font>", "url": "/a/1.html",
         "trs_time": "2026-03-24"},
        {"title": "X市<span class='red'>法治政府</span>建设 &amp; 依法行政", "url": "https://y.gov.cn/2.html"},
        {"title": "无地址", "url": ""}]}}
    entries, follow = read_answer(json.dumps(answer, ensure_ascii=False), request)
    assert [(e.url, e.title, e.date) for e in entries] == [
        ("https://www.x.gov.cn/a/1.html", "法治政府建设年度报告", "2026-03-24"),
        ("https://y.gov.cn/2.html", "X市法治政府建设 & 依法行政", None)]
    assert follow == []


def test_further_pages_are_capped():
    meta, expected, page, _ = load(HERE / "search" / "sogov_token_shell")
    request = find_search(page, meta["url"])
    answer = json.loads((HERE / "search" / "sogov_token_shell" / "answer.json").read_text(encoding="utf-8"))
    answer["data"]["search"]["totalHits"] = 5000
    _, follow = read_answer(json.dumps(answer), request)
    assert [dict(f.formdata)["page"] for f in follow] == [str(n) for n in range(2, 11)]
    assert read_answer(json.dumps(answer), replace(request, page=3))[1] == []

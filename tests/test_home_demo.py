"""The demo portals given by home page only (govlaw.demo.homes) serve what
discovery needs to meet: home pages with their chrome, the way down to each
report column, a site search, a justice bureau on a host of its own, a column
that moves, Guangdong's catalogue. Servers only — crawling them from their
home pages is discovery's own test."""
from __future__ import annotations

import html
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections import deque
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
import yaml

from govlaw.demo.catalog import load_documents
from govlaw.demo.homes import HomePortals

Q = "法治政府建设年度报告"
_LINK = re.compile(r"<(a|option)\s([^>]*)>(.*?)</(?:a|option)>", re.S)
_ATTR = re.compile(r"(href|value|title)=\"([^\"]*)\"")
_DOC = re.compile(r"/t\d{8}_\d+\.html$|/art_\d+_\d+\.html$|/post_\d+\.html$")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, form: dict | None = None):
    """(status, headers, text); GBK pages are read as GBK."""
    data = urlencode(form).encode("utf-8") if form is not None else None
    url = quote(url, safe=":/?&=%#;,+@")  # links may carry raw Chinese (Hanweb's webname=)
    try:
        reply = _OPENER.open(urllib.request.Request(url, data=data), timeout=10)
        status, headers, body = reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as err:
        status, headers, body = err.code, err.headers, err.read()
    charset = "gbk" if b'charset=gb2312"' in body[:400] else "utf-8"
    return status, headers, body.decode(charset)


def links(page: str, base: str) -> list[tuple[str, str]]:
    """(absolute address, text) of each <a href> and <option value> link; the
    title attribute is the text where there is one (listings cut long titles)."""
    out = []
    for tag, attrs, label in _LINK.findall(page):
        attrs = dict(_ATTR.findall(attrs))
        href = html.unescape(attrs.get("href" if tag == "a" else "value", ""))
        if href and not href.startswith(("javascript:", "#")):
            text = html.unescape(attrs.get("title") or re.sub(r"<[^>]+>", "", label)).strip()
            out.append((urljoin(base, href), text))
    return out


def linked(page: str, base: str, text: str) -> list[str]:
    """The addresses the page links under this text, each once."""
    return sorted({url for url, label in links(page, base) if label == text})


@pytest.fixture(scope="module")
def homes():
    with HomePortals() as portals:
        yield portals


def test_sources_name_home_pages_only(homes, tmp_path):
    path = tmp_path / "homes.yaml"
    homes.write_sources(path)
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e["id"] for e in entries] == ["lixi", "sangqian", "tiaoxi", "jihe", "hejiang"]
    for entry in entries:
        assert set(entry) == {"id", "name", "region_code", "home_url"}
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", entry["home_url"])
    assert len({e["home_url"] for e in entries}) == 5
    from govlaw import sources
    loaded = sources.load(path)
    assert [p.home_url for p in loaded] == [e["home_url"] for e in entries]
    assert all(not p.start_urls for p in loaded)


@pytest.mark.parametrize("portal", ["lixi", "sangqian", "tiaoxi", "jihe", "hejiang"])
def test_home_page_carries_real_chrome(homes, portal):
    home = homes.home_url(portal)
    status, headers, page = fetch(home)
    assert status == 200
    found = links(page, home)
    assert len(found) >= 100, len(found)
    code = homes.site(portal).cfg["site_id_code"]
    assert f'<meta name="SiteIDCode" content="{code}">' in page
    assert re.search(r"网站标识码：\s*" + code, page)
    assert "<form" in page  # a site search box
    assert any(urlsplit(u).netloc != urlsplit(home).netloc for u, _ in found)  # friend links, provinces …
    news = [u for u, text in found if "法治政府建设" in text and _DOC.search(urlsplit(u).path)]
    assert news, "news items naming 法治政府建设 that are documents, not columns"
    for url in news:
        assert fetch(url)[0] == 200
    assert fetch(home + "robots.txt")[0] == 200


def test_navigation_chain_to_a_trs_column_in_gbk(homes):
    base = homes.base_url("lixi")
    status, headers, home = fetch(base + "/")
    assert headers["Content-Type"] == "text/html" and 'charset=gb2312"' in home  # GBK, no charset header
    assert './zwgk/' in home and linked(home, base + "/", "政务公开") == [base + "/zwgk/"]
    assert base + "/zwgk/bmxxgk/xsfj/" in [u for u, t in links(home, base + "/") if t == "县司法局"]  # an <option>
    _, _, zwgk = fetch(base + "/zwgk/")
    assert linked(zwgk, base + "/zwgk/", "法定主动公开内容") == [base + "/zwgk/fdzdgknr/"]
    _, _, catalog = fetch(base + "/zwgk/fdzdgknr/")
    categories = [u for u, _ in links(catalog, base + "/zwgk/fdzdgknr/")
                  if re.fullmatch(re.escape(base) + r"/zwgk/(fdzdgknr/)?\w+/", u)]
    assert len(set(categories)) >= 30
    column = base + "/zwgk/fdzdgknr/fzzfjsndbg/"
    assert linked(catalog, base + "/zwgk/fdzdgknr/", "法治政府建设年度报告") == [column]
    lookalike = linked(catalog, base + "/zwgk/fdzdgknr/", "政府信息公开年报")[0]
    assert fetch(lookalike)[0] == 200
    _, _, first = fetch(column)
    assert 'createPageHTML(2, 0, "index", "html");' in first
    _, _, second = fetch(column + "index_1.html")
    assert 'createPageHTML(2, 1, "index", "html");' in second
    assert fetch(column + "index_2.html")[0] == 404
    entries = {t: u for u, t in links(first, column) + links(second, column + "index_1.html")
               if _DOC.search(urlsplit(u).path) and u.startswith(column)}
    assert homes.expected(1)["lixi"] <= set(entries)
    assert set(entries) - homes.expected(1)["lixi"], "look-alikes listed beside the reports"
    for title in homes.expected(1)["lixi"]:
        status, _, article = fetch(entries[title])
        assert status == 200 and f"<title>{title}_澧溪县人民政府</title>" in article


def _reachable(base: str, limit: int = 400) -> dict[str, str]:
    """Every page of the host reachable by links from its home page (documents
    are fetched but not followed)."""
    seen, queue, pages = {base + "/"}, deque([base + "/"]), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        status, _, page = fetch(url)
        pages[url] = page
        if status != 200 or _DOC.search(urlsplit(url).path):
            continue
        for target, _ in links(page, url):
            target = target.split("#")[0]
            if target.startswith(base + "/") and target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


def test_search_only_portal_hides_its_column_and_answers_the_query_form(homes):
    base = homes.base_url("sangqian")
    pages = _reachable(base)
    assert len(pages) > 60
    assert not [u for u, p in pages.items() if "/col/col8812/" in p or "art_8812_" in p or "/col/col8812/" in u]
    assert '"id": "8812", "name": "其他文件"' in pages[base + "/col/col8810/index.html"]  # drawn by script only
    status, _, shell = fetch(base + "/so/s?" + urlencode({"siteCode": "1313000003", "tab": "all", "qt": Q}))
    assert status == 200
    assert '<input type="hidden" id="siteCode" value="1313000003">' in shell
    assert '<input type="hidden" id="locationCode" value="131300">' in shell
    assert f'var searchUrl = "{base}/query/s";' in shell and "var pageSize = 10;" in shell
    form = {"siteCode": "1313000003", "tab": "all", "qt": Q, "keyPlace": "0", "sort": "relevance", "fileType": "",
            "timeOption": "0", "locationCode": "131300", "page": "1", "pageSize": "10"}
    status, headers, text = fetch(base + "/query/s", form)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    answer = json.loads(text)
    assert answer["ok"] is True and answer["totalHits"] == answer["currentHits"] == len(answer["resultDocs"])
    hits = [d["data"] for d in answer["resultDocs"]]
    for hit in hits:
        assert set(hit) >= {"title", "titleO", "url", "docDate", "summary"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", hit["docDate"])
        assert hit["title"].replace("<em>", "").replace("</em>", "") == hit["titleO"]
        assert fetch(hit["url"])[0] == 200
    titles = {h["titleO"] for h in hits}
    assert homes.expected(1)["sangqian"] <= titles
    assert any("政府信息公开工作年度报告" in t for t in titles) and any(t.startswith("市司法局部署") for t in titles)
    assert any("/col/col8812/" not in h["url"] and "art_8812_" not in h["url"] for h in hits)  # mixed columns
    paged = [json.loads(fetch(base + "/query/s", {**form, "pageSize": "2", "page": str(n)})[2]) for n in (1, 2)]
    assert paged[0]["totalHits"] == answer["totalHits"] and paged[0]["resultDocs"] != paged[1]["resultDocs"]
    assert fetch(base + "/query/s")[0] == 405
    assert json.loads(fetch(base + "/query/s", {**form, "siteCode": ""})[2])["ok"] is False


def test_justice_bureau_on_a_host_of_its_own(homes):
    www, sfj = homes.base_url("tiaoxi"), homes.base_url("tiaoxi", "sfj")
    assert urlsplit(www).netloc != urlsplit(sfj).netloc
    for path in ("/col/col2060/index.html", "/col/col2001/index.html", "/col/col2030/index.html"):
        _, _, page = fetch(www + path)
        assert linked(page, www + path, "市司法局") == [sfj + "/"]
    assert homes.home_url("tiaoxi").rstrip("/") == www
    pages = _reachable(www, limit=250)
    reports = homes.expected(1)["tiaoxi"]
    assert not [u for u, p in pages.items() if any(t in p for t in reports)], "the portal itself lists no report"
    _, _, home = fetch(sfj + "/")
    assert linked(home, sfj + "/", "法治政府建设")[0] == sfj + "/fzzfjs/"
    titles = set()
    for url in (sfj + "/fzzfjs/", sfj + "/fzzfjs/index_2.html"):
        status, _, page = fetch(url)
        assert status == 200
        titles |= {t for u, t in links(page, url) if _DOC.search(urlsplit(u).path)}
    assert reports <= titles and titles - reports
    # the portal's own search knows the portal's pages only
    status, _, shell = fetch(www + "/jsearchfront/search.do?" + urlencode({"websiteid": "331200000000000", "q": Q}))
    assert status == 200 and 'name="websiteid" id="websiteid" value="331200000000000"' in shell
    form = {"websiteid": "331200000000000", "q": Q, "p": "1", "pg": "12", "cateid": "15500", "pos": "title,content",
            "pq": "", "oq": "", "eq": "", "begin": "", "end": "", "tpl": "1412"}
    answer = json.loads(fetch(www + "/jsearchfront/interfaces/cateSearch.do", form)[2])
    assert answer["total"] == len(answer["result"]) >= 1
    urls = [re.search(r'jcse-news-url"><a [^>]*>([^<]+)</a>', r).group(1) for r in answer["result"]]
    assert all(u.startswith(www + "/") for u in urls)
    assert not reports & {re.sub(r"<[^>]+>", "", re.search(r"jcse-news-title\"><a [^>]*>(.*?)</a>", r).group(1))
                          for r in answer["result"]}
    visit = re.search(r'href="(visit/link\.do\?[^"]+)"', answer["result"][0]).group(1)
    status, headers, _ = fetch(www + "/jsearchfront/" + html.unescape(visit))
    assert status == 302 and headers["Location"] == urls[0]


def test_gkmlpt_catalogue_behind_navigation(homes):
    base = homes.base_url("hejiang")
    _, _, zwgk = fetch(base + "/zwgk/")
    assert linked(zwgk, base + "/zwgk/", "法治政府建设年度报告") == [base + "/gkmlpt/index#3120"]
    assert linked(zwgk, base + "/zwgk/", "政府信息公开年报") == [base + "/gkmlpt/index#3125"]
    _, _, shell = fetch(base + "/gkmlpt/index")
    config = re.search(r"window\._CONFIG = \{SID: '766001', TREE: (\[.*\]), SERVICE_AREA_ID", shell)
    tree = json.loads(config.group(1))
    names = {}
    stack = list(tree)
    while stack:
        node = stack.pop()
        names[node["id"]] = node["name"]
        stack.extend(node["children"])
    assert names[3120] == "法治政府建设年度报告" and names[3125] == "政府信息公开年报" and len(names) > 10
    answer = json.loads(fetch(base + "/gkmlpt/api/all/3120?page=1&sid=766001")[2])
    titles = {a["title"]: a["url"] for a in answer["articles"]}
    assert answer["total"] == len(answer["articles"]) and homes.expected(1)["hejiang"] <= set(titles)
    for url in titles.values():
        assert fetch(base + url)[0] == 200
    assert json.loads(fetch(base + "/gkmlpt/api/all/3104?page=1&sid=766001")[2])["total"] == 0
    assert fetch(base + "/gkmlpt/api/all/3120?page=1&sid=1")[0] == 404


def test_second_state_adds_one_report_and_moves_a_column():
    old = "/jhqzf/zwgk_30110/gzbg/fzzfjsndbg/"
    other = "/jhqzf/zwgk_30110/zfxxgk_qzf1/qzf1/fdzdgknr2/qtfdgkxx2/"
    with HomePortals() as homes:
        one, two = homes.expected(1), homes.expected(2)
        assert all(len(two[p] - one[p]) == 1 and one[p] <= two[p] for p in one)
        base = homes.base_url("jihe")
        _, _, zwgk = fetch(base + "/jhqzf/zwgk_30110/")
        assert linked(zwgk, base + "/jhqzf/zwgk_30110/", "法治政府建设年度报告") == [base + old]
        _, _, listing = fetch(base + old)
        before = {t: u for u, t in links(listing, base + old) if _DOC.search(urlsplit(u).path)}
        assert set(before) == one["jihe"]
        homes.set_state(2)
        assert homes.base_url("jihe") == base  # same addresses
        for path in (old, old + "index.html"):
            status, headers, _ = fetch(base + path)
            assert status == 302 and headers["Location"] == base + "/"
        assert all(fetch(url)[0] == 404 for url in before.values())
        _, _, zwgk = fetch(base + "/jhqzf/zwgk_30110/")
        assert not linked(zwgk, base + "/jhqzf/zwgk_30110/", "法治政府建设年度报告")
        catalog = base + "/jhqzf/zwgk_30110/zfxxgk_qzf1/qzf1/fdzdgknr2/"
        _, _, page = fetch(catalog)
        assert linked(page, catalog, "其他法定公开信息") == [base + other]
        titles = set()
        for url in (base + other, base + other + "index_1.html"):
            status, _, page = fetch(url)
            assert status == 200
            titles |= {t for u, t in links(page, url) if _DOC.search(urlsplit(u).path) and u.startswith(base + other)}
        assert two["jihe"] <= titles
        # the other portals: the new report is where the old ones are
        new = {p: (two[p] - one[p]).pop() for p in two}
        lixi = homes.base_url("lixi") + "/zwgk/fdzdgknr/fzzfjsndbg/"
        assert new["lixi"] in fetch(lixi)[2]
        search = {"siteCode": "1313000003", "qt": Q, "page": "1", "pageSize": "20"}
        hits = json.loads(fetch(homes.base_url("sangqian") + "/query/s", search)[2])["resultDocs"]
        assert new["sangqian"] in {h["data"]["titleO"] for h in hits}
        assert new["tiaoxi"] in fetch(homes.base_url("tiaoxi", "sfj") + "/fzzfjs/")[2]
        api = json.loads(fetch(homes.base_url("hejiang") + "/gkmlpt/api/all/3120?sid=766001")[2])
        assert new["hejiang"] in {a["title"] for a in api["articles"]}
        homes.set_state(1)
        assert fetch(base + old)[0] == 200


def test_request_log_per_portal(homes):
    homes.clear_requests()
    base = homes.base_url("sangqian")
    fetch(base + "/so/s?siteCode=1313000003&qt=x")
    fetch(base + "/query/s", {"siteCode": "1313000003", "qt": Q, "page": "1"})
    fetch(homes.base_url("tiaoxi", "sfj") + "/fzzfjs/")
    hits = homes.requests("sangqian")
    assert [(h.method, h.path) for h in hits] == [("GET", "/so/s"), ("POST", "/query/s")]
    assert hits[0].query == {"siteCode": "1313000003", "qt": "x"} and hits[1].form["qt"] == Q
    [sfj] = homes.requests("tiaoxi")
    assert sfj.host == urlsplit(homes.base_url("tiaoxi", "sfj")).netloc and sfj.path == "/fzzfjs/"
    assert homes.requests("lixi") == []


def test_reports_are_distinct_texts_of_their_own_governments(homes):
    reports = [d for d in homes.documents(2) if d.is_report]
    assert len(reports) == 17
    bodies = [d.body for d in reports] + [d.body for d in load_documents(state=2) if d.is_report]
    assert len(set(bodies)) == len(bodies)
    names = {p["id"]: p["name"][:2] for p in homes.config}
    for doc in reports:
        assert names[doc.portals[0]] in doc.title + doc.body[:200], doc.slug


def test_serve_command_prints_home_pages():
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "govlaw.demo.homes", "serve", "--base-port", "0"],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = [proc.stdout.readline() for _ in range(6)]
        homes = re.findall(r"(http://127\.0\.0\.1:\d+/)\s+\(", "".join(lines))
        assert len(homes) == 5, lines
        assert fetch(homes[0])[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0

"""Shapes real portals serve that a simple picture of a portal misses, crawled
with the real engine from a loopback portal:

- an article split over three pages (TRS: t…_1.html, t…_2.html and a
  createPageHTML count) and one over two (下一页 → ?page=2), the signature on
  the last page;
- a cover page whose 点击下载 link is a download script answering
  application/octet-stream, the file's name only in Content-Disposition
  (RFC 5987 filename*), and a listing entry that is itself a download-script
  file named in raw GBK in Content-Disposition;
- a real report shorter than 600 characters.
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from conftest import crawl, read_jsonl
from govlaw.extract import attachments as files

FIXTURES = Path(__file__).parent / "fixtures" / "attachments"
GOLD = (FIXTURES / "report_text.txt").read_text(encoding="utf-8").strip()
GOLD_PARAS = GOLD.split("\n\n")

CHROME_TOP = ('<div class="crumb">您当前所在位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>'
              '<div class="tools">【字体：大 中 小】 打印本页 关闭窗口</div>')
FOOTER = '<div class="footer">主办单位：清河县人民政府办公室 网站标识码：1301230001 冀ICP备12345678号</div>'


def article(title: str, paragraphs: list[str], pager: str = "", script: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html><head><meta charset="utf-8"><title>{title}_清河县人民政府</title>'
            f'<meta name="PubDate" content="2024-03-28 09:00"></head><body>{CHROME_TOP}'
            f'<h2 class="title">{title}</h2><div class="info">发布时间：2024-03-28 09:00 来源：清河县司法局</div>'
            f'<div class="TRS_Editor">{body}</div>{script}<div class="page">{pager}</div>'
            f'<div class="next">下一篇：<a href="./t20240401_999.html">清河县召开法治政府建设工作会议</a></div>'
            f'{FOOTER}</body></html>').encode("utf-8")


SPLIT_TITLE = "清河县人民政府关于2023年度法治政府建设情况的报告"
PAGED_TITLE = "南宫市2023年法治政府建设年度报告"
PAGED_BODY = [
    "2023年，南宫市紧紧围绕法治政府建设实施纲要确定的目标任务，统筹推进依法行政各项工作。现将有关情况报告如下。",
    "一、主要举措和成效",
    "（一）优化营商环境。全面落实市场准入负面清单制度，清理涉企收费事项23项，新设市场主体登记时间压缩至半个工作日。",
    "（二）规范执法行为。开展行政执法案卷评查两轮，评查案卷312卷，发现并整改问题41个，组织执法人员培训6期。",
    "二、存在的不足和原因",
    "基层执法力量仍显薄弱，部分乡镇法治审核人员专业化程度不高，行政复议纠错后的整改跟踪还不够及时。",
    "三、党政主要负责人履行推进法治建设第一责任人职责情况",
    "市政府主要负责同志主持召开常务会议专题研究法治政府建设4次，带头讲授法治专题课，听取重点部门述法报告。",
    "四、2024年工作安排",
    "2024年，南宫市将深化行政执法协调监督体系建设，推进乡镇综合行政执法规范化，持续提升依法行政水平。",
    "南宫市人民政府",
    "2024年3月25日",
]
SHORT_TITLE = "马厂镇2023年法治政府建设情况报告"
SHORT_BODY = ["2023年，马厂镇坚持以习近平法治思想为指导，严格落实党政主要负责人履行推进法治建设第一责任人职责，"
              "全年开展法治宣传12场，调解矛盾纠纷47件，行政执法案卷全部合格。",
              "下一步，我镇将继续加强依法行政，提升基层法治水平。", "马厂镇人民政府", "2024年3月20日"]
STUB_TITLE = "清河县2023年法治政府建设年度报告（扫描下载）"
FILE_NAME = "清河县2023年法治政府建设年度报告.pdf"
DIRECT_TITLE = "清河县人民政府2023年法治政府建设年度报告（文字版）"


def listing(entries: list[tuple[str, str]]) -> bytes:
    items = "".join(f'<li><a href="{href}">{title}</a><span>2024-03-28</span></li>' for href, title in entries)
    return (f'<html><head><meta charset="utf-8"><title>法治政府建设年度报告</title></head><body>'
            f'<ul class="list">{items}</ul>{FOOTER}</body></html>').encode("utf-8")


def pages(base: str) -> dict[str, tuple[bytes, dict]]:
    thirds = [GOLD_PARAS[:3], GOLD_PARAS[3:6], GOLD_PARAS[6:]]
    trs_pager = ('<script>createPageHTML(3, {cur}, "t20240328_101", "html");</script>'
                 '<a href="t20240328_101.html">1</a> <a href="t20240328_101_1.html">2</a> '
                 '<a href="t20240328_101_2.html">3</a>')
    half = len(PAGED_BODY) // 2
    html = {"Content-Type": "text/html; charset=utf-8"}
    out = {
        # Three columns, crawled one at a time: the three files hold one text,
        # which would rightly be merged into one report if crawled together.
        "/gk/index.html": (listing([("../202403/t20240328_101.html", SPLIT_TITLE),
                                    ("../content.jsp?id=202&amp;cat=9", PAGED_TITLE),
                                    ("../202403/t20240329_103.html", SHORT_TITLE)]), html),
        "/fj/index.html": (listing([("../202403/t20240329_104.html", STUB_TITLE)]), html),
        "/wj/index.html": (listing([("../attach/download.do?fileId=9", DIRECT_TITLE)]), html),
        "/202403/t20240328_101.html": (article(SPLIT_TITLE, thirds[0], trs_pager.format(cur=0)), html),
        "/202403/t20240328_101_1.html": (article(SPLIT_TITLE, thirds[1], trs_pager.format(cur=1)), html),
        "/202403/t20240328_101_2.html": (article(SPLIT_TITLE, thirds[2], trs_pager.format(cur=2)), html),
        "/content.jsp?id=202&cat=9": (article(PAGED_TITLE, PAGED_BODY[:half],
                                              '共2页 <a href="content.jsp?id=202&amp;cat=9&amp;page=2">下一页</a>'), html),
        "/content.jsp?id=202&cat=9&page=2": (article(PAGED_TITLE, PAGED_BODY[half:],
                                                     '<a href="content.jsp?id=202&amp;cat=9">上一页</a> 共2页'), html),
        "/202403/t20240329_103.html": (article(SHORT_TITLE, SHORT_BODY), html),
        "/202403/t20240329_104.html": (article(STUB_TITLE, ["详见附件。"],
                                               '附件：<a href="/module/download/downfile.jsp?classid=0&amp;id=77">点击下载</a>'), html),
        "/module/download/downfile.jsp?classid=0&id=77": ((FIXTURES / "report.pdf").read_bytes(), {
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(FILE_NAME)}"}),
        "/attach/download.do?fileId=9": ((FIXTURES / "report.docx").read_bytes(), {
            "Content-Type": "application/octet-stream",
            "Content-Disposition": "attachment; filename=\"报告全文.docx\"".encode("gbk").decode("latin-1")}),
    }
    return out


class _Portal(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/robots.txt":
            return self._send(404, b"", {})
        data, headers = self.routes.get(self.path, (None, None))
        if data is None:
            return self._send(404, b"not found", {"Content-Type": "text/plain"})
        self._send(200, data, headers)

    def _send(self, status, data, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Portal.routes = pages(base)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = tmp_path_factory.mktemp("shapes")
    got = {}
    for column in ("gk", "fj", "wj"):
        sources = root / f"{column}.yaml"
        sources.write_text(yaml.safe_dump([{"id": "qinghe", "name": "清河县人民政府", "region_code": "130123",
                                            "start_urls": [f"{base}/{column}/index.html"]}], allow_unicode=True),
                           encoding="utf-8")
        result = crawl(sources, root / column)
        assert result.returncode == 0, result.stderr[-3000:]
        got.update({r["title"]: r for r in read_jsonl(root / column / "reports.jsonl")})
    server.shutdown()
    return base, got


def test_every_shape_gives_its_report(reports):
    _, got = reports
    assert sorted(got) == sorted([SPLIT_TITLE, PAGED_TITLE, SHORT_TITLE, STUB_TITLE, DIRECT_TITLE])


def test_split_articles_are_joined_at_the_first_address(reports):
    base, got = reports
    split, paged = got[SPLIT_TITLE], got[PAGED_TITLE]
    assert split["body"] == GOLD and paged["body"] == "\n\n".join(PAGED_BODY)
    assert split["url"] == base + "/202403/t20240328_101.html"
    assert paged["url"] == base + "/content.jsp?cat=9&id=202"  # the canonical form: parameters sorted
    # The signature block is on the last page: it names the issuer and the date.
    assert (split["publisher"], split["signed_date"], split["missing_parts"]) == ("清河县人民政府", "2024-03-20", ["other"])
    assert (paged["publisher"], paged["signed_date"], paged["missing_parts"]) == ("南宫市人民政府", "2024-03-25", ["other"])


def test_short_report_is_a_report(reports):
    _, got = reports
    short = got[SHORT_TITLE]
    assert short["body"] == "\n\n".join(SHORT_BODY)
    assert (short["publisher"], short["report_year"], short["admin_level"]) == ("马厂镇人民政府", 2023, "township")


def test_download_scripts_are_read_by_their_bytes(reports):
    base, got = reports
    stub, direct = got[STUB_TITLE], got[DIRECT_TITLE]
    assert stub["body"] == GOLD and stub["body_source"] == "attachment"
    assert stub["attachments"] == [{"url": base + "/module/download/downfile.jsp?classid=0&id=77", "name": FILE_NAME,
                                    "media_type": "application/pdf", "status": "read"}]
    assert direct["body"] == GOLD and direct["body_source"] == "attachment"
    assert direct["attachments"] == [{
        "url": base + "/attach/download.do?fileId=9", "name": "报告全文.docx", "status": "read",
        "media_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}]


@pytest.mark.parametrize("header, name", [
    ("attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf", "报告.pdf"),
    ('attachment; filename="report.pdf"; filename*=utf-8\'\'%E6%8A%A5%E5%91%8A.pdf', "报告.pdf"),
    ("attachment; filename=%E6%8A%A5%E5%91%8A.docx", "报告.docx"),
    ("attachment; filename=%B1%A8%B8%E6.docx", "报告.docx"),  # percent-encoded GBK
    ('attachment; filename="报告.ofd"'.encode("gbk"), "报告.ofd"),
    ('attachment; filename="报告.ofd"'.encode("utf-8"), "报告.ofd"),
    ("inline", ""),
    (None, ""),
])
def test_content_disposition_names(header, name):
    assert files.disposition_name(header) == name


@pytest.mark.parametrize("url, name", [
    ("http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=1603a7b9.pdf", "1603a7b9.pdf"),
    ("http://x.gov.cn/attach/download.do?fileId=9", ""),
    ("http://x.gov.cn/files/%E6%8A%A5%E5%91%8A.docx", "报告.docx"),
    ("http://x.gov.cn/down.jsp?name=a/b/%E6%8A%A5%E5%91%8A.wps&id=3", "报告.wps"),
])
def test_file_names_in_addresses(url, name):
    assert files.name_from_url(url) == name


def test_kinds_come_from_bytes_before_names():
    pdf = (FIXTURES / "report.pdf").read_bytes()
    docx = (FIXTURES / "report.docx").read_bytes()
    assert files.kind_of("report.docx", pdf) == "pdf"
    assert files.kind_of("x.zip", docx) == "docx"
    assert files.kind_of("download.do?fileId=9", docx) == "docx"
    assert files.kind_of("报告.wps", (FIXTURES / "report.doc").read_bytes()) == "wps"
    assert files.kind_of("download.do?fileId=9", (FIXTURES / "report.doc").read_bytes()) == "doc"

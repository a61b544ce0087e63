"""Reports published only as files: a real crawl of a small loopback portal
whose report pages say 详见附件 and link a PDF, a DOCX or a DOC, and whose
listing links one PDF directly."""
from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import crawl, read_jsonl
from govlaw.extract import attachments as files

FIXTURES = Path(__file__).parent / "fixtures" / "attachments"
GOLD = (FIXTURES / "report_text.txt").read_text(encoding="utf-8").strip()

PAGE = """<html><head><meta charset="utf-8"><title>{title}-清河县人民政府</title>
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2024-03-28 09:00"></head>
<body><div class="crumb">您当前所在位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>
<h1>{title}</h1><div class="info">发布时间：2024-03-28 来源：清河县人民政府 浏览次数：12</div>
<div class="content"><p>详见附件。</p></div>
<div class="fj">相关附件：<a href="{file}">{name}</a></div>
<div class="footer">网站标识码：1301230001 冀ICP备12345678号</div></body></html>"""

LISTING = """<html><head><meta charset="utf-8"><title>法治政府建设年度报告</title></head><body>
<ul class="list">{items}</ul><div class="footer">网站标识码：1301230001</div></body></html>"""

REPORTS = {
    "a.html": ("清河县人民政府关于2023年度法治政府建设情况的报告", "files/report.pdf", "清河县2023年度报告.pdf"),
    "b.html": ("清河县人民政府2023年法治政府建设年度报告（文字版）", "files/report.docx", "报告全文.docx"),
    "c.html": ("清河县人民政府2022年法治政府建设年度报告", "files/report.doc", "报告全文.doc"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "files").mkdir()
    for name in ("report.pdf", "report.docx", "report.doc"):
        (root / "files" / name).write_bytes((FIXTURES / name).read_bytes())
    (root / "files" / "direct.pdf").write_bytes((FIXTURES / "report.pdf").read_bytes())
    items = []
    for page, (title, file, name) in REPORTS.items():
        (root / page).write_text(PAGE.format(title=title, file=file, name=name), encoding="utf-8")
        items.append(f'<li><a href="{page}" title="{title}">{title}</a><span>2024-03-28</span></li>')
    items.append('<li><a href="files/direct.pdf" title="清河县2023年法治政府建设年度报告（PDF）">'
                 '清河县2023年法治政府建设年度报告（PDF）</a><span>2024-03-29</span></li>')
    (root / "index.html").write_text(LISTING.format(items="".join(items)), encoding="utf-8")
    handler = partial(_Quiet, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    sources = root.parent / "files-sources.yaml"
    sources.write_text(yaml.safe_dump([{"id": "qinghe", "name": "清河县人民政府", "start_urls": [base + "index.html"],
                                        "region_code": "130123"}], allow_unicode=True), encoding="utf-8")
    yield base, sources
    server.shutdown()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def reports(site, tmp_path_factory):
    base, sources = site
    output = tmp_path_factory.mktemp("files-out")
    result = crawl(sources, output)
    assert result.returncode == 0, result.stderr[-3000:]
    return {r["title"]: r for r in read_jsonl(output / "reports.jsonl")}


def test_pdf_and_docx_bodies_and_unread_doc(reports, site):
    base, _ = site
    # a.html (PDF), b.html (DOCX) and the listed PDF carry one text: one report, three addresses.
    assert set(reports) == {"清河县人民政府关于2023年度法治政府建设情况的报告", "清河县人民政府2022年法治政府建设年度报告"}
    report = reports["清河县人民政府关于2023年度法治政府建设情况的报告"]
    assert report["urls"] == [base + "a.html", base + "b.html", base + "files/direct.pdf"]
    assert report["body"] == GOLD
    assert report["body_source"] == "attachment"
    assert (report["signed_date"], report["publisher"], report["report_year"]) == ("2024-03-20", "清河县人民政府", 2023)
    # The publisher 清河县人民政府 is 130534 in the national registry (the portal's 130123 is 正定县's).
    assert (report["publish_date"], report["region_code"], report["missing_parts"]) == ("2024-03-28", "130534", ["other"])
    assert [(a["name"], a["status"]) for a in report["attachments"]] == [
        ("清河县2023年度报告.pdf", "read"), ("报告全文.docx", "read"), ("清河县2023年法治政府建设年度报告（PDF）", "read")]
    assert report["portal"] == "qinghe" and report["url"] == base + "a.html"
    doc = reports["清河县人民政府2022年法治政府建设年度报告"]
    assert (doc["body"], doc["body_source"], doc["report_year"]) == ("", "none", 2022)
    assert doc["attachments"] == [{"url": base + "files/report.doc", "name": "报告全文.doc", "media_type": "application/msword",
                                   "status": "unread: binary Word (.doc) files are not read"}]


def test_hostile_files_give_reasons_not_exceptions():
    assert files.read(b"%PDF-1.7\n garbage", "x.pdf").error == "PDF could not be parsed: PdfStreamError"
    assert files.read(b"PK\x03\x04 not a zip", "x.docx").error == "DOCX could not be parsed: BadZipFile"
    assert files.read(b"", "x.wps").error == "WPS files are not read"
    assert files.read(b"abc", "x.bin").error == "unknown file type bin"


def test_attachment_names_lose_path_separators_and_control_characters():
    from govlaw.extract import extract_html

    page = ('<html><body><div class="content"><p>详见附件。</p></div>'
            '<a href="/f/x.pdf">..\\..\\etc/passwd\x07报告.pdf</a></body></html>').encode("utf-8")
    ex = extract_html(page, "http://127.0.0.1/a.html")
    assert ex.attachments == [{"url": "http://127.0.0.1/f/x.pdf", "name": "etc passwd报告.pdf",
                               "media_type": "application/pdf"}]

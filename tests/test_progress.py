"""Progress a person can follow: a `progress:` line every interval, a line
per portal as it finishes (govlaw.signals.portal_finished), a last line
that says where the output is — and no flood.

The crawl here is 100 portals on four loopback addresses (each one listing
page, every other one a report, three whose listing answers 404), with
GOVLAW_PROGRESS_INTERVAL=1 and pages answered after a short pause so the
run lasts a few seconds."""
from __future__ import annotations

import logging
import math
import random
import re
import time

import pytest
import yaml
from scrapy import Spider
from scrapy.utils.test import get_crawler

from conftest import crawl, read_jsonl
from govlaw import signals as govlaw_signals
from govlaw.progress import Progress, duration
from loopback import LoopbackPortal, Reply

PORTALS = 100
HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
BROKEN = {7, 41, 88}  # their listing answers 404
PAUSE = 0.06          # seconds before each answer

PROGRESS = re.compile(r"progress: portals (\d+)/(\d+), pages (\d+) \((\d+)/min\), reports (\d+), errors (\d+), "
                      r"time left (unknown|none|about \d+(?:s|m\d\ds|h\d\dm))$")
PORTAL_LINE = re.compile(r"portal (\d+)/(\d+) finished: (p\d{3}) (\S+) — (\d+) listing pages, (\d+) detail pages, "
                         r"(\d+) new, (\d+) updated, (\d+) withdrawn, (\d+) errors")
FINAL = re.compile(r"run finished \((\w+)\) in \S+: portals (\d+)/(\d+), pages (\d+), reports (\d+) \((\d+) new, "
                   r"(\d+) updated, (\d+) withdrawn\), errors (\d+); output in (\S+): (.*)$")

WORDS = ("依法 行政 决策 审查 执法 监督 复议 应诉 普法 宣传 规范 文件 清理 备案 合法性 制度 改革 服务 营商 环境 政务 公开 "
         "信息 平台 案件 调解 纠纷 基层 乡镇 街道 队伍 培训 考试 证件 公示 记录 审核 法制 顾问 律师 合同 协议 重大 事项 "
         "目录 听证 论证 评估 风险 责任 考核 督察 整改 问题 短板 弱项 能力 水平 体系 机制").split()


def _name(i: int) -> str:
    return f"测试{i:03d}县人民政府"


def _report_page(i: int) -> str:
    """A report of its own: sentences drawn from the words above by the
    portal's number, so no two portals' reports are near-duplicates."""
    rng, year, name = random.Random(i), 2019 + i % 6, _name(i)
    title = f"{name}{year}年法治政府建设年度报告"
    paragraphs = [f"{year}年，{name}深入推进依法行政，加快建设法治政府。现将{year}年法治政府建设情况报告如下："]
    for heading in (f"一、{year}年法治政府建设主要举措和成效", "二、存在的不足和原因",
                    "三、党政主要负责人履行推进法治建设第一责任人职责情况", f"四、{year + 1}年工作安排"):
        paragraphs.append(heading)
        for _ in range(2):
            paragraphs.append("".join("".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14)))
                                      + f"{rng.randint(2, 999)}件。" for _ in range(4)))
    paragraphs += [name, f"{year + 1}年2月1日"]
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            f"<div class='content'>{''.join(f'<p>{p}</p>' for p in paragraphs)}</div>"
            f"<div>发布日期：{year + 1}-02-{1 + i % 27:02d}</div></body></html>")


def _listing(i: int) -> str:
    items = ""
    if i % 2 == 0:
        year = 2019 + i % 6
        items = (f"<li><a href='/p{i:03d}/report.html'>{_name(i)}{year}年法治政府建设年度报告</a>"
                 f"<span>{year + 1}-02-{1 + i % 27:02d}</span></li>")
    return (f"<html><head><meta charset='utf-8'><title>法治政府建设</title></head><body>"
            f"<ul class='list'>{items}</ul></body></html>")


def _route(path: str, headers: dict, seen: int) -> Reply:
    time.sleep(PAUSE)
    match = re.fullmatch(r"/p(\d{3})/(index|report)\.html", path)
    if not match:
        return Reply(404, "<html><body>not found</body></html>")
    i = int(match.group(1))
    if match.group(2) == "index":
        return Reply(404, "<html><body>not found</body></html>") if i in BROKEN else Reply(200, _listing(i))
    return Reply(200, _report_page(i)) if i % 2 == 0 else Reply(404, "")


@pytest.fixture(scope="module")
def hundred(tmp_path_factory):
    output = tmp_path_factory.mktemp("progress")
    servers = [LoopbackPortal(_route, host=h) for h in HOSTS]
    for s in servers:
        s.__enter__()
    try:
        entries = [{"id": f"p{i:03d}", "name": _name(i), "start_urls": [f"{servers[i % 4].base}/p{i:03d}/index.html"]}
                   for i in range(PORTALS)]
        sources = output.parent / "progress-sources.yaml"
        sources.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
        started = time.monotonic()
        result = crawl(sources, output, "-s", "GOVLAW_PROGRESS_INTERVAL=1")
        elapsed = time.monotonic() - started
        requests = sum(len(s.log) for s in servers)
    finally:
        for s in servers:
            s.__exit__(None, None, None)
    assert result.returncode == 0, result.stderr[-3000:]
    return output, result.stderr, elapsed, requests


def _messages(log: str, logger: str) -> list[str]:
    return [line.split(" INFO: ", 1)[1] for line in log.splitlines() if f"[{logger}] INFO: " in line]


def test_progress_lines_are_few_readable_and_end_with_the_right_totals(hundred):
    output, log, elapsed, requests = hundred
    lines = _messages(log, "govlaw.progress")
    progress = [PROGRESS.match(m) for m in lines if m.startswith("progress:")]
    finals = [FINAL.match(m) for m in lines if m.startswith("run finished")]
    portal_lines = [m for m in lines if m.startswith("portal ")]
    # One format each: every line of the extension is one of the three.
    assert len(progress) + len(finals) + len(portal_lines) == len(lines)
    assert all(progress) and len(finals) == 1 and finals[0], lines
    print("\n".join(lines[:3] + ["…"] + lines[-3:]))
    # Every second, not more: at most one line per interval of the crawl's life.
    assert 1 <= len(progress) <= math.ceil(elapsed) + 1, (len(progress), elapsed)
    for m in progress:
        assert int(m.group(2)) == PORTALS and int(m.group(1)) <= PORTALS
    pages = [int(m.group(3)) for m in progress]
    assert pages == sorted(pages)

    feed = read_jsonl(output / "reports.jsonl")
    reporting = [i for i in range(PORTALS) if i % 2 == 0 and i not in BROKEN]
    assert len(feed) == len(reporting) == 49
    (reason, done, total, pages_seen, reports, new, updated, withdrawn, errors, where,
     holds) = finals[0].groups()
    assert (reason, int(done), int(total)) == ("finished", PORTALS, PORTALS)
    # Every answer the servers gave (robots.txt, listings, reports) is a page seen.
    assert int(pages_seen) == requests == len(HOSTS) + PORTALS + len(reporting)
    assert (int(reports), int(new), int(updated), int(withdrawn)) == (49, 49, 0, 0)
    assert int(errors) == len(BROKEN)
    assert where == str(output)
    assert holds.startswith("reports.jsonl (49 reports), changes/")
    # Scrapy's own LogStats line is replaced, and no request has a line of its own at INFO.
    assert "Crawled " not in log
    # (a portal's closing summary names the address of a listing it could not reach: that is no request line)
    assert not [line for line in log.splitlines() if " INFO: " in line and "/p0" in line and "FLAG:" not in line]
    # One line per portal as it finishes, numbered in order, with the portal's own counts.
    parsed = [PORTAL_LINE.match(m) for m in portal_lines]
    assert all(parsed), portal_lines
    assert [(int(m.group(1)), int(m.group(2))) for m in parsed] == [(n, PORTALS) for n in range(1, PORTALS + 1)]
    counts = {m.group(3): tuple(int(g) for g in m.group(5, 6, 7, 10)) for m in parsed}
    assert counts == {f"p{i:03d}": (0, 0, 0, 1) if i in BROKEN else (1, 1, 1, 0) if i % 2 == 0 else (1, 0, 0, 0)
                      for i in range(PORTALS)}
    assert {m.group(3): m.group(4) for m in parsed}["p042"] == _name(42)


# -- the receiver, with a real Crawler and the signal sent by hand ------------------------

class _Spider(Spider):
    name = "progress-test"

    def __init__(self, portals, **kwargs):
        super().__init__(**kwargs)
        self.portals = portals


class _Portal:
    def __init__(self, pid, name):
        self.id, self.name = pid, name


def _crawler(**settings):
    crawler = get_crawler(_Spider, {"GOVLAW_PROGRESS_INTERVAL": 0, **settings})
    crawler.spider = _Spider([_Portal("yuanzhou", "宜春市袁州区人民政府"), _Portal("haimen", "南通市海门区人民政府"),
                              _Portal("shanwei", "汕尾市人民政府")])
    return crawler


def test_a_finished_portal_gets_one_line_and_moves_the_count(caplog):
    crawler = _crawler()
    ext = Progress.from_crawler(crawler)
    ext.spider_opened(crawler.spider)
    summary = {"listing_pages": 2, "detail_pages": 3, "new": 1, "updated": 1, "withdrawn": 0, "errors": 2,
               "blocked": 1, "flag": None}
    with caplog.at_level(logging.INFO, logger="govlaw.progress"):
        crawler.signals.send_catch_log(govlaw_signals.portal_finished, portal="haimen", summary=summary, done=1, total=3)
        crawler.stats.set_value("response_received_count", 40)
        crawler.stats.set_value("item_scraped_count", 2)
        ext.started -= 90  # as if the portal took a minute and a half
        ext.log_progress()
    messages = [r.getMessage() for r in caplog.records if r.name == "govlaw.progress"]
    assert messages[0] == ("portal 1/3 finished: haimen 南通市海门区人民政府 — 2 listing pages, 3 detail pages, "
                           "1 new, 1 updated, 0 withdrawn, 2 errors")
    assert PORTAL_LINE.match(messages[0].replace("haimen", "p001"))
    # Two portals to go at the pace of the first: about three minutes left.
    assert messages[1] == "progress: portals 1/3, pages 40 (0/min), reports 2, errors 3, time left about 3m00s"
    assert PROGRESS.match(messages[1])


def test_a_flagged_portal_says_so_and_the_count_never_goes_back(caplog):
    crawler = _crawler()
    ext = Progress.from_crawler(crawler)
    ext.spider_opened(crawler.spider)
    with caplog.at_level(logging.INFO, logger="govlaw.progress"):
        crawler.signals.send_catch_log(govlaw_signals.portal_finished, portal="shanwei",
                                       summary={"flag": "yielded reports before, none now"}, done=2, total=3)
        crawler.signals.send_catch_log(govlaw_signals.portal_finished, portal="yuanzhou", summary={}, done=1, total=3)
    messages = [r.getMessage() for r in caplog.records if r.name == "govlaw.progress"]
    assert messages == [
        "portal 1/3 finished: shanwei 汕尾市人民政府 — 0 listing pages, 0 detail pages, 0 new, 0 updated, 0 withdrawn, "
        "0 errors — FLAG: yielded reports before, none now",
        "portal 2/3 finished: yuanzhou 宜春市袁州区人民政府 — 0 listing pages, 0 detail pages, 0 new, 0 updated, "
        "0 withdrawn, 0 errors"]
    # The run's count is the signal's (two done), whatever order the lines came in.
    assert ext.done == 2
    assert ext.time_left(60) == "about 30s"


def test_the_extension_is_wired_by_settings():
    from scrapy.utils.project import get_project_settings

    import os

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "govlaw.settings")
    settings = get_project_settings()
    extensions = settings.getdict("EXTENSIONS")
    assert extensions["govlaw.progress.Progress"] == 100
    assert extensions["scrapy.extensions.logstats.LogStats"] is None
    assert settings.getfloat("GOVLAW_PROGRESS_INTERVAL") == 30


@pytest.mark.parametrize("seconds, shown", [(0, "0s"), (59.4, "59s"), (61, "1m01s"), (3599, "59m59s"),
                                            (3600, "1h00m"), (22320, "6h12m")])
def test_durations_read_at_a_glance(seconds, shown):
    assert duration(seconds) == shown

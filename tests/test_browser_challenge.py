"""Portals behind a script challenge, crawled through a real headless
Chromium by the real engine; every other portal never touches the browser."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import crawl, read_jsonl
from govlaw import sources
from govlaw.browser.challenge import is_script_challenge
from govlaw.demo import catalog
from govlaw.demo.challenge import ChallengedPortal, challenge_page, clearance

MAX_TRIES = 3          # GOVLAW_BROWSER_MAX_TRIES, its default
MAX_RELOADS = 5        # GOVLAW_BROWSER_MAX_RELOADS, its default
WAF = "shanwei-waf"           # behind the challenge; a browser passes it
NEVER = "never-passes"        # its script never sets a valid cookie
REFUSED = "shanwei-no-browser"  # behind the challenge, browser: never
PLAIN = "yuanzhou"            # an ordinary demo portal
NEVER_PAGES = 5               # start URLs of the portal that never passes


def _reports_of(portal_id: str) -> set[str]:
    return {d.title for d in catalog.documents_for(portal_id, catalog.load_documents()) if d.is_report}


def _browser_stats(stderr: str) -> dict[str, int]:
    """The run's govlaw/browser/* stats, from Scrapy's stats dump."""
    return {k: int(v) for k, v in re.findall(r"'(govlaw/browser/[^']+)': (\d+)", stderr)}


def _summary(output: Path) -> dict:
    runs = sorted((output / "runs").glob("*.json"))
    return json.loads(runs[-1].read_text(encoding="utf-8"))["portals"]


@pytest.fixture(scope="module")
def challenged_crawl(demo, tmp_path_factory):
    """One crawl of four portals: one behind a challenge a browser passes, one
    whose challenge no browser can pass, one behind a challenge but told never
    to use the browser, and a plain demo portal."""
    with ChallengedPortal("shanwei") as waf, ChallengedPortal("shanwei", passable=False) as never, \
            ChallengedPortal("shanwei") as refused:
        never_entry = never.sources_entry(NEVER)
        never_entry["start_urls"] = [never.start_url] + [
            f"{never.base_url}/zwgk/fzzfjsndbg/index_{n}.html" for n in range(2, NEVER_PAGES + 1)]
        plain = next(p for p in demo.portals if p["id"] == PLAIN)
        path = tmp_path_factory.mktemp("sources") / "challenged.yaml"
        entries = [waf.sources_entry(WAF), never_entry, refused.sources_entry(REFUSED, browser="never"), plain]
        path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
        output = tmp_path_factory.mktemp("output")
        result = crawl(path, output)
        assert result.returncode == 0, result.stderr[-3000:]
        yield {"output": output, "stderr": result.stderr, "waf": waf.log, "never": never.log,
               "refused": refused.log, "refused_url": refused.start_url}


def test_reports_behind_the_challenge_are_collected(challenged_crawl):
    reports = read_jsonl(challenged_crawl["output"] / "reports.jsonl")
    by_portal: dict[str, list[str]] = {}
    for r in reports:
        by_portal.setdefault(r["portal"], []).append(r["title"])
    assert sorted(by_portal[WAF]) == ["汕尾市人民政府2020年法治政府建设年度报告",
                                      "汕尾市人民政府2021年法治政府建设年度报告"]
    assert set(by_portal[WAF]) == _reports_of("shanwei")
    assert sorted(by_portal[PLAIN]) == sorted(_reports_of(PLAIN)) and len(by_portal[PLAIN]) == 3
    assert set(by_portal) == {WAF, PLAIN}
    gold = {d.title: d.body.strip() for d in catalog.load_documents() if d.is_report}
    for r in reports:
        assert r["body"] == gold[r["title"]], r["title"]


def test_only_the_challenged_portals_used_the_browser(challenged_crawl):
    summary = _summary(challenged_crawl["output"])
    assert {p: (c["browser_pages"], c["challenge"], c["flag"]) for p, c in summary.items()} == {
        WAF: (1, "passed", None),
        NEVER: (MAX_TRIES, "not passed", "challenge not passed"),
        REFUSED: (0, None, "listing unreachable: blocked:waf " + challenged_crawl["refused_url"]),
        PLAIN: (0, None, None),
    }
    stats = _browser_stats(challenged_crawl["stderr"])
    assert stats["govlaw/browser/launches"] == 1
    assert stats["govlaw/browser/visits"] == 1 + MAX_TRIES
    assert stats["govlaw/browser/visits/" + WAF] == 1
    assert stats["govlaw/browser/passed/" + WAF] == 1
    # The plain portal and the one told `never` left no trace in the browser's stats.
    assert not [k for k in stats if k.endswith("/" + PLAIN) or k.endswith("/" + REFUSED)]
    assert stats["govlaw/browser/rss_max_bytes"] > 50 * 2 ** 20


def test_after_the_pass_the_portal_is_crawled_plainly_with_the_cookies(challenged_crawl):
    log = challenged_crawl["waf"]
    # Pages only: not robots.txt, nor the icon a browser asks for on its own (Sec-Fetch-Dest: image).
    pages = [(path, passed, dest) for _, _, path, passed, dest in log
             if path != "/robots.txt" and dest in (None, "document")]
    start = "/zwgk/fzzfjsndbg/index.html"
    # Scrapy's plain request is challenged, the browser is challenged once, then passes.
    assert pages[:3] == [(start, False, None), (start, False, "document"), (start, True, "document")]
    later = [p for p in pages[3:] if p[2] is None]
    assert later and all(passed for _, passed, _ in later)  # every later plain request carried the cookies
    assert [p for p in pages[3:] if p[2] == "document"] == []  # and no page went through the browser again
    assert sum(1 for _, passed, _ in pages if not passed) == 2


def test_a_challenge_never_passed_is_flagged_and_not_retried_forever(challenged_crawl):
    log = challenged_crawl["never"]
    plain = [path for _, _, path, _, dest in log if dest is None and path != "/robots.txt"]
    browser = [path for _, _, path, _, dest in log if dest == "document"]
    # Each start URL asked once by Scrapy, never again; the browser visited
    # MAX_TRIES of them, each until the challenge had come back MAX_RELOADS times.
    assert sorted(plain) == sorted(["/zwgk/fzzfjsndbg/index.html"]
                                   + [f"/zwgk/fzzfjsndbg/index_{n}.html" for n in range(2, NEVER_PAGES + 1)])
    assert len(browser) == MAX_TRIES * (1 + MAX_RELOADS)
    assert len(set(browser)) == MAX_TRIES
    assert not any(passed for _, _, path, passed, dest in log if path != "/robots.txt" and dest != "image")
    stats = _browser_stats(challenged_crawl["stderr"])
    assert stats["govlaw/browser/failed/" + NEVER] == MAX_TRIES
    assert stats["govlaw/browser/given_up_requests/" + NEVER] == NEVER_PAGES - MAX_TRIES
    assert stats["govlaw/browser/portals_given_up"] == 1
    summary = _summary(challenged_crawl["output"])[NEVER]
    assert summary["not_read"] == {"blocked:waf": NEVER_PAGES}
    assert "portal never-passes: challenge not passed in 3 tries" in challenged_crawl["stderr"]


def test_browser_never_leaves_the_challenge_unread(challenged_crawl):
    log = challenged_crawl["refused"]
    assert [(path, passed, dest) for _, _, path, passed, dest in log] == [
        ("/robots.txt", True, None), ("/zwgk/fzzfjsndbg/index.html", False, None)]
    assert _summary(challenged_crawl["output"])[REFUSED]["not_read"] == {"blocked:waf": 1}


def test_a_crawl_without_challenges_starts_no_browser(demo, tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump([p for p in demo.portals if p["id"] == PLAIN], allow_unicode=True),
                    encoding="utf-8")
    result = crawl(path, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    assert _browser_stats(result.stderr) == {}
    assert "browser started" not in result.stderr
    summary = _summary(tmp_path / "out")[PLAIN]
    assert (summary["browser_pages"], summary["challenge"]) == (0, None)
    assert len(read_jsonl(tmp_path / "out" / "reports.jsonl")) == 3


def test_always_loads_every_page_of_the_portal_in_the_browser(demo, tmp_path):
    entry = dict(next(p for p in demo.portals if p["id"] == PLAIN), browser="always")
    path = tmp_path / "always.yaml"
    path.write_text(yaml.safe_dump([entry], allow_unicode=True), encoding="utf-8")
    result = crawl(path, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    # GBK pages with no charset in their header: the browser hands on the same bytes.
    reports = read_jsonl(tmp_path / "out" / "reports.jsonl")
    assert sorted(r["title"] for r in reports) == sorted(_reports_of(PLAIN))
    gold = {d.title: d.body.strip() for d in catalog.load_documents() if d.is_report}
    assert all(r["body"] == gold[r["title"]] for r in reports)
    summary = _summary(tmp_path / "out")[PLAIN]
    stats = _browser_stats(result.stderr)
    pages = summary["listing_pages"] + summary["detail_pages"]
    assert summary["browser_pages"] == pages == stats["govlaw/browser/visits"]
    assert stats["govlaw/browser/passed"] == stats["govlaw/browser/visits"] and "govlaw/browser/failed" not in stats
    assert summary["challenge"] is None and "govlaw/browser/challenged" not in stats  # no challenge was met


# -- the recogniser and the demo's challenge --------------------------------------------

def test_recogniser_takes_challenges_and_leaves_pages():
    assert is_script_challenge(412, challenge_page("0123456789abcdef0123"), "text/html; charset=utf-8")
    hostile_waf = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title></title></head><body><script>"
                   "var $_ts={};$_ts.cd='qEt';document.cookie='FSSBBIl1UgzbN7N80T=5';location.reload();"
                   "</script></body></html>")  # the hostile demo's trap page
    assert is_script_challenge(412, hostile_waf)
    assert is_script_challenge(521, b"<script>document.cookie=('__jsl_clearance_s=1')+';path=/';"
                                    b"location.href=location.pathname</script>")
    assert is_script_challenge(468, b"<html><script src='/a.js'></script></html>")
    acw = b"<html><script>var arg1='70D9569CD5E5895C84F284A09503B1598C5762A1';reload(arg1)</script></html>"
    assert is_script_challenge(200, acw)
    # Not challenges: no script, a real page, a file, a 403 block page.
    assert not is_script_challenge(412, b"<html><body>Precondition Failed</body></html>")
    article = ("<html><head><script>var _hmt=[];document.cookie='a=1';</script></head><body>"
               + "<p>" + "法治政府建设" * 60 + "</p></body></html>")
    assert not is_script_challenge(200, article)
    assert not is_script_challenge(521, b"%PDF-1.7 <script", "application/pdf")
    assert not is_script_challenge(403, b"<html><script>document.cookie='x=1';location.reload()</script></html>")


def test_demo_challenge_needs_the_seed_computed():
    page = challenge_page("a1b2c3d4e5f6a7b8c9d0").decode()
    value = clearance("a1b2c3d4e5f6a7b8c9d0")
    assert value not in page and "a1b2c3d4e5f6a7b8c9d0" not in page  # nothing to copy from the page
    assert value != clearance("a1b2c3d4e5f6a7b8c9d0", multiplier=137)
    assert value != clearance("a1b2c3d4e5f6a7b8c9d1")


@pytest.mark.parametrize("written, message", [
    ("sometimes", "browser 'sometimes' is not one of auto, always, never"),
    ("no", "browser false is read by YAML as a boolean; write browser: never"),
])
def test_sources_browser_key_is_checked(tmp_path, written, message):
    path = tmp_path / "s.yaml"
    path.write_text(f"- id: a\n  start_urls: [https://www.example.gov.cn/col/]\n  browser: {written}\n",
                    encoding="utf-8")
    with pytest.raises(sources.SourcesError) as err:
        sources.load(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_sources_browser_key_values(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("- id: a\n  start_urls: [https://a.gov.cn/]\n  browser: always\n"
                    "- id: b\n  start_urls: [https://b.gov.cn/]\n", encoding="utf-8")
    assert [p.browser for p in sources.load(path)] == ["always", "auto"]

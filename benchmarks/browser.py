"""What the browser fallback costs: time and memory per challenged page.

Serves the demo portal behind a script challenge (govlaw.demo.challenge) on
loopback and, in one run, fetches the same pages four ways:

  plain        a plain HTTP client carrying the cookies the browser earned
  browser      the browser, in a context that holds the cookies (no challenge)
  challenged   the browser, each page in a fresh context: the challenge is
               met and passed on every page (what a cookie that never lasts costs)
  cold start   starting the browser (Playwright's driver and Chromium)

and prints pages/s for each, with the browser's memory: the resident memory
(RSS) of its process tree, summed (shared pages counted in each process), and
its proportional size (PSS, shared pages counted once), sampled after every
page, against this Python process's own RSS.

    .venv/bin/python benchmarks/browser.py [--pages 40] [--max-pages 2]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import urllib.request
from pathlib import Path

# The repository instead of this folder, whose incremental.py would shadow a package Twisted imports.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from govlaw.browser.pool import BrowserPool, browser_tree_pss, browser_tree_rss  # noqa: E402
from govlaw.demo.challenge import ChallengedPortal  # noqa: E402
from govlaw.settings import GOVLAW_BROWSER_EXECUTABLE  # noqa: E402

MIB = 2 ** 20


def own_rss() -> int:
    with open("/proc/self/statm", encoding="latin-1") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Memory:
    def __init__(self):
        self.rss = self.pss = 0

    def sample(self):
        self.rss = max(self.rss, browser_tree_rss(os.getpid()))
        self.pss = max(self.pss, browser_tree_pss(os.getpid()))


async def run(pages: int, max_pages: int) -> None:
    with ChallengedPortal("shanwei") as portal:
        served = portal.page_urls()
        urls = [served[i % len(served)] for i in range(pages)]
        pool = BrowserPool(GOVLAW_BROWSER_EXECUTABLE, max_pages=max_pages, timeout=20)
        memory = Memory()

        began = time.monotonic()
        first = await pool.visit(portal.start_url, key="warm", user_agent="govlaw-benchmark")
        cold = time.monotonic() - began
        assert first.passed, first.reason
        memory.sample()
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in first.cookies)

        async def browse(key_of):
            async def one(i, url):
                visit = await pool.visit(url, key=key_of(i), user_agent="govlaw-benchmark")
                assert visit.passed and visit.status == 200, (url, visit.reason)
                memory.sample()
                if key_of(i) != "warm":
                    await pool.forget(key_of(i))
                return visit.challenges
            began = time.monotonic()
            challenges = await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
            return time.monotonic() - began, sum(challenges)

        warm_seconds, warm_challenges = await browse(lambda i: "warm")
        fresh_seconds, fresh_challenges = await browse(lambda i: f"fresh-{i}")

        def plain():
            began = time.monotonic()
            for url in urls:
                request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": "govlaw-benchmark"})
                with urllib.request.urlopen(request, timeout=20) as answer:
                    assert answer.status == 200
                    answer.read()
            return time.monotonic() - began
        plain_seconds = await asyncio.get_running_loop().run_in_executor(None, plain)
        memory.sample()
        await pool.close()

    print(f"demo portal behind a 412 script challenge, {pages} pages, {max_pages} browser pages at once")
    print(f"{'way':<34}{'pages/s':>10}{'ms/page':>10}{'challenges':>12}")
    for name, seconds, met in (("plain requests with the cookies", plain_seconds, 0),
                               ("browser, cookies kept", warm_seconds, warm_challenges),
                               ("browser, challenge on every page", fresh_seconds, fresh_challenges)):
        print(f"{name:<34}{pages / seconds:>10.1f}{1000 * seconds / pages:>10.1f}{met:>12}")
    print(f"browser cold start + first challenge: {cold:.2f} s")
    print(f"browser memory, peak: RSS of its process tree {memory.rss / MIB:.0f} MiB, "
          f"PSS {memory.pss / MIB:.0f} MiB; this Python process: RSS {own_rss() / MIB:.0f} MiB")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="pages fetched each way")
    parser.add_argument("--max-pages", type=int, default=2, help="browser pages open at once "
                        "(GOVLAW_BROWSER_MAX_PAGES)")
    args = parser.parse_args(argv)
    asyncio.run(run(args.pages, args.max_pages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

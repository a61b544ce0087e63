"""A national crawl on one machine: govlaw against a stock Scrapy spider over N portals.

Serves N portals on loopback from one threaded server (benchmarks/farm.py),
each under its own host name (p0042.farm.test, resolved to 127.0.0.1 by
Scrapy's resolver setting, TWISTED_DNS_RESOLVER or formerly DNS_RESOLVER),
so the per-host limit applies per portal as
on the web. Then, in child processes, with the same politeness-neutral
settings:

  govlaw   the real `scrapy crawl reports` over a sources file of the portals,
           then an unchanged re-run into the same output
  stock    a Scrapy spider (StockSpider below, `scrapy runspider`, no govlaw
           settings) that follows the same listing pages and documents and
           extracts nothing, then the same crawl again (it keeps no state)

and prints, per N: pages/s (over the span from the first to the last response
the farm served), CPU ms per request and peak RSS of the crawling process
(the reactor's) and of its extraction worker processes,
state bytes per report, time from the last response served to the process's
exit, and the re-run's requests, bytes, CPU and RSS, with govlaw/stock ratios.

    .venv/bin/python benchmarks/scale.py                       # N = 100
    .venv/bin/python benchmarks/scale.py --n 100 1000 3000     # 3,000 sampled: every 3rd portal crawled
    .venv/bin/python benchmarks/scale.py --n 3000 --sample 1   # all 3,000
    .venv/bin/python benchmarks/scale.py -s GOVLAW_EXTRACT_WORKERS=0   # govlaw reading in its own process

The farm runs in this process and shares the machine's cores with the
crawler; its CPU time is printed too. The crawling process's CPU and RSS are
its own (os.wait4), so they include the interpreter's start-up; its worker
processes' are sampled from /proc every 50 ms while they live.
"""
from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
# This folder's incremental.py and dedupe.py would shadow packages Twisted and govlaw import.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import re  # noqa: E402
from urllib.parse import urljoin, urlsplit  # noqa: E402

import scrapy  # noqa: E402

# ----------------------------------------------------------------- the reference

_LINK = re.compile(r'(?:href=|"url":\s*)"([^"]+)"')
# The farm's listing pages and documents (see farm.Farm.stock_start_urls and the demo's article patterns).
_FOLLOW = re.compile(r"/(?:t\d{8}_\d+|post_\d+|content_\d+)\.html$"
                     r"|^/(?:xxgk/fdzdgknr/fzzfjsndbg|zwgk/fzzfjsndbg)/index(?:_\d+)?\.html$"
                     r"|^/col/fzzfjsbg/list\.html\?page=\d+$")


class StockSpider(scrapy.Spider):
    """Follows listing pages and documents on each portal's own host; extracts nothing."""

    name = "stock"

    def __init__(self, urls: str = "", **kwargs):
        super().__init__(**kwargs)
        with open(urls, encoding="utf-8") as fh:
            self.start_urls = [line.strip() for line in fh if line.strip()]

    async def start(self):
        for url in self.start_urls:  # filtered like any other request: no page is fetched twice
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        host = urlsplit(response.url).netloc
        for href in _LINK.findall(response.text):
            url = urljoin(response.url, href.replace("&amp;", "&"))
            parts = urlsplit(url)
            if parts.netloc == host and _FOLLOW.search(parts.path + ("?" + parts.query if parts.query else "")):
                yield scrapy.Request(url, callback=self.parse)


# ------------------------------------------------------------------ measuring

if __name__ == "__main__":
    import argparse
    import importlib.util
    import math
    import shutil
    import signal
    import subprocess
    import tempfile
    import threading
    import time
    from pathlib import Path

    import yaml

    ROOT = Path(_HERE).parent
    spec = importlib.util.spec_from_file_location("farm", os.path.join(_HERE, "farm.py"))
    farm = importlib.util.module_from_spec(spec)
    sys.modules["farm"] = farm
    spec.loader.exec_module(farm)

    # Identical for both crawlers: no delays, the project's concurrency, robots.txt obeyed.
    SETTINGS = {
        "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "CONCURRENT_REQUESTS": "16",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "2", "ROBOTSTXT_OBEY": "1", "DOWNLOAD_TIMEOUT": "30",
        "TELNETCONSOLE_ENABLED": "0", "LOG_LEVEL": "INFO",
    }
    from scrapy.settings import default_settings
    # Newer Scrapy calls DNS_RESOLVER TWISTED_DNS_RESOLVER; either way farm.FarmResolver resolves the farm.
    SETTINGS["TWISTED_DNS_RESOLVER" if hasattr(default_settings, "TWISTED_DNS_RESOLVER") else "DNS_RESOLVER"] = \
        "farm.FarmResolver"

    def settings_args():
        return [a for k, v in SETTINGS.items() for a in ("-s", f"{k}={v}")]

    TICK = os.sysconf("SC_CLK_TCK")

    def _proc_figures(pid: int) -> tuple[int, float, int] | None:
        """(parent pid, own CPU seconds, peak RSS KiB) of a live process, from /proc."""
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/status") as fh:
                hwm = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)
        except (OSError, ValueError, IndexError):
            return None
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, hwm

    class Descendants(threading.Thread):
        """Samples the crawl's descendant processes (the extraction workers
        and the server they fork from) every 50 ms: each one's last CPU
        reading and its peak RSS. A worker's CPU after its last sample is
        missed, so the reactor process's figure (total - workers) errs high."""

        def __init__(self, root: int):
            super().__init__(daemon=True)
            self.root, self.done = root, threading.Event()
            self.cpu: dict[int, float] = {}
            self.rss: dict[int, int] = {}
            self.root_rss = 0  # the crawling process's own VmHWM (see run())

        def run(self):
            while not self.done.wait(0.05):
                parents = {}
                for name in os.listdir("/proc"):
                    if name.isdigit() and (f := _proc_figures(int(name))) is not None:
                        parents[int(name)] = f
                tree, grew = {self.root}, True
                while grew:
                    more = {p for p, f in parents.items() if f[0] in tree and p not in tree}
                    tree |= more
                    grew = bool(more)
                if self.root in parents:
                    self.root_rss = max(self.root_rss, parents[self.root][2])
                for pid in tree - {self.root}:
                    self.cpu[pid] = parents[pid][1]
                    self.rss[pid] = max(self.rss.get(pid, 0), parents[pid][2])

    def run(server, cmd, env, cwd, log: Path, timeout: float) -> dict:
        """One crawl in a child process; the farm's and the child's own figures."""
        server.reset()
        farm_cpu, started = time.process_time(), time.monotonic()
        with open(log, "w") as out:
            proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            sampler = Descendants(proc.pid)
            sampler.start()
            killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
            killer.start()
            _, status, usage = os.wait4(proc.pid, 0)
            ended = time.monotonic()
            sampler.done.set()
            killer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"{' '.join(cmd[:6])} … exited {proc.returncode}:\n{tail}")
        span = (server.last - server.first) if server.requests > 1 else float("nan")
        # wait4 counts the child and the descendants it reaped itself; the
        # extraction workers are forked, and reaped, by a fork server the
        # child never reaps, so their CPU is not in it: it is added, sampled.
        own = usage.ru_utime + usage.ru_stime
        workers = sum(sampler.cpu.values())
        return {
            "requests": server.requests, "bytes": server.bytes, "not_modified": server.not_modified,
            "hosts": len(server.hosts), "wall": ended - started, "span": span,
            "pages_s": server.requests / span if span else float("nan"),
            "cpu": own + workers, "reactor_cpu": own, "workers_cpu": workers,
            # Not wait4's ru_maxrss: Linux carries the parent's peak RSS over
            # fork and exec into the child's, and this process holds the farm
            # (at N = 3,000 more than the crawler itself). VmHWM is the
            # child's own address space's high-water mark, read every 50 ms.
            "rss_mib": sampler.root_rss / 1024, "workers": len(sampler.rss),
            "workers_rss_mib": max(sampler.rss.values(), default=0) / 1024,
            "tail": ended - server.last if server.last else float("nan"),
            "farm_cpu": time.process_time() - farm_cpu,
        }

    def govlaw_state(output: Path) -> tuple[int, int]:
        """Bytes of the state store (not its backups) and reports in it."""
        size = sum(p.stat().st_size for p in output.iterdir() if p.is_file() and p.name.startswith("state"))
        reports = 0
        try:
            import sqlite3
            db = sqlite3.connect(f"file:{output / 'state.sqlite'}?mode=ro", uri=True)
            tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
            table = next((t for t in ("reports", "report") if t in tables), None)
            if table:
                reports = db.execute(f"select count(*) from {table}").fetchone()[0]
            db.close()
        except Exception:  # another layout of the state: count the feed instead
            reports = 0
        if not reports:
            feed = output / "reports.jsonl"
            if feed.exists():
                reports = sum(1 for _ in feed.open(encoding="utf-8"))
        return size, reports

    def measure(n: int, sample: int, work: Path, timeout: float, extra: list[str]) -> dict:
        shim = work / "shim"  # farm.py alone on the children's path (not this folder: it shadows packages)
        shim.mkdir(parents=True, exist_ok=True)
        if not (shim / "farm.py").exists():
            (shim / "farm.py").symlink_to(os.path.join(_HERE, "farm.py"))
        path = os.pathsep.join([str(shim), str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
        with farm.FarmServer(n) as server:
            portals = list(range(0, n, sample))
            sources, urls = work / f"sources-{n}.yaml", work / f"stock-urls-{n}.txt"
            with open(sources, "w", encoding="utf-8") as fh:
                yaml.safe_dump([server.farm.source(k) for k in portals], fh, allow_unicode=True, sort_keys=False)
            urls.write_text("".join(u + "\n" for k in portals for u in server.farm.stock_start_urls(k)))
            output = work / f"govlaw-{n}"
            shutil.rmtree(output, ignore_errors=True)  # a first run starts from no state

            genv = dict(os.environ, SCRAPY_SETTINGS_MODULE="govlaw.settings", PYTHONPATH=path)
            gcmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sources={sources}",
                    "-s", f"GOVLAW_OUTPUT_DIR={output}", *settings_args(), *[a for kv in extra for a in ("-s", kv)]]
            senv = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
            senv["PYTHONPATH"] = str(shim)
            scmd = [sys.executable, "-m", "scrapy", "runspider", os.path.abspath(__file__), "-a", f"urls={urls}",
                    *settings_args()]
            stock_cwd = work / "stock-cwd"  # no scrapy.cfg there: no project settings
            stock_cwd.mkdir(exist_ok=True)

            res = {"n": n, "crawled": len(portals)}
            res["govlaw"] = run(server, gcmd, genv, ROOT, work / f"govlaw-{n}-1.log", timeout)
            res["state_bytes"], res["reports"] = govlaw_state(output)
            res["govlaw_rerun"] = run(server, gcmd, genv, ROOT, work / f"govlaw-{n}-2.log", timeout)
            res["stock"] = run(server, scmd, senv, stock_cwd, work / f"stock-{n}-1.log", timeout)
            res["stock_rerun"] = run(server, scmd, senv, stock_cwd, work / f"stock-{n}-2.log", timeout)
        return res

    def ratio(a, b):
        return a / b if b and not math.isnan(b) and not math.isnan(a) else float("nan")

    def report(r: dict) -> None:
        g, s, g2, s2 = r["govlaw"], r["stock"], r["govlaw_rerun"], r["stock_rerun"]
        title = f"N = {r['n']:,} portals"
        if r["crawled"] != r["n"]:
            title += f" (sampled: {r['crawled']:,} crawled, one portal in {-(-r['n'] // r['crawled'])})"
        print(f"\n{title}")
        print(f"{'':44} {'govlaw':>12} {'stock Scrapy':>12} {'govlaw/stock':>12}")

        def row(name, a, b, fmt="{:,.0f}"):
            cells = [fmt.format(v) if v is not None and not (isinstance(v, float) and math.isnan(v)) else "—"
                     for v in (a, b)]
            rat = ratio(a, b) if a is not None and b is not None else float("nan")
            print(f"{name:44} {cells[0]:>12} {cells[1]:>12} {'—' if math.isnan(rat) else f'{rat:.2f}×':>12}")

        row("portals answered", g["hosts"], s["hosts"])
        row("requests", g["requests"], s["requests"])
        row("bytes served", g["bytes"], s["bytes"])
        row("wall time, s", g["wall"], s["wall"], "{:.1f}")
        row("first to last response, s", g["span"], s["span"], "{:.1f}")
        row("pages/s", g["pages_s"], s["pages_s"], "{:.1f}")
        row("CPU, s (all processes)", g["cpu"], s["cpu"], "{:.1f}")
        row("CPU ms per request (all processes)", 1000 * g["cpu"] / g["requests"], 1000 * s["cpu"] / s["requests"],
            "{:.2f}")
        row("CPU ms per request, reactor's process", 1000 * g["reactor_cpu"] / g["requests"],
            1000 * s["reactor_cpu"] / s["requests"], "{:.2f}")
        row(f"CPU ms per request, {g['workers']} extraction processes", 1000 * g["workers_cpu"] / g["requests"],
            1000 * s["workers_cpu"] / s["requests"], "{:.2f}")
        row("peak RSS, MiB, reactor's process", g["rss_mib"], s["rss_mib"], "{:.0f}")
        row("peak RSS, MiB, largest worker process", g["workers_rss_mib"] or None, None, "{:.0f}")
        row("last response to exit, s", g["tail"], s["tail"], "{:.2f}")
        per = r["state_bytes"] / r["reports"] / 1024 if r["reports"] else float("nan")
        row(f"state KiB per report ({r['reports']:,} reports)", per, None, "{:.1f}")
        row("re-run, unchanged: requests", g2["requests"], s2["requests"])
        row("re-run: 304 answers", g2["not_modified"], s2["not_modified"])
        row("re-run: bytes served", g2["bytes"], s2["bytes"])
        row("re-run: CPU, s", g2["cpu"], s2["cpu"], "{:.1f}")
        row("re-run: peak RSS, MiB", g2["rss_mib"], s2["rss_mib"], "{:.0f}")
        row("re-run: last response to exit, s", g2["tail"], s2["tail"], "{:.2f}")
        row("farm server CPU, s (first run)", g["farm_cpu"], s["farm_cpu"], "{:.1f}")

    def main():
        ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
        ap.add_argument("--n", type=int, nargs="+", default=[100], help="farm sizes (default 100)")
        ap.add_argument("--sample", type=int, default=3,
                        help="for N > 1,000, crawl only every k-th portal of the farm (default 3; 1: all)")
        ap.add_argument("--timeout", type=float, default=3600, help="seconds allowed for one crawl")
        ap.add_argument("--keep", metavar="DIR", help="write sources, outputs and logs to DIR and keep them")
        ap.add_argument("-s", "--set", metavar="NAME=VALUE", action="append", default=[],
                        help="a setting for govlaw's crawls only (e.g. GOVLAW_EXTRACT_WORKERS=0: read in process)")
        args = ap.parse_args()
        print(f"settings for both crawlers: {' '.join(f'{k}={v}' for k, v in SETTINGS.items())}")
        with tempfile.TemporaryDirectory(prefix="govlaw-scale-") as tmp:
            work = Path(args.keep).resolve() if args.keep else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            for n in args.n:
                report(measure(n, args.sample if n > 1000 else 1, work, args.timeout, args.set))
                sys.stdout.flush()

    main()

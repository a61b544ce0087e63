"""`govlaw crawl` from any folder; feed files a web server can read; and
`govlaw demo crawl` taking its crawl down with it when it is stopped."""
from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FAST, read_jsonl
from govlaw import feed
from test_demo_crawl import EXPECTED

GOVLAW = Path(sys.executable).with_name("govlaw")
CMD = [str(GOVLAW)] if GOVLAW.exists() else [sys.executable, "-m", "govlaw.cli"]
ENV = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_govlaw_crawl_from_any_folder(demo_sources, tmp_path):
    """The README's command, run where there is no scrapy.cfg, under umask 022."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    out = tmp_path / "feed"
    cmd = [*CMD, "crawl", "-a", f"sources={demo_sources}", "-s", f"GOVLAW_OUTPUT_DIR={out}", *FAST]
    result = subprocess.run(["sh", "-c", 'umask 022 && exec "$@"', "sh", *cmd], cwd=cwd, env=ENV,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (cwd / "output").exists() and list(cwd.iterdir()) == []
    reports = read_jsonl(out / "reports.jsonl")
    assert {(r["title"], r["report_year"], r["publish_date"], r["publisher"]) for r in reports} == EXPECTED
    files = [out / "reports.jsonl", out / "reports.atom", *(out / "changes").glob("*.jsonl"),
             *(out / "runs").glob("*.json")]
    assert len(files) == 4
    assert {f.name: _mode(f) for f in files} == {f.name: 0o644 for f in files}


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_feed_files_honour_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        feed.atomic_write(tmp_path / "reports.jsonl", "{}\n")
        feed.atomic_write(tmp_path / "reports.jsonl", "{}\n{}\n")  # replacing keeps the mode
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "reports.jsonl") == mode
    assert (tmp_path / "reports.jsonl").read_text() == "{}\n{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["reports.jsonl"]  # no temporary file left



def test_snapshot_is_streamed_whole_or_not_at_all(tmp_path):
    """Lines written as they are read: the same bytes as the whole string,
    the umask's mode, and a failure half-way leaves the old file as it was."""
    records = [{"id": str(i), "title": "报告", "n": i} for i in range(3)]
    previous = os.umask(0o027)
    try:
        feed.atomic_write(tmp_path / "reports.jsonl", feed.jsonl_lines(iter(records)))
    finally:
        os.umask(previous)
    assert (tmp_path / "reports.jsonl").read_text(encoding="utf-8") == feed.jsonl(records)
    assert _mode(tmp_path / "reports.jsonl") == 0o640

    def failing():
        yield from feed.jsonl_lines(records[:1])
        raise RuntimeError("state read failed")

    with pytest.raises(RuntimeError):
        feed.atomic_write(tmp_path / "reports.jsonl", failing())
    assert (tmp_path / "reports.jsonl").read_text(encoding="utf-8") == feed.jsonl(records)
    assert [p.name for p in tmp_path.iterdir()] == ["reports.jsonl"]

# -- stopping `govlaw demo crawl` --------------------------------------------------

def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat_line = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid …: comm may hold spaces and parentheses.
            if int(stat_line.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the crawl's process")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_demo_crawl_stops_its_crawl_first(tmp_path, signum):
    out = tmp_path / "out"
    log = tmp_path / "demo.log"
    with open(log, "w") as stderr, open(tmp_path / "demo.out", "w") as stdout:
        proc = subprocess.Popen([*CMD, "demo", "crawl", "--base-port", "0", "--output", str(out),
                                 "-s", "DOWNLOAD_DELAY=0.1"], cwd=tmp_path, env=ENV, stdout=stdout, stderr=stderr)
    try:
        deadline = time.monotonic() + 60
        crawl_pid = None
        while crawl_pid is None or not (out / ".lock").exists() or (out / ".lock").read_text().strip() != str(crawl_pid):
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the crawl never started"
            crawl_pid = next((c for c in _children(proc.pid) if "scrapy crawl reports" in _cmdline(c)), None)
            time.sleep(0.02)
        # The crawl is running: it holds the output's lock and has committed nothing yet.
        assert not list(out.glob("changes/*.jsonl"))
        ports = [int(p) for p in re.findall(r"http://127\.0\.0\.1:(\d+)/", (tmp_path / "demo.out").read_text())]
        assert len(ports) == 5
        proc.send_signal(signum)
        stopped = time.monotonic()
        while _alive(crawl_pid):
            assert time.monotonic() - stopped < 10, "the crawl outlived govlaw demo crawl's stop by 10 s"
            time.sleep(0.05)
        assert proc.wait(timeout=10) == 128 + signum
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    name = signal.Signals(signum).name
    assert f"Received {name}, shutting down gracefully" in text  # the crawl got the signal, once
    assert "Send again to force" in text and "forcing unclean shutdown" not in text
    assert "Connection refused" not in text  # the portals were up until the crawl had stopped
    for port in ports:  # and are down now
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_demo_crawl_into_a_file_is_one_line(tmp_path):
    afile = tmp_path / "out.txt"
    afile.write_text("")
    result = subprocess.run([*CMD, "demo", "crawl", "--base-port", "0", "--output", str(afile)], cwd=tmp_path,
                            env=ENV, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (f"govlaw: output directory {afile} is a file, not a directory; "
                             "pass --output <a directory you can write to>\n")

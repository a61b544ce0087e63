"""A user's mistakes — in the sources file, the settings, the spider arguments,
the output directory, the state — are answered in one line naming the file,
the entry and the fix, with exit status 2 (a usage error), and no traceback
unless asked for: by `scrapy crawl reports` from the project folder and by
`govlaw crawl` from any folder alike."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from govlaw import preflight, sources
from govlaw.sources import SourcesError

GOVLAW = Path(sys.executable).with_name("govlaw")
_ENV = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}


def scrapy_crawl(args, cwd=None, prefix=()) -> subprocess.CompletedProcess:
    """From the project folder: scrapy.cfg names the settings."""
    return subprocess.run([*prefix, sys.executable, "-m", "scrapy", "crawl", "reports", *args], cwd=ROOT, env=_ENV,
                          capture_output=True, text=True, timeout=120)


def govlaw_crawl(args, cwd, prefix=()) -> subprocess.CompletedProcess:
    """From a folder with no scrapy.cfg."""
    cmd = [str(GOVLAW)] if GOVLAW.exists() else [sys.executable, "-m", "govlaw.cli"]
    return subprocess.run([*prefix, *cmd, "crawl", *args], cwd=cwd, env=_ENV, capture_output=True, text=True,
                          timeout=120)


COMMANDS = {"scrapy crawl": scrapy_crawl, "govlaw crawl": govlaw_crawl}


@pytest.fixture(params=sorted(COMMANDS))
def run(request, tmp_path):
    def call(*args, **kwargs):
        return COMMANDS[request.param](list(args), cwd=kwargs.pop("cwd", tmp_path), **kwargs)
    return call


def assert_one_line(result, message: str, code: int = 2):
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr == f"govlaw: {message}\n"
    assert result.returncode == code


OK = "- id: a\n  name: 甲\n  start_urls: [https://www.a.gov.cn/zwgk/]\n"
FIX_YAML = "check the indentation, and quote values that contain ': ' or start with a special character"

# (case, file text, message after "govlaw: {file}")
SOURCES = [
    ("malformed", "- id: a\n  start_urls: [http://x/\n",
     f" line 3: not valid YAML (expected ',' or ']', but got '<stream end>'); {FIX_YAML}"),
    ("bad indentation", "- id: a\n name: x\n",
     f" line 2: not valid YAML (expected <block end>, but found '<block mapping start>'); {FIX_YAML}"),
    ("empty", "", ": the file lists no portals; add at least one entry (- id: …, name: …, start_urls: [https://…])"),
    ("empty list", "[]\n",
     ": the file lists no portals; add at least one entry (- id: …, name: …, start_urls: [https://…])"),
    ("not a list", "id: a\n",
     ": expected a YAML list of portals (entries starting with '- id: '), found a mapping"),
    ("entry not a mapping", "- shanwei\n",
     " line 1, entry 1: expected a portal (id: …, name: …, start_urls: […]), found the text 'shanwei'"),
    ("no id", "- name: x\n  start_urls: [http://a.gov.cn/]\n",
     " line 1, entry 1: the entry has no id; add id: <letters, digits, '-', '_' or '.'>"),
    ("bad id", "- id: a b\n  start_urls: [http://a.gov.cn/]\n",
     " line 1, entry 1: id 'a b' may hold only letters, digits, '-', '_' and '.'; rename it"),
    ("missing start_urls", "- id: a\n  name: A\n",
     " line 1, entry 1 (id a): start_urls is missing; add start_urls: [https://<host>/<column>/], the column page "
     "that lists the reports, or home_url: https://<host>/ to let govlaw find it"),
    ("misspelt key", "- id: a\n  start_url: [http://a.gov.cn/]\n",
     " line 1, entry 1 (id a): unknown key start_url; did you mean start_urls? a portal's keys are id, name, "
     "start_urls, home_url, region_code, template, hosts, verified, browser, level, parent, former_codes, "
     "former_names"),
    ("duplicate id", OK + "- id: b\n  start_urls: [http://b.gov.cn/]\n" + OK,
     " line 6, entry 3 (id a): id a is already used by entry 1 (line 1); give each portal its own id"),
    ("file URL", "- id: a\n  start_urls: [file:///etc/passwd]\n",
     " line 1, entry 1 (id a): start_urls: 'file:///etc/passwd' is a file: address; only http:// and https:// "
     "pages are crawled"),
    ("blank in URL", "- id: a\n  start_urls: ['http://exa mple.gov.cn/']\n",
     " line 1, entry 1 (id a): start_urls: 'http://exa mple.gov.cn/' has a blank in it; remove it (a blank "
     "inside a path is written %20)"),
    ("no host", "- id: a\n  start_urls: ['http:///x']\n",
     " line 1, entry 1 (id a): start_urls: 'http:///x' has no host; write it as http(s)://<host>/<path>"),
    ("relative URL", "- id: a\n  start_urls: [/zwgk/index.html]\n",
     " line 1, entry 1 (id a): start_urls: '/zwgk/index.html' is not an absolute address; only http:// and "
     "https:// pages are crawled"),
    ("bad port", "- id: a\n  start_urls: ['http://a.gov.cn:99999/']\n",
     " line 1, entry 1 (id a): start_urls: 'http://a.gov.cn:99999/' is not a valid address (Port out of range "
     "0-65535); write it as https://<host>/<path>"),
    ("octal region code", OK + "  region_code: 011000\n",
     " line 1, entry 1 (id a): region_code 011000 is read by YAML as the octal number 4608; quote it: "
     "region_code: \"011000\""),
    ("7-digit region code", OK + "  region_code: 4415001\n",
     " line 1, entry 1 (id a): region_code 4415001 must be 6 digits (a number is accepted only if it is 6 digits "
     "once zero-padded); write the code in quotes: region_code: \"441500\""),
    ("quoted short region code", OK + "  region_code: '4415'\n",
     " line 1, entry 1 (id a): region_code '4415' must be 6 digits (GB/T 2260), e.g. region_code: \"441500\""),
    ("bad template", OK + "  template: wcm\n",
     " line 1, entry 1 (id a): template 'wcm' is not one of auto, gkmlpt, hanweb, jpaas, trs, ucap; leave it out to let govlaw "
     "recognise the portal's software"),
    ("host as URL", OK + "  hosts: [https://www.a.gov.cn/]\n",
     " line 1, entry 1 (id a): hosts: 'https://www.a.gov.cn/' is not a host name; write host names such as "
     "www.example.gov.cn (add :port when the portal uses one), not addresses"),
    ("hosts a number", OK + "  hosts: 8080\n",
     " line 1, entry 1 (id a): hosts must be a list of host names, e.g. hosts: [www.example.gov.cn], not the "
     "number 8080"),
]


@pytest.mark.parametrize("case,text,message", SOURCES, ids=[c[0] for c in SOURCES])
def test_sources_mistakes_in_one_line(case, text, message, tmp_path):
    path = tmp_path / "portals.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError) as info:
        sources.load(path)
    assert str(info.value) == f"{path}{message}"
    assert info.value.exit_code == 2


ON_THE_COMMAND_LINE = [c for c in SOURCES if c[0] in {"malformed", "empty", "missing start_urls", "duplicate id",
                                                        "file URL", "blank in URL", "no host", "octal region code",
                                                        "misspelt key"}]


@pytest.mark.parametrize("case,text,message", ON_THE_COMMAND_LINE, ids=[c[0] for c in ON_THE_COMMAND_LINE])
def test_sources_mistakes_from_the_command_line(run, case, text, message, tmp_path):
    path = tmp_path / "portals.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("-a", f"sources={path}", "-s", f"GOVLAW_OUTPUT_DIR={tmp_path / 'out'}")
    assert_one_line(result, f"{path}{message}")
    assert not (tmp_path / "out" / "state.sqlite").exists()  # nothing started


def test_missing_sources_file(run, tmp_path):
    result = run("-a", f"sources={tmp_path / 'nope.yaml'}")
    assert_one_line(result, f"cannot read sources file {tmp_path / 'nope.yaml'}: No such file or directory; "
                            "pass -a sources=<a YAML file of portals>")


def test_unknown_portal_ids_are_an_error(run, tmp_path):
    path = tmp_path / "portals.yaml"
    path.write_text(OK + "- id: shanwei\n  start_urls: [https://www.shanwei.gov.cn/]\n", encoding="utf-8")
    result = run("-a", f"sources={path}", "-a", "portals=shanwie,a", "-s", f"GOVLAW_OUTPUT_DIR={tmp_path / 'o'}")
    assert_one_line(result, f"{path}: -a portals= names an id the file does not have: shanwie (did you mean "
                            "shanwei?); its ids are a, shanwei")
    result = run("-a", f"sources={path}", "-a", "portals=", "-s", f"GOVLAW_OUTPUT_DIR={tmp_path / 'o'}")
    assert_one_line(result, f"{path}: -a portals= names no portal; give ids separated by commas (a, shanwei), "
                            "or leave -a portals out to crawl them all")


def test_settings_and_arguments_mistakes(run, tmp_path):
    out = f"GOVLAW_OUTPUT_DIR={tmp_path / 'o'}"
    assert_one_line(run("-s", out, "-s", "GOVLAW_OUTPUT_DIRS=/srv"),
                    "setting GOVLAW_OUTPUT_DIRS (-s GOVLAW_OUTPUT_DIRS=…) is not a govlaw setting; did you mean "
                    f"GOVLAW_OUTPUT_DIR? govlaw's settings are {', '.join(sorted(preflight.known_settings()))}")
    assert {"GOVLAW_OUTPUT_DIR", "GOVLAW_STATE_PATH", "GOVLAW_KNOWN_MARGIN"} <= preflight.known_settings()
    assert_one_line(run("-s", out, "-s", "GOVLAW_MAX_LISTING_PAGES=lots"),
                    "setting GOVLAW_MAX_LISTING_PAGES='lots' must be a whole number of at least 1; "
                    "e.g. -s GOVLAW_MAX_LISTING_PAGES=200")
    assert_one_line(run("-s", out, "-s", "GOVLAW_PREFILTER_TITLES=perhaps"),
                    "setting GOVLAW_PREFILTER_TITLES='perhaps' must be true or false (1 or 0); "
                    "e.g. -s GOVLAW_PREFILTER_TITLES=true")
    assert_one_line(run("-s", out, "-s", "DOWNLOAD_DELAY=fast"),
                    "setting DOWNLOAD_DELAY='fast' must be a number; e.g. -s DOWNLOAD_DELAY=0")
    assert_one_line(run("-s", out, "-s", "GOVLAW_OUTPUT_DIR"),
                    "-s 'GOVLAW_OUTPUT_DIR' is not NAME=VALUE; write it as -s NAME=VALUE, "
                    "e.g. -s GOVLAW_OUTPUT_DIR=/srv/govlaw")
    assert_one_line(run("-s", out, "-a", "source=portals.yaml"),
                    "spider argument -a source=… is not one the reports spider takes; did you mean sources? "
                    "its arguments are sources, portals, full")
    assert_one_line(run("-s", out, "-a", "sources="),
                    "-a sources= names no file; pass -a sources=<a YAML file of portals>, or leave it out to crawl "
                    "the starter registry")


def test_output_directory_that_is_a_file(run, tmp_path):
    afile = tmp_path / "feed.txt"
    afile.write_text("not a directory")
    assert_one_line(run("-s", f"GOVLAW_OUTPUT_DIR={afile}"),
                    f"output directory {afile} is a file, not a directory; "
                    "pass -s GOVLAW_OUTPUT_DIR=<a directory you can write to>")
    assert_one_line(run("-s", f"GOVLAW_OUTPUT_DIR={afile / 'out'}"),
                    f"cannot create output directory {afile / 'out'}: {afile} is a file; "
                    "pass -s GOVLAW_OUTPUT_DIR=<a directory you can write to>")
    assert_one_line(run("-s", f"GOVLAW_OUTPUT_DIR={tmp_path / 'o'}", "-s", f"GOVLAW_STATE_PATH={tmp_path}"),
                    f"state file {tmp_path} is a directory; pass -s GOVLAW_STATE_PATH=<a file name>, "
                    "e.g. state.sqlite inside it")


def test_output_directory_not_writable(run, tmp_path):
    """A directory without write permission (root writes anywhere: as root,
    the command runs without the capabilities that override permissions)."""
    prefix = ()
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: root can write to any directory")
        prefix = ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--")
    readonly = tmp_path / "out"
    readonly.mkdir()
    readonly.chmod(0o555)
    try:
        result = run("-s", f"GOVLAW_OUTPUT_DIR={readonly}", prefix=prefix)
    finally:
        readonly.chmod(0o755)
    assert_one_line(result, f"output directory {readonly} is not writable (Permission denied); "
                            "pass -s GOVLAW_OUTPUT_DIR=<a directory you can write to>")


def test_debug_shows_the_traceback_behind_the_line(run, tmp_path):
    path = tmp_path / "portals.yaml"
    path.write_text("- id: a\n  start_urls: [file:///etc/passwd]\n", encoding="utf-8")
    line = (f"govlaw: {path} line 1, entry 1 (id a): start_urls: 'file:///etc/passwd' is a file: address; only "
            "http:// and https:// pages are crawled\n")
    for flags in (["--debug"], ["-L", "DEBUG"]):
        result = run("-a", f"sources={path}", *flags)
        assert result.returncode == 2
        assert "Traceback (most recent call last)" in result.stderr and "SourcesError" in result.stderr
        assert result.stderr.endswith(line)


def test_govlaw_debug_before_the_command(tmp_path):
    path = tmp_path / "portals.yaml"
    path.write_text("", encoding="utf-8")
    cmd = [str(GOVLAW)] if GOVLAW.exists() else [sys.executable, "-m", "govlaw.cli"]
    result = subprocess.run([*cmd, "--debug", "crawl", "-a", f"sources={path}"], cwd=tmp_path, env=_ENV,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" in result.stderr
    assert result.stderr.endswith(f"govlaw: {path}: the file lists no portals; add at least one entry "
                                  "(- id: …, name: …, start_urls: [https://…])\n")


def test_a_damaged_state_is_one_line_with_its_exit_status(run, tmp_path, demo_sources):
    state = pytest.importorskip("govlaw.state")
    if not hasattr(state, "StateError"):
        pytest.skip("govlaw.state.StateError does not exist yet")
    out = tmp_path / "out"
    out.mkdir()
    (out / "state.sqlite").write_bytes(b"this is not a database" * 100)
    result = run("-a", f"sources={demo_sources}", "-s", f"GOVLAW_OUTPUT_DIR={out}")
    assert "Traceback" not in result.stderr and "Task exception" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"govlaw: state file {out / 'state.sqlite'} ")
    assert result.returncode == state.StateError("x").exit_code != 0


# -- the loader, value by value --------------------------------------------------

def test_hosts_as_a_single_string_is_a_one_element_list(tmp_path):
    path = tmp_path / "portals.yaml"
    path.write_text("- id: a\n  start_urls: [http://127.0.0.1:8701/zwgk/]\n  hosts: 127.0.0.1:8701\n",
                    encoding="utf-8")
    [portal] = sources.load(path)
    assert portal.hosts == frozenset({"127.0.0.1:8701"})  # not {'1', '2', '7', '.', …}


@pytest.mark.parametrize("written,code", [("441500", "441500"), ("'441500'", "441500"), ('"011000"', "011000"),
                                          ("11000", "011000"), ("360902", "360902")])
def test_region_codes_accepted(written, code, tmp_path):
    path = tmp_path / "portals.yaml"
    path.write_text(OK + f"  region_code: {written}\n", encoding="utf-8")
    assert sources.load(path)[0].region_code == code


def test_an_octal_int_without_its_text_is_recognised():
    """No YAML text to go by (a mapping built in code): 4608 is 011000 read as octal."""
    with pytest.raises(SourcesError, match=r"region_code 011000 is read by YAML as the octal number 4608; quote it"):
        sources._portal({"id": "a", "start_urls": ["http://a.gov.cn/"], "region_code": 4608}, None, "x entry 1")


def test_the_starter_registry_loads():
    portals = sources.load()
    assert len(portals) >= 9 and all(p.start_urls and not p.verified for p in portals)


def test_an_unusable_lock_file_is_an_output_error(tmp_path):
    from govlaw.run import OutputError, RunContext

    (tmp_path / ".lock").mkdir()
    with pytest.raises(OutputError) as info:
        RunContext(tmp_path)
    assert str(info.value) == (f"cannot open the lock file {tmp_path / '.lock'} (Is a directory); make it writable "
                               "by this user, or pass -s GOVLAW_OUTPUT_DIR=<a directory you can write to>")
    assert info.value.exit_code == 2


def test_a_new_govlaw_setting_is_checked_by_its_default(monkeypatch):
    from scrapy.settings import Settings

    import govlaw.settings

    monkeypatch.setattr(govlaw.settings, "GOVLAW_SOME_LIMIT", 5, raising=False)
    settings = Settings()
    settings.setmodule(govlaw.settings, priority="project")
    settings.set("GOVLAW_SOME_LIMIT", "five", priority="cmdline")
    with pytest.raises(preflight.SettingsError) as info:
        preflight.check_settings(settings)
    assert str(info.value) == ("setting GOVLAW_SOME_LIMIT='five' must be a whole number of at least 0; "
                               "e.g. -s GOVLAW_SOME_LIMIT=5")
    settings.set("GOVLAW_SOME_LIMIT", "7", priority="cmdline")
    preflight.check_settings(settings)

"""`govlaw extract` on the real seed pages: clean bodies and their metadata."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chrome_strings import chrome_in

SEEDS = sorted((Path(__file__).parent / "seeds").glob("*.txt"))


def run_extract(*paths) -> tuple[int, list[dict]]:
    proc = subprocess.run([sys.executable, "-m", "govlaw.cli", "extract", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()]


@pytest.fixture(scope="module")
def extracted():
    code, lines = run_extract(*SEEDS)
    assert code == 0
    return dict(zip(SEEDS, lines))


def test_five_seeds_are_present():
    assert [p.name[:3] for p in SEEDS] == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_matches_expected(extracted, seed):
    expected = json.loads(seed.with_name(seed.stem + ".expected.json").read_text(encoding="utf-8"))
    got = extracted[seed]
    assert {k: got.get(k) for k in expected} == expected


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_body_has_none_of_its_chrome_lines(extracted, seed):
    body = extracted[seed]["body"]
    from govlaw.extract.chrome import is_chrome

    chrome_lines = [l.strip() for l in seed.read_text(encoding="utf-8").splitlines() if l.strip() and is_chrome(l.strip())]
    # Seed 004 is a bare body; the other four carry their portals' chrome.
    assert bool(chrome_lines) == (seed.name[:3] != "004")
    assert [l for l in chrome_lines if l in body.split("\n\n")] == []
    assert chrome_in(body) == []


def test_unreadable_files_get_an_error_line(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "noise.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    missing = tmp_path / "missing.html"
    code, lines = run_extract(SEEDS[0], empty, binary, missing)
    assert code == 1
    assert [l.get("error") for l in lines] == [
        None, "empty file", "binary data: not a saved page, a text dump or a PDF, DOCX or OFD file", "cannot read file: No such file or directory"]
    assert lines[0]["is_report"] is True


def test_gbk_text_dump_is_read(tmp_path):
    seed = SEEDS[3]
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))
    _, [utf8_line] = run_extract(seed)
    _, [gbk_line] = run_extract(gbk)
    assert gbk_line["body"] == utf8_line["body"]
    assert gbk_line["title"] == "汕尾市人民政府2020年法治政府建设年度报告"


FIXTURES = Path(__file__).parent / "fixtures" / "attachments"
REPORT_TEXT = (FIXTURES / "report_text.txt").read_text(encoding="utf-8")
TITLE = "清河县人民政府2023年法治政府建设情况报告"


@pytest.mark.parametrize("name", ["report.pdf", "report.docx"])
def test_report_files_are_read_by_their_bytes(tmp_path, name):
    """A file given without its extension is read for what its bytes are."""
    nameless = tmp_path / "download"
    nameless.write_bytes((FIXTURES / name).read_bytes())
    code, [line] = run_extract(nameless)
    assert code == 0, line
    assert line["body_source"] == "attachment"
    assert "%PDF" not in line["body"]
    assert line["body"].startswith("2023年，清河县人民政府坚持以习近平法治思想为指导")
    assert line["is_report"] is True


def test_an_unread_file_kind_is_named(tmp_path):
    code, [line] = run_extract(FIXTURES / "report.doc")
    assert code == 1
    assert line["error"] == "DOC file not read: binary Word (.doc) files are not read"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "big5", "gb18030"])
def test_text_dumps_in_every_encoding(tmp_path, encoding):
    from govlaw.extract import zh

    text = TITLE + "\n" + REPORT_TEXT
    if encoding == "big5":
        text = zh.opencc.OpenCC("s2tw").convert(text)  # Big5 holds Traditional characters only
    path = tmp_path / f"dump-{encoding}.txt"
    path.write_bytes(text.encode(encoding, errors="strict"))
    code, [line] = run_extract(path)
    assert code == 0, line
    assert line["title"] == text.splitlines()[0]
    assert line["is_report"] is True
    assert "\ufffd" not in line["body"]


def test_a_broken_byte_in_utf8_stays_utf8(tmp_path):
    """One byte lost in a UTF-8 page is one replacement character, not a
    switch to GBK that turns the title into mojibake."""
    html = (f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
            + "".join(f"<p>{p}</p>" for p in REPORT_TEXT.split("\n\n")) + "</body></html>").encode("utf-8")
    cut = html.index("深化".encode("utf-8")) + 1
    path = tmp_path / "broken.html"
    path.write_bytes(html[:cut] + html[cut + 1:])
    code, [line] = run_extract(path)
    assert code == 0
    assert (line["title"], line["encoding"], line["is_report"]) == (TITLE, "utf-8", True)
    assert line["body"].count("\ufffd") == 1

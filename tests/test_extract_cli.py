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
        None, "empty file", "binary data: not a saved page or text dump", "cannot read file: No such file or directory"]
    assert lines[0]["is_report"] is True


def test_gbk_text_dump_is_read(tmp_path):
    seed = SEEDS[3]
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))
    _, [utf8_line] = run_extract(seed)
    _, [gbk_line] = run_extract(gbk)
    assert gbk_line["body"] == utf8_line["body"]
    assert gbk_line["title"] == "汕尾市人民政府2020年法治政府建设年度报告"

"""A lost or damaged state stops the run — one sentence, exit status 3, the
feed untouched — instead of passing for a first run that announces every
report again; `govlaw state restore` brings back the last good state, after
which a re-run finds nothing new."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest

from conftest import crawl, read_jsonl
from govlaw.cli import main as govlaw
from govlaw.demo.server import DemoPortals
from govlaw.run import RunContext
from govlaw.state import EX_STATE, SQLiteStore, StateError, backup, open_store
from govlaw.state.guard import check

REPORTS = 13


@pytest.fixture(scope="module")
def portals(tmp_path_factory):
    with DemoPortals() as demo:
        sources = tmp_path_factory.mktemp("guard") / "sources.yaml"
        demo.write_sources(sources)
        yield sources


@pytest.fixture(scope="module")
def good_output(portals, tmp_path_factory):
    output = tmp_path_factory.mktemp("guarded") / "output"
    result = crawl(portals, output)
    assert result.returncode == 0, result.stderr[-3000:]
    return output


@pytest.fixture
def output(good_output, tmp_path):
    copy = tmp_path / "output"
    shutil.copytree(good_output, copy)
    return copy


def _files(output):
    """Every file of the output, byte for byte (the lock file holds a pid)."""
    return {p.relative_to(output): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file() and p.name != ".lock"}


def _run_id(output):
    return json.loads((output / "state.marker.json").read_text())["run_id"]


def _refused(portals, output, damage, expected):
    damage(output / "state.sqlite")
    before = _files(output)
    result = crawl(portals, output)
    assert result.returncode == EX_STATE, result.stderr[-2000:]
    assert f"govlaw: state file {output / 'state.sqlite'} is {expected}" in result.stderr
    assert "`govlaw state restore`" in result.stderr
    assert "Traceback" not in result.stderr
    assert _files(output) == before  # no file written, the damaged state left as it was


def test_an_emptied_state_stops_the_run(portals, output):
    _refused(portals, output, lambda p: p.write_bytes(b""),
             f"empty (0 bytes) but run {_run_id(output)} left {REPORTS} reports in it")


def test_a_deleted_state_stops_the_run(portals, output):
    _refused(portals, output, lambda p: p.unlink(), f"missing but run {_run_id(output)} left {REPORTS} reports")


def test_a_garbage_state_stops_the_run(portals, output):
    _refused(portals, output, lambda p: p.write_bytes(os.urandom(64 * 1024)), "damaged (not an SQLite database)")


def test_a_truncated_state_stops_the_run(portals, output):
    def truncate(path):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    _refused(portals, output, truncate, "damaged")


def test_a_foreign_database_stops_the_run(portals, output):
    def foreign(path):
        path.unlink()
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE notes (x)")
        db.commit()
        db.close()
    _refused(portals, output, foreign, "not a govlaw state")


def test_restore_brings_back_the_last_good_state(portals, output, capsys):
    reports = read_jsonl(output / "reports.jsonl")
    (output / "state.sqlite").write_bytes(b"")
    assert govlaw(["state", "check", "--output", str(output)]) == EX_STATE
    said = capsys.readouterr()
    assert f"{_run_id(output)}" in said.out and f"ok, {REPORTS} reports" in said.out  # the backup is listed
    assert govlaw(["state", "restore", "--output", str(output)]) == 0
    assert f"(run {_run_id(output)}: {REPORTS} reports" in capsys.readouterr().out
    assert govlaw(["state", "check", "--output", str(output)]) == 0

    result = crawl(portals, output)
    assert result.returncode == 0, result.stderr[-2000:]
    last = sorted((output / "changes").glob("*.jsonl"))[-1]
    assert read_jsonl(last) == []  # no spurious `new`
    summary = json.loads((output / "runs" / f"{last.stem}.json").read_text())
    assert summary["changes"] == {"new": 0, "updated": 0, "withdrawn": 0}
    strip = lambda rs: [{k: v for k, v in r.items() if k != "last_seen"} for r in rs]  # noqa: E731
    assert strip(read_jsonl(output / "reports.jsonl")) == strip(reports)


def test_restore_a_named_run_and_refuse_while_a_run_holds_the_output(output, capsys):
    [(run_id, _)] = backup.backups(output)
    holder = RunContext(output)
    try:
        assert govlaw(["state", "restore", run_id, "--output", str(output)]) == 75
        assert "in use by another govlaw run" in capsys.readouterr().err
    finally:
        holder.close()
    assert govlaw(["state", "restore", "20000101T000000Z", "--output", str(output)]) == EX_STATE
    assert f"no backup of run 20000101T000000Z in {output / 'backups'} (there are: {run_id})" in capsys.readouterr().err
    assert govlaw(["state", "restore", run_id, "--output", str(output)]) == 0


# --- without a crawl ----------------------------------------------------------------

def test_a_first_run_is_a_first_run(tmp_path):
    check(tmp_path / "state.sqlite", tmp_path / "state.marker.json", tmp_path / "reports.jsonl")  # no error
    (tmp_path / "reports.jsonl").write_text('{"id": "x"}\n')
    with pytest.raises(StateError) as caught:
        open_store(tmp_path / "state.sqlite", tmp_path)
    assert caught.value.exit_code == EX_STATE
    assert f"{tmp_path / 'reports.jsonl'} lists 1 reports" in str(caught.value)
    assert not (tmp_path / "state.sqlite").exists()  # nothing created behind the refusal


def test_only_the_newest_backups_are_kept(tmp_path):
    store = SQLiteStore(tmp_path / "state.sqlite")
    try:
        for day in range(1, 6):
            backup.take(store, tmp_path, f"2025040{day}T031700Z", keep=3)
    finally:
        store.close()
    assert [r for r, _ in backup.backups(tmp_path)] == ["20250405T031700Z", "20250404T031700Z", "20250403T031700Z"]
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
        "state-20250403T031700Z.sqlite", "state-20250404T031700Z.sqlite", "state-20250405T031700Z.sqlite"]

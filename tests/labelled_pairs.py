"""Labelled report pairs (tests/dedupe, benchmarks/dedupe_holdout) and the
decision the dedupe pipeline makes on them: text a is indexed alone, and
the index is asked whether text b is the same report."""
from __future__ import annotations

import csv
from pathlib import Path

import yaml

from govlaw.dedupe import NearDuplicateIndex, match_key


def load_text(folder: Path, text_id: str) -> tuple[dict, str]:
    front, body = (folder / "texts" / f"{text_id}.txt").read_text(encoding="utf-8").split("\n---\n", 1)
    return yaml.safe_load(front), body


def decisions(folder: Path) -> list[tuple[dict, bool, bool]]:
    """(pair row, labelled same, merged) for every pair of the folder."""
    out = []
    for row in csv.DictReader((folder / "pairs.csv").open(encoding="utf-8")):
        (meta_a, a), (meta_b, b) = load_text(folder, row["a"]), load_text(folder, row["b"])
        keys = {"a": match_key(a)}
        index = NearDuplicateIndex(keys.get)
        index.add("a", keys["a"], meta_a["report_year"])
        merged = index.find(match_key(b), meta_b["report_year"]) == "a"
        out.append((row, row["label"] == "same", merged))
    return out

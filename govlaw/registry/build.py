"""Build the national registry from the data files in govlaw/registry/data/.

    python -m govlaw.registry.build [--data DIR] [--output FILE]

Reads `division-codes.csv` (every division code in use since 1980, with its
successors) and `portal-homes.jsonl` (portal home pages by province/city/name),
and writes `national.jsonl`: one government per line, sorted by code. The
output depends only on the two files, so a rebuild gives the same bytes.

- Entries: every province-, prefecture- and county-level division in use
  (状态 在用) in the code list, except Hong Kong, Macao and Taiwan.
- `former_codes`, `former_names`: the code history followed backwards. A row
  that ended (弃用, 变更) continues as its successor when it has exactly one
  (a rename, a new code, a merger into it) or when its own code is among its
  successors (renamed, giving land to others); a 变更 row without a successor
  continues under its own code. A division split among several successors is
  none of them. Successors marked with a year (130108[2001]) are land given
  away while the division lived on, never a continuation.
- `home_url`: joined by province / city / name. Home-page rows that name no
  division of the code list (new areas, the 兵团, districts the list does not
  have) are left out and printed.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
OUTPUT = HERE / "national.jsonl"
CODES_FILE = "division-codes.csv"
HOMES_FILE = "portal-homes.jsonl"

LEVELS = {"省级": "province", "地级": "city", "县级": "county"}
OUT_OF_SCOPE = {"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区"}
DIRECT = "直辖"  # 二级行政区 of a county-level unit under its province (or a municipality's district)
FIELDS = ("id", "code", "name", "full_name", "level", "parent", "home_url", "former_codes", "former_names",
          "verified")


@dataclass
class Row:
    index: int
    code: str
    province: str
    city: str
    name: str
    level: str
    status: str
    start: int
    end: int | None
    successors: list[str]   # unmarked successor codes (a continuation or a split)
    continues_as: "Row | None" = None
    predecessors: list["Row"] = field(default_factory=list)


def read_codes(path: Path) -> list[Row]:
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for i, rec in enumerate(csv.DictReader(fh)):
            succ = [s for s in (rec["新代码"] or "").split(";") if s and "[" not in s]
            rows.append(Row(i, rec["代码"], rec["一级行政区"], rec["二级行政区"], rec["名称"], LEVELS[rec["级别"]],
                            rec["状态"], int(rec["启用时间"]), int(rec["变更/弃用时间"]) if rec["变更/弃用时间"] else None,
                            succ))
    return rows


def link_history(rows: list[Row]) -> None:
    """Set each ended row's continuation (the row it became), and the reverse links."""
    by_code: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_code[row.code].append(row)
    for row in rows:
        if row.end is None:
            continue
        if row.code in row.successors or (row.status == "变更" and not row.successors):
            target = row.code
        elif len(row.successors) == 1:
            target = row.successors[0]
        else:
            continue  # abolished without successor, or split among several
        nxt = _row_at(by_code.get(target, []), row.end, exclude=row)
        if nxt is not None:
            row.continues_as = nxt
            nxt.predecessors.append(row)


def _row_at(rows: list[Row], year: int, exclude: Row) -> Row | None:
    """The row of a code that was in use in `year` (the one that began then
    when one ended and another began that year)."""
    live = [r for r in rows if r is not exclude and r.start <= year and (r.end is None or year < r.end)]
    if live:
        return max(live, key=lambda r: (r.start, r.index))
    later = [r for r in rows if r is not exclude and r.start > year]
    return min(later, key=lambda r: (r.start, r.index)) if later else None


def history(row: Row) -> list[Row]:
    """Every earlier row that continues, through any chain, into `row`: most recent first."""
    seen, out, todo = {row.index}, [], list(row.predecessors)
    while todo:
        r = todo.pop()
        if r.index in seen:
            continue
        seen.add(r.index)
        out.append(r)
        todo.extend(r.predecessors)
    return sorted(out, key=lambda r: (-(r.end or 0), r.code, r.index))


def full_name(name: str, level: str, parent_name: str | None) -> str:
    """The government's own name: 地区 and 盟 are governed by a 行政公署 (an
    agency of the province), every other division by a 人民政府; a district
    (区, not 特区 or 林区) is named with its city: 南通市海门区人民政府."""
    if level == "city" and name.endswith(("地区", "盟")):
        return name + "行政公署"
    if level == "county" and parent_name and name.endswith("区") and not name.endswith(("特区", "林区")):
        return parent_name + name + "人民政府"
    return name + "人民政府"


def build(data_dir: Path = DATA_DIR) -> tuple[list[dict], dict]:
    """(entries sorted by code, a report of what was joined and left out)."""
    rows = read_codes(data_dir / CODES_FILE)
    link_history(rows)
    current = [r for r in rows if r.status == "在用" and r.code[:2] not in OUT_OF_SCOPE]
    codes = [r.code for r in current]
    if len(codes) != len(set(codes)):
        raise SystemExit("division-codes.csv: a code is in use twice")
    provinces = {r.province: r for r in current if r.level == "province"}
    cities = {(r.province, r.name): r for r in current if r.level == "city"}

    def parent_of(r: Row) -> Row | None:
        if r.level == "province":
            return None
        if r.level == "city" or r.city == DIRECT:
            return provinces[r.province]
        return cities[(r.province, r.city)]

    homes, report = join_homes(data_dir / HOMES_FILE, current)
    entries = []
    for r in sorted(current, key=lambda r: r.code):
        parent = parent_of(r)
        past = history(r)
        former_names = []
        for p in past:
            if p.name != r.name and p.name not in former_names:
                former_names.append(p.name)
        entries.append({
            "id": f"gov-{r.code}",
            "code": r.code,
            "name": r.name,
            "full_name": full_name(r.name, r.level, parent.name if parent else None),
            "level": r.level,
            "parent": parent.code if parent else None,
            "home_url": homes.get(r.code),
            "former_codes": sorted({p.code for p in past} - {r.code}),
            "former_names": former_names,
            "verified": False,
        })
    return entries, report


def join_homes(path: Path, current: list[Row]) -> tuple[dict[str, str], dict]:
    """code → home URL; and the rows that joined no division."""
    keys: dict[tuple, Row] = {}
    for r in current:
        if r.level == "province":
            keys[(r.province,)] = r
        elif r.level == "city":
            keys[(r.province, r.name)] = r
        else:
            keys[(r.province, r.city, r.name)] = r
    homes, left_out, out_of_scope, no_url = {}, [], [], []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            parts = rec["path"].split("/")
            row = _home_row(parts, keys)
            if parts[0] in OUT_OF_SCOPE.values():
                out_of_scope.append(rec["path"])
            elif row is None:
                left_out.append(rec)
            elif row.code in homes:
                raise SystemExit(f"{HOMES_FILE}: {rec['path']} joins {row.code}, which already has a home page")
            elif rec.get("home_url"):
                homes[row.code] = rec["home_url"]
            else:
                no_url.append(rec["path"])
    shared = defaultdict(list)
    for code, url in homes.items():
        shared[url].append(code)
    return homes, {"left_out": left_out, "out_of_scope": out_of_scope, "no_url": no_url,
                   "shared": {u: c for u, c in shared.items() if len(c) > 1}}


def _home_row(parts: list[str], keys: dict) -> Row | None:
    """A row of the home-page list → its division: a province; a prefecture or a
    unit directly under the province (a municipality's district, 仙桃市); a county
    under its city, or under its province when the middle name is no city (the
    兵团's cities)."""
    if len(parts) == 1:
        return keys.get((parts[0],))
    if len(parts) == 2:
        return keys.get((parts[0], parts[1])) or keys.get((parts[0], DIRECT, parts[1]))
    if len(parts) == 3:
        return keys.get((parts[0], parts[1], parts[2])) or (
            None if (parts[0], parts[1]) in keys else keys.get((parts[0], DIRECT, parts[2])))
    return None


def dumps(entries: list[dict]) -> str:
    return "".join(json.dumps({k: e[k] for k in FIELDS}, ensure_ascii=False) + "\n" for e in entries)


def summary(entries: list[dict], report: dict) -> list[str]:
    by_level = defaultdict(int)
    for e in entries:
        by_level[e["level"]] += 1
    lines = [f"{len(entries)} governments: " + ", ".join(f"{by_level[k]} {k}" for k in ("province", "city", "county")),
             f"{sum(1 for e in entries if e['home_url'])} with a home page; "
             f"{sum(1 for e in entries if e['former_codes'] or e['former_names'])} with a former code or name",
             f"home-page rows out of scope (Hong Kong, Macao, Taiwan): {len(report['out_of_scope'])}",
             f"home-page rows without an address: {len(report['no_url'])} ({', '.join(report['no_url'])})",
             f"home-page rows that are no division of the code list, left out: {len(report['left_out'])}"]
    lines += [f"  {rec['path']}  {rec.get('home_url')}" for rec in report["left_out"]]
    for url, codes in sorted(report["shared"].items()):
        lines.append(f"home page shared by {', '.join(codes)}: {url}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govlaw.registry.build", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of the data files")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the registry file to write")
    args = parser.parse_args(argv)
    entries, report = build(args.data)
    text = dumps(entries)
    tmp = args.output.with_name(args.output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.output)
    print("\n".join(summary(entries, report)))
    print(f"written: {args.output.name if args.output == OUTPUT else args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

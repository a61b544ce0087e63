"""`govlaw registry`: the national registry of governments.

    govlaw registry stats                                   counts by level and province, home pages
    govlaw registry show CODE|NAME [--context CODE]         one government (320614, 海门区, 南通市海门区人民政府)
    govlaw registry export [--province NAME] [--level LEVEL] [--format yaml|jsonl] [-o FILE]
                                                            a sources file of the governments chosen

Exit status: 0 done; 2 a code, name, province or level the registry does not have.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import yaml

from govlaw.errors import GovlawError, report
from govlaw.registry.lookup import LEVELS, Entry, Registry, load


class RegistryError(GovlawError):
    """A code, name or filter the registry cannot answer."""


def add_parser(sub) -> None:
    p = sub.add_parser("registry", help="the national registry: counts, one government, a sources file",
                       description=__doc__.split("\n")[0])
    actions = p.add_subparsers(dest="action", required=True)
    actions.add_parser("stats", help="counts by level and by province, and how many have a home page")
    a = actions.add_parser("show", help="one government, by code (current or former) or by name")
    a.add_argument("key", metavar="CODE|NAME")
    a.add_argument("--context", metavar="CODE", help="region code that decides a name several governments share")
    a = actions.add_parser("export", help="write the governments chosen as a sources file")
    a.add_argument("--province", metavar="NAME", help="one province: 江苏, 江苏省 or 320000")
    a.add_argument("--level", choices=LEVELS, help="one level")
    a.add_argument("--format", choices=("yaml", "jsonl"), default="yaml", help="yaml (default) or jsonl")
    a.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    a.add_argument("--verified-from", metavar="STATE", help="a crawl's state.sqlite: governments whose portal "
                   "holds a report there are written verified: true")
    p.set_defaults(func=main)


def main(args) -> int:
    try:
        registry = load()
        if args.action == "stats":
            text = "\n".join(stats(registry)) + "\n"
        elif args.action == "show":
            text = "\n".join(show(registry, args.key, args.context)) + "\n"
        else:
            verified = reached(args.verified_from) if getattr(args, "verified_from", None) else set()
            text = export(registry, province=args.province, level=args.level, fmt=args.format, verified=verified)
    except RegistryError as exc:
        return report(exc, getattr(args, "debug", False))
    if getattr(args, "output", None):
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


# -- stats -------------------------------------------------------------------------

def stats(registry: Registry) -> list[str]:
    entries = registry.entries
    levels = Counter(e.level for e in entries)
    homes = sum(1 for e in entries if e.home_url)
    lines = [
        f"governments: {sum(levels[k] for k in LEVELS[:3])} ({levels['province']} province, {levels['city']} city, "
        f"{levels['county']} county); departments: {levels['department']}",
        f"with a home page: {homes}; verified: {sum(1 for e in entries if e.verified)}",
        f"with former codes: {sum(1 for e in entries if e.former_codes)} "
        f"({sum(len(e.former_codes) for e in entries)} codes); "
        f"with former names: {sum(1 for e in entries if e.former_names)}",
        "",
        f"{'province':8}  {'entries':>7}  {'city':>4}  {'county':>6}  {'department':>10}  {'home page':>9}  name",
    ]
    by_province: dict[str, list[Entry]] = {}
    for e in entries:
        by_province.setdefault(registry.province(e).code, []).append(e)
    for code in sorted(by_province):
        group = by_province[code]
        count = Counter(e.level for e in group)
        lines.append(f"{code:8}  {len(group):7}  {count['city']:4}  {count['county']:6}  {count['department']:10}  "
                     f"{sum(1 for e in group if e.home_url):9}  {registry.get(code).name}")
    return lines


# -- show --------------------------------------------------------------------------

def find(registry: Registry, key: str, context: str | None = None) -> tuple[Entry, str | None]:
    """The government a code or name means, and a note when it was found by a former code."""
    key = key.strip()
    if key.isdigit() and len(key) == 6:
        entry = registry.get(key)
        if entry is not None:
            return entry, None if entry.code == key else f"{key} is a former code of {entry.code}"
        heirs = registry.heirs(key)
        if heirs:
            raise RegistryError(f"{key} is a former code of {len(heirs)} governments: {_names(heirs)}; "
                                "give one of their codes")
        raise RegistryError(f"no government in the registry has the code {key} (now or formerly)")
    found = registry.candidates(key, context)
    if len(found) == 1:
        return found[0], None
    if found:
        raise RegistryError(f"{key} names {len(found)} governments: {_names(found)}; give the code, or the name "
                            f"with its city or province ({registry.parent(found[0]).name}{found[0].name}), "
                            "or --context CODE")
    raise RegistryError(f"no government in the registry is named {key}; give a 6-digit code or a name such as "
                        "南通市海门区 or 汕尾市人民政府")


def show(registry: Registry, key: str, context: str | None = None) -> list[str]:
    entry, note = find(registry, key, context)
    parent = registry.parent(entry)
    province = registry.province(entry)
    lines = [note] if note else []
    lines += [
        f"id: {entry.id}",
        f"code: {entry.code}",
        f"name: {entry.name}",
        f"full_name: {entry.full_name}",
        f"level: {entry.level}",
        f"parent: {parent.code} {parent.name}" if parent else "parent: none",
        f"province: {province.code} {province.name}",
        f"home_url: {entry.home_url or 'none'}",
        f"former_codes: {' '.join(entry.former_codes) or 'none'}",
        f"former_names: {' '.join(entry.former_names) or 'none'}",
        f"verified: {str(entry.verified).lower()}",
    ]
    return lines


def _names(entries: list[Entry]) -> str:
    return ", ".join(f"{e.code} {e.full_name}" for e in entries)


# -- export ------------------------------------------------------------------------

def select(registry: Registry, province: str | None = None, level: str | None = None) -> list[Entry]:
    entries = registry.entries
    if province:
        chosen = _province(registry, province)
        entries = [e for e in entries if registry.province(e).code == chosen.code]
    if level:
        entries = [e for e in entries if e.level == level]
    return entries


def _province(registry: Registry, key: str) -> Entry:
    key = key.strip()
    provinces = [e for e in registry.entries if e.level == "province"]
    found = [p for p in provinces if key in (p.code, p.name)] or [p for p in provinces if p.name.startswith(key)]
    if len(found) == 1:
        return found[0]
    raise RegistryError(f"--province {key}: {'several' if found else 'no'} province{'s' if found else ''} "
                        f"{'match' if found else 'matches'}; give one of "
                        f"{', '.join(p.name for p in (found or provinces))}, or its code")


def reached(state_path: str) -> set[str]:
    """Ids of the portals a crawl's state holds reports on (read-only, without a run)."""
    import sqlite3

    path = Path(state_path)
    if not path.is_file():
        raise RegistryError(f"--verified-from {state_path}: no such state file; give a crawl's state.sqlite")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT DISTINCT a.portal FROM addresses a JOIN reports r ON r.id = a.report_id"
                              " WHERE r.withdrawn = 0 AND a.portal IS NOT NULL").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise RegistryError(f"--verified-from {state_path}: not a govlaw state ({exc}); give a crawl's "
                            "state.sqlite") from None
    return {portal for (portal,) in rows}


def source_entry(entry: Entry, verified: bool = False) -> dict:
    """An entry in the sources-file form the spider reads: the government's
    name, its code as region_code, its home page (the registry knows no report
    columns yet, so no start_urls), its former codes and names when it has any."""
    out = {"id": entry.id, "name": entry.full_name, "region_code": entry.code, "level": entry.level,
           "parent": entry.parent, "home_url": entry.home_url}
    if entry.former_codes:
        out["former_codes"] = list(entry.former_codes)
    if entry.former_names:
        out["former_names"] = list(entry.former_names)
    out["verified"] = entry.verified or verified
    return out


def export(registry: Registry, province: str | None = None, level: str | None = None, fmt: str = "yaml",
           verified: set[str] = frozenset()) -> str:
    rows = [source_entry(e, e.id in verified) for e in select(registry, province, level)]
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    # A sources file lists portals to crawl: a government with no known home
    # page cannot be one (the spider would refuse the whole file), so it is
    # named in the header instead. The JSONL form keeps every division.
    left_out = [r for r in rows if not r["home_url"]]
    rows = [r for r in rows if r["home_url"]]
    chosen = " ".join(f"--{k} {v}" for k, v in (("province", province), ("level", level)) if v)
    head = (f"# {len(rows)} governments of the national registry (govlaw registry export{' ' + chosen if chosen else ''}).\n"
            "# Home pages are unverified: each entry is verified: false until a crawl has found a report there.\n")
    if left_out:
        head += (f"# Left out, no home page known ({len(left_out)}): "
                 + ", ".join(f"{r['region_code']} {r['name']}" for r in left_out) + ".\n")
    if not rows:
        return head + "[]\n"
    return head + yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)

"""The national registry (national.jsonl): every government by code and by name.

    from govlaw import registry
    registry.load().get("320614")                          # 海门区
    registry.resolve_publisher("海门市司法局")               # 海门区 (its former name; a department's government)
    registry.resolve_publisher("城区人民政府", "441500")     # 汕尾市城区: the portal's region decides

A publisher's name is read as a chain of division names (the longest name at
each point: 江苏省 南通市 海门区) followed by an organ (人民政府, 司法局,
包场镇人民政府). The last division is the government; the names before it
must be its ancestors. A name several governments share (朝阳区, 城区) is
decided by the context, the region code of the portal the report was found
on: a government on the portal's own line (itself, below it or above it)
before one of its city, of its province, then elsewhere; then a current
name before a former one (泰州市 is the city, not the county-level city of
that name that became 海陵区 in 1996). What is still a tie resolves to
nothing: 朝阳区 alone is 北京's or 长春's.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
NATIONAL = HERE / "national.jsonl"
LEVELS = ("province", "city", "county", "department")

# What follows the division names when the publisher is the government itself
# (or its party committee, which the reports name beside it).
GOVERNMENT_ORGANS = {"", "人民政府", "政府", "行政公署", "行署", "委", "委员会", "党委"}
_LEADING = re.compile(r"^(中国共产党|中共)")


@dataclass(frozen=True)
class Entry:
    id: str
    code: str
    name: str
    full_name: str
    level: str
    parent: str | None
    home_url: str | None
    former_codes: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    verified: bool = False

    @classmethod
    def from_dict(cls, d: dict) -> "Entry":
        return cls(**{**d, "former_codes": tuple(d.get("former_codes") or ()),
                      "former_names": tuple(d.get("former_names") or ())})

    def to_dict(self) -> dict:
        d = asdict(self)
        d["former_codes"], d["former_names"] = list(self.former_codes), list(self.former_names)
        return d


@dataclass(frozen=True)
class Match:
    """A publisher read against the registry: its government, what followed the
    division names, and the publisher's level."""
    entry: Entry
    organ: str

    @property
    def level(self) -> str:
        if self.organ in GOVERNMENT_ORGANS:
            return self.entry.level
        from govlaw.normalize import admin_level

        return "township" if admin_level(None, self.organ) == "township" else "department"


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


class Registry:
    def __init__(self, entries: list[Entry]):
        self.entries = sorted(entries, key=lambda e: (e.code, e.id))
        self._by_code = {e.code: e for e in self.entries if e.level != "department"}
        self._by_id = {e.id: e for e in self.entries}
        self._former_code: dict[str, list[Entry]] = {}
        self._names: dict[str, list[Entry]] = {}
        self._former_names: dict[str, list[Entry]] = {}
        for e in self.entries:
            if e.level == "department":
                continue
            self._names.setdefault(e.name, []).append(e)
            for code in e.former_codes:
                self._former_code.setdefault(code, []).append(e)
            for name in e.former_names:
                self._former_names.setdefault(name, []).append(e)
        self._longest = max(map(len, [*self._names, *self._former_names]), default=0)

    def __len__(self) -> int:
        return len(self.entries)

    # -- by code -----------------------------------------------------------------

    def get(self, code: str | None) -> Entry | None:
        """The government of a code in use, or of a former code that only one
        government carries (320684 → 海门区 320614)."""
        if not code:
            return None
        if code in self._by_code:
            return self._by_code[code]
        heirs = self._former_code.get(code, [])
        return heirs[0] if len(heirs) == 1 else None

    def by_id(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def heirs(self, code: str) -> list[Entry]:
        """The governments that carry `code` as a former code."""
        return list(self._former_code.get(code, []))

    def parent(self, entry: Entry) -> Entry | None:
        return self._by_code.get(entry.parent) if entry.parent else None

    def ancestors(self, entry: Entry) -> list[Entry]:
        """Parent, grandparent, …, the province."""
        out, seen = [], {entry.code}
        while (entry := self.parent(entry)) is not None and entry.code not in seen:
            seen.add(entry.code)
            out.append(entry)
        return out

    def province(self, entry: Entry) -> Entry:
        line = [entry, *self.ancestors(entry)]
        return next((e for e in line if e.level == "province"), line[-1])

    # -- by name -----------------------------------------------------------------

    def candidates(self, name: str, context_code: str | None = None) -> list[Entry]:
        """The governments a name (南通市海门区, 朝阳区, 海门市, 汕尾市人民政府) may
        mean, best first by the context's rule; several only when they tie."""
        found, organ = self._read(name, context_code)
        return found if organ in GOVERNMENT_ORGANS else []

    def by_name(self, name: str, context_code: str | None = None) -> Entry | None:
        found = self.candidates(name, context_code)
        return found[0] if len(found) == 1 else None

    def match_publisher(self, publisher: str | None, context_code: str | None = None) -> Match | None:
        """The government behind a publisher's name, and the organ that published.
        Joint publishers (separated by blanks) give the first that is a
        government, else the first that resolves."""
        if not publisher:
            return None
        found = []
        for part in publisher.split():
            entries, organ = self._read(part, context_code)
            if len(entries) == 1:
                found.append(Match(entries[0], organ))
        governments = [m for m in found if m.organ in GOVERNMENT_ORGANS]
        return (governments or found or [None])[0]

    def resolve_publisher(self, publisher: str | None, context_code: str | None = None) -> Entry | None:
        """The registry entry of a publisher: the government itself, or for a
        department (海门市司法局) or a township its government."""
        match = self.match_publisher(publisher, context_code)
        return match.entry if match else None

    def _read(self, name: str, context_code: str | None) -> tuple[list[Entry], str]:
        """(the best-ranked governments a name may mean, the organ after the division names)."""
        chain, rest = self._chain(_LEADING.sub("", _key(name)))
        # The last name read may be the start of the organ (中山市 东区街道办事处):
        # drop names from the end until the chain holds together.
        while chain:
            found = self._best(chain, context_code)
            if found:
                return found, rest
            rest = chain.pop() + rest
        return [], rest

    def _chain(self, text: str) -> tuple[list[str], str]:
        """Division names read from the start of `text`, longest first, and what is left."""
        chain, i = [], 0
        while i < len(text):
            for size in range(min(self._longest, len(text) - i), 1, -1):
                piece = text[i:i + size]
                if piece in self._names or piece in self._former_names:
                    chain.append(piece)
                    i += size
                    break
            else:
                break
        return chain, text[i:]

    def _best(self, chain: list[str], context_code: str | None) -> list[Entry]:
        """The best-ranked governments the chain may mean (none when none fits)."""
        *above, last = chain
        scored = []
        for former, pool in ((0, self._names.get(last, [])), (1, self._former_names.get(last, []))):
            for e in pool:
                line = self.ancestors(e)
                if all(any(n == a.name or n in a.former_names for a in line) for n in above):
                    scored.append((self._distance(e, context_code), former, e))
        if not scored:
            return []
        best = min((d, f) for d, f, _ in scored)
        return list({e.code: e for d, f, e in scored if (d, f) == best}.values())

    def _distance(self, entry: Entry, context_code: str | None) -> int:
        """0: on the context's own line (itself, below or above it); 1: in its
        city; 2: in its province; 3: elsewhere, or no context."""
        if not context_code:
            return 3
        context = self.get(context_code)
        if context is None:  # a code the registry does not have: its city's, else its province's
            context = self.get(context_code[:4] + "00") or self.get(context_code[:2] + "0000")
            if context is None:
                return 3
        codes = {e.code for e in [entry, *self.ancestors(entry)]}
        context_line = [context, *self.ancestors(context)]
        if context.code in codes or entry.code in {c.code for c in context_line}:
            return 0
        city = next((c for c in context_line if c.level == "city"), None)
        if city is not None and city.code in codes:
            return 1
        return 2 if self.province(context).code in codes else 3


def read(path: str | Path) -> Registry:
    with open(path, encoding="utf-8") as fh:
        return Registry([Entry.from_dict(json.loads(line)) for line in fh if line.strip()])


@lru_cache(maxsize=4)
def load(path: str | Path | None = None) -> Registry:
    """The committed national registry (read once), or the file at `path`."""
    return read(path or NATIONAL)


def resolve_publisher(publisher: str | None, context_code: str | None = None) -> Entry | None:
    return load().resolve_publisher(publisher, context_code)


def match_publisher(publisher: str | None, context_code: str | None = None) -> Match | None:
    return load().match_publisher(publisher, context_code)

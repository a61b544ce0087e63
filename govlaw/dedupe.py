"""Same report, other address: content identity, near-duplicates, merging.

Identity is decided in this order: an address already known; the same
content (hash of the folded body); a near-duplicate body of the same year.
A merged record keeps every address and takes as canonical the copy on the
issuing government's own portal.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass, field

from govlaw import normalize
# Addresses have one canonical form, shared with the requests and the state.
from govlaw.urls import address_key, canonical_url, strip_session  # noqa: F401


def mint_id(content_hash: str) -> str:
    """A new report's id: derived from its first content, so two crawls that
    meet the same report in any order give it the same id."""
    return hashlib.sha256(f"govlaw-report:{content_hash}".encode()).hexdigest()[:16]


# --- near duplicates -------------------------------------------------------------
#
# Reposts differ from the original by chrome lines left in, character width,
# Traditional characters, paragraphing, truncation or a few corrected
# characters; another year's report, or another government's report from the
# same template, shares up to ~60% of its wording. On the labelled pairs in
# tests/dedupe, the share of the shorter text's 5-character shingles found in
# the longer one (containment) is >= 0.95 for every repost and <= 0.76 for
# every different report, so copies are merged at >= 0.85, and only within
# one report year. MinHash LSH (datasketch) finds the candidates without
# comparing every pair; the containment is then computed exactly.

SHINGLE = 5
CONTAINMENT = 0.85
LSH_JACCARD = 0.5
NUM_PERM = 128
# datasketch's 32-bit affine permutations; stored signatures name it.
MINHASH_SCHEME = "affine32"
_NON_WORD = re.compile(r"[\W_]+")


def match_key(text: str) -> str:
    """The text reduced to what every copy shares: NFKC, Simplified, and no
    blanks or punctuation."""
    from govlaw.extract.zh import simplified

    return _NON_WORD.sub("", unicodedata.normalize("NFKC", simplified(text)))


def shingles(key: str) -> set[str]:
    return {key[i:i + SHINGLE] for i in range(max(1, len(key) - SHINGLE + 1))}


def containment(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def signature(key: str, shingled: set[str] | None = None):
    """MinHash of a match key, with a hash that is the same in every process
    (signatures are stored between runs). `shingled`: its shingles, when
    already at hand."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32, scheme=MINHASH_SCHEME, permutations=_permutations())
    m.update_batch([s.encode("utf-8") for s in (shingled if shingled is not None else shingles(key))])
    return m


@functools.lru_cache(maxsize=1)
def _permutations():
    """The scheme's permutations (fixed by its seed), drawn once per process
    rather than for every signature."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32, scheme=MINHASH_SCHEME).permutations


def fingerprint(body: str) -> dict:
    """What every later stage compares a report's text by, computed once
    where the text is read (an extraction worker) and carried on the item:
    the content hash, the match key, the MinHash signature (uint32 hash
    values as bytes, the state's stored form) and the shingle count."""
    key = match_key(body)
    shingled = shingles(key) if key else set()
    return {"content_hash": normalize.content_hash(body), "match_key": key,
            "signature": signature(key, shingled).hashvalues.astype("uint32").tobytes() if key else None,
            "shingle_count": len(shingled) if key else None}


def same_report(key_a: str, year_a: int | None, key_b: str, year_b: int | None) -> bool:
    """The merge rule, for two match keys: same year (when both are known)
    and containment at or above CONTAINMENT."""
    if year_a is not None and year_b is not None and year_a != year_b:
        return False
    return containment(shingles(key_a), shingles(key_b)) >= CONTAINMENT


class NearDuplicateIndex:
    """Report ids by MinHash LSH, one LSH per report year (reports of other
    years are never candidates). A candidate is first screened by the
    containment its MinHash estimates, then confirmed exactly on shingles."""

    SCREEN = 0.70  # estimated containment below this is not worth an exact check

    def __init__(self, text_of):
        self.by_year: dict = {}
        self.entries: dict[str, tuple] = {}  # id → (year, signature, shingle count)
        self.text_of = text_of  # report id → match key, for the exact check

    def _lsh(self, year):
        from datasketch import MinHashLSH

        if year not in self.by_year:
            self.by_year[year] = MinHashLSH(threshold=LSH_JACCARD, num_perm=NUM_PERM)
        return self.by_year[year]

    def add(self, rid: str, key: str, year: int | None, sig=None, size: int | None = None) -> None:
        if rid in self.entries:
            return
        sig = sig if sig is not None else signature(key)
        size = size if size is not None else len(shingles(key))
        self.entries[rid] = (year, sig, size)
        self._lsh(year).insert(rid, sig)

    def remove(self, rid: str) -> None:
        entry = self.entries.pop(rid, None)
        if entry is not None:
            self.by_year[entry[0]].remove(rid)

    def candidates(self, sig, year: int | None) -> list[tuple]:
        """(id, signature, shingle count) of the reports sharing a band with
        `sig`. A report of unknown year may match any year; a known year
        matches its own year and reports whose year is unknown."""
        years = list(self.by_year) if year is None else [y for y in (year, None) if y in self.by_year]
        return [(rid, *self.entries[rid][1:]) for y in years for rid in self.by_year[y].query(sig)]

    def find(self, key: str, year: int | None, sig=None, size: int | None = None) -> str | None:
        if not key:
            return None
        if sig is None or size is None:
            mine = shingles(key)
            sig = sig if sig is not None else signature(key, mine)
            size = len(mine)
        return best_match(key, sig, size, self.candidates(sig, year), self.text_of)


def best_match(key: str, sig, size: int, candidates, text_of) -> str | None:
    """The candidate (id, signature, shingle count) whose text contains the
    most of `key`'s shingles, if at or above CONTAINMENT. A candidate is
    first screened by the containment its MinHash estimates; the shingles
    are made only when one is worth an exact check."""
    mine = None
    best, best_score = None, 0.0
    for rid, other_sig, other_size in candidates:
        j = sig.jaccard(other_sig)
        estimate = j * (size + other_size) / ((1 + j) * min(size, other_size)) if j else 0.0
        if estimate < NearDuplicateIndex.SCREEN:
            continue
        mine = mine if mine is not None else shingles(key)
        score = containment(mine, shingles(text_of(rid)))
        if score > best_score or (score == best_score and best is not None and rid < best):
            best, best_score = rid, score
    return best if best_score >= CONTAINMENT else None


@dataclass
class IdentityIndex:
    """Resolves each extracted copy to a report id: a known address, the same
    content, or a near-duplicate of the same year — against the state (its
    LSH bands, read from disk) and the run's new reports not yet committed
    (in memory, forgotten once their portal is committed)."""
    store: object
    _run_hashes: dict = field(default_factory=dict)  # content_hash → id, uncommitted
    _run_keys: dict = field(default_factory=dict)    # id → match key (this run's uncommitted new reports)
    _near: NearDuplicateIndex | None = None

    def _pending(self) -> NearDuplicateIndex:
        if self._near is None:
            self._near = NearDuplicateIndex(self._key_of)
        return self._near

    def _key_of(self, rid: str) -> str:
        return self._run_keys.get(rid) or self.store.match_key_of(rid) or ""

    def forget(self, report_ids) -> None:
        """Reports now committed: the state answers for them from here on."""
        gone = set(report_ids)
        for rid in gone:
            self._run_keys.pop(rid, None)
            if self._near is not None:
                self._near.remove(rid)
        for h in [h for h, rid in self._run_hashes.items() if rid in gone]:
            del self._run_hashes[h]

    def _near_match(self, key: str, year: int | None, sig, size: int, blob: bytes) -> str | None:
        candidates = [(rid, stored_signature(other), count)
                      for rid, other, count in self.store.near_candidates(blob, year)]
        candidates += self._pending().candidates(sig, year)
        return best_match(key, sig, size, candidates, self._key_of)

    def resolve(self, url: str, content_hash: str, key: str, year: int | None, signature_bytes: bytes | None = None,
                shingle_count: int | None = None) -> str:
        """`signature_bytes` and `shingle_count` are the key's, as
        fingerprint() carried them on the item; made here when absent."""
        rid = self.store.report_for_url(address_key(url))
        if rid:
            return rid
        rid = self._run_hashes.get(content_hash) or self.store.report_for_hash(content_hash)
        if rid:
            self._run_hashes[content_hash] = rid
            return rid
        sig, size = None, None
        if key and signature_bytes is not None and shingle_count is not None:
            sig, size = stored_signature(signature_bytes), shingle_count
        elif key:
            shingled = shingles(key)
            sig, size = signature(key, shingled), len(shingled)
            signature_bytes = sig.hashvalues.astype("uint32").tobytes()
        rid = self._near_match(key, year, sig, size, signature_bytes) if key else None
        if rid is None:
            rid = mint_id(content_hash)
            if key:
                self._run_keys[rid] = key
                self._pending().add(rid, key, year, sig, size)
        self._run_hashes[content_hash] = rid
        return rid


# --- merging copies ---------------------------------------------------------------

def _issuer_portal_score(copy: dict) -> int:
    """2: the page sits on the issuer's own portal (the portal's name is the
    publisher or contains it); 1: same region; 0: elsewhere."""
    portal = normalize.fold(copy.get("portal_name") or "")
    publisher = normalize.fold(copy.get("publisher") or "")
    if portal and publisher:
        names = publisher.split() or [publisher]
        if any(n and (n in portal or portal in n) for n in names):
            return 2
    if copy.get("portal_region") and copy.get("portal_region") == copy.get("region_code"):
        return 1
    return 0


def choose_canonical(copies: list[dict]) -> dict:
    """The issuer's own copy; else one that states a publish date; else the
    shortest address (ties broken by the address, so the choice is stable)."""
    return min(copies, key=lambda c: (-_issuer_portal_score(c), "/gate/" in c["url"].lower(),
                                      c.get("publish_date") is None, len(c["url"]), c["url"]))


def stored_signature(blob: bytes):
    """A signature as stored by the state, back as a MinHash for the LSH."""
    import numpy as np
    from datasketch import LeanMinHash

    return LeanMinHash(seed=1, hashvalues=np.frombuffer(blob, dtype=np.uint32), scheme=MINHASH_SCHEME)

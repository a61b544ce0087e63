"""Same report, other address: content identity, near-duplicates, merging.

Identity is decided in this order: an address already known; the same
content (hash of the folded body); a near-duplicate body of the same year.
A merged record keeps every address and takes as canonical the copy on the
issuing government's own portal.
"""
from __future__ import annotations

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


def signature(key: str):
    """MinHash of a match key, with a hash that is the same in every process
    (signatures are stored between runs)."""
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32, scheme=MINHASH_SCHEME)
    m.update_batch([s.encode("utf-8") for s in shingles(key)])
    return m


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

    def find(self, key: str, year: int | None, sig=None) -> str | None:
        if not key:
            return None
        sig = sig if sig is not None else signature(key)
        mine = shingles(key)
        size = len(mine)
        # A report of unknown year may match any year; a known year matches
        # its own year and reports whose year is unknown.
        years = list(self.by_year) if year is None else [y for y in (year, None) if y in self.by_year]
        best, best_score = None, 0.0
        for y in years:
            for rid in self.by_year[y].query(sig):
                _, other_sig, other_size = self.entries[rid]
                j = sig.jaccard(other_sig)
                estimate = j * (size + other_size) / ((1 + j) * min(size, other_size)) if j else 0.0
                if estimate < self.SCREEN:
                    continue
                score = containment(mine, shingles(self.text_of(rid)))
                if score > best_score or (score == best_score and best is not None and rid < best):
                    best, best_score = rid, score
        return best if best_score >= CONTAINMENT else None


@dataclass
class IdentityIndex:
    """Resolves each extracted copy to a report id: a known address, the same
    content, or a near-duplicate of the same year — against the state and the
    copies already seen in this run."""
    store: object
    _run_hashes: dict = field(default_factory=dict)  # content_hash → id
    _run_keys: dict = field(default_factory=dict)    # id → match key (this run's new reports)
    _near: NearDuplicateIndex | None = None

    def _index(self) -> NearDuplicateIndex:
        if self._near is None:
            self._near = NearDuplicateIndex(self._key_of)
            for rid, year, sig, size in self.store.signatures():
                self._near.add(rid, "", year, sig, size)
        return self._near

    def _key_of(self, rid: str) -> str:
        return self._run_keys.get(rid) or self.store.match_key_of(rid) or ""

    def resolve(self, url: str, content_hash: str, key: str, year: int | None) -> str:
        rid = self.store.report_for_url(address_key(url))
        if rid:
            return rid
        rid = self._run_hashes.get(content_hash) or self.store.report_for_hash(content_hash)
        if rid:
            self._run_hashes[content_hash] = rid
            return rid
        sig = signature(key) if key else None
        rid = self._index().find(key, year, sig) if key else None
        if rid is None:
            rid = mint_id(content_hash)
            if key:
                self._run_keys[rid] = key
                self._index().add(rid, key, year, sig)
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

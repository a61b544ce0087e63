"""Same report, other address: canonical URLs, content identity, merging.

Identity is decided in this order: an address already known; the same
content (hash of the folded body); a near-duplicate body of the same year.
A merged record keeps every address and takes as canonical the copy on the
issuing government's own portal.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from govlaw import normalize

_TRACKING = re.compile(r"^(utm_\w+|spm|from|source|share|isappinstalled|timestamp|_t|t|v|nsukey|clicktime|enterid|scene)$", re.I)
_SESSION = re.compile(r";jsessionid=[^/?#]*", re.I)
_INDEX = re.compile(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", re.I)


def canonical_url(url: str) -> str:
    """One spelling per address: lower-case host, no fragment, no tracking or
    session parameters, sorted query, index.html folded into its folder."""
    url = _SESSION.sub("", url.strip())
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = _INDEX.sub("/", parts.path or "/")
    netloc = parts.netloc.lower()
    if netloc.endswith(":80") or netloc.endswith(":443"):
        netloc = netloc.rsplit(":", 1)[0]
    return canonicalize_url(urlunsplit((parts.scheme.lower(), netloc, path, query, "")))


def address_key(url: str) -> str:
    """The canonical URL without its scheme: portals serve the same page over
    http and https, and that is one address."""
    return canonical_url(url).split("://", 1)[-1]


def mint_id(content_hash: str) -> str:
    """A new report's id: derived from its first content, so two crawls that
    meet the same report in any order give it the same id."""
    return hashlib.sha256(f"govlaw-report:{content_hash}".encode()).hexdigest()[:16]


# --- near duplicates -------------------------------------------------------------

SHINGLE = 5
NEAR_DUPLICATE = 0.85


def shingles(folded: str) -> set[int]:
    return {hash(folded[i:i + SHINGLE]) for i in range(max(1, len(folded) - SHINGLE + 1))}


def similarity(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass
class _Known:
    id: str
    year: int | None
    shingles: set


@dataclass
class IdentityIndex:
    """Resolves each extracted copy to a report id, against the state and
    against the copies already seen in this run."""
    store: object
    _run: dict = field(default_factory=dict)      # content_hash → id
    _near: list = field(default_factory=list)     # [_Known]
    _loaded: bool = False

    def _load(self):
        if not self._loaded:
            for rid, year, folded in self.store.known_fingerprints():
                self._near.append(_Known(rid, year, shingles(folded)))
            self._loaded = True

    def resolve(self, url: str, content_hash: str, folded: str, year: int | None) -> str:
        rid = self.store.report_for_url(address_key(url))
        if rid:
            return rid
        rid = self._run.get(content_hash) or self.store.report_for_hash(content_hash)
        if rid:
            self._run[content_hash] = rid
            return rid
        self._load()
        mine = shingles(folded)
        best, best_sim = None, 0.0
        for known in self._near:
            if known.year != year:
                continue  # different years share wording; they are never one report
            sim = similarity(mine, known.shingles)
            if sim > best_sim:
                best, best_sim = known, sim
        if best is not None and best_sim >= NEAR_DUPLICATE:
            self._run[content_hash] = best.id
            return best.id
        rid = mint_id(content_hash)
        self._run[content_hash] = rid
        self._near.append(_Known(rid, year, mine))
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
    return min(copies, key=lambda c: (-_issuer_portal_score(c), c.get("publish_date") is None,
                                      len(c["url"]), c["url"]))

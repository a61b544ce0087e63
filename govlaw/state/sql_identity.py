"""Identity in the SQLite state: which report an address, a content hash or
a near-duplicate text belongs to.

Near-duplicates are found through MinHash LSH bands kept in the `bands`
table (one row per band of each report's signature, indexed), so a run
starting on a state of 100,000 reports loads nothing: a lookup reads the
rows of its own bands and the signatures of the few candidates.
"""
from __future__ import annotations

import hashlib

import numpy as np

from govlaw.state.packing import unpack

# 25 bands of 5 rows: datasketch's optimum for Jaccard 0.5 over 128
# permutations (equal weights on false positives and negatives), the
# threshold the in-memory index used.
BANDS, ROWS = 25, 5


def band_hashes(signature: bytes) -> list[int]:
    """The LSH band keys of a signature (uint32 hash values as bytes), as
    signed 64-bit integers SQLite stores natively."""
    values = np.frombuffer(signature, dtype=np.uint32)
    out = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS].tobytes()
        out.append(int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big", signed=True))
    return out


class IdentityMixin:
    def report_for_url(self, url: str) -> str | None:
        row = self.db.execute("SELECT report_id FROM addresses WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def report_for_hash(self, content_hash: str) -> str | None:
        row = self.db.execute("SELECT id FROM versions WHERE content_hash = ? ORDER BY version DESC LIMIT 1",
                              (content_hash,)).fetchone()
        return row[0] if row else None

    def match_key_of(self, report_id: str) -> str | None:
        row = self.db.execute("SELECT folded FROM reports WHERE id = ?", (report_id,)).fetchone()
        return unpack(row[0]) if row else None

    def near_candidates(self, signature: bytes, year: int | None) -> list[tuple[str, bytes, int]]:
        """(id, signature, shingle count) of the reports sharing at least one
        LSH band with `signature`: of the same year or of an unknown year,
        any year when `year` is unknown."""
        wanted = set(enumerate(band_hashes(signature)))
        marks = ",".join("?" for _ in wanted)
        rows = self.db.execute(f"SELECT band, hash, report_id, year FROM bands WHERE hash IN ({marks})",
                               [h for _, h in wanted])
        ids = sorted({rid for band, h, rid, y in rows
                      if (band, h) in wanted and (year is None or y is None or y == year)})
        out = []
        for rid in ids:
            row = self.db.execute("SELECT signature, shingles FROM reports WHERE id = ? AND signature IS NOT NULL",
                                  (rid,)).fetchone()
            if row:
                out.append((rid, row[0], row[1]))
        return out

    def _index_bands(self, report_id: str, year: int | None, signature: bytes | None) -> None:
        self.db.execute("DELETE FROM bands WHERE report_id = ?", (report_id,))
        if signature:
            self.db.executemany("INSERT INTO bands (band, hash, report_id, year) VALUES (?, ?, ?, ?)",
                                [(band, h, report_id, year) for band, h in enumerate(band_hashes(signature))])

    def _index_all_bands(self) -> None:
        """Bands for a state written before they were kept."""
        rows = self.db.execute("SELECT id, report_year, signature FROM reports WHERE signature IS NOT NULL").fetchall()
        for rid, year, blob in rows:
            self._index_bands(rid, year, blob)

"""Near-duplicate detection: MinHash signatures of word 5-shingles, indexed with MinHash LSH.

A signature is plain bytes, so the registry can store it beside the document and rebuild the
index on start without recomputing anything: a 4-byte header (format tag and version) followed
by the ``num_perm`` MinHash values as little-endian unsigned 32-bit integers. The version pins
everything that makes two signatures comparable: datasketch's ``affine32`` permutation scheme
with seed 1 and SHA-1 32-bit hashing, over 5-word shingles of ``records.normalise_text``'d
text split into ``\\w+`` words (punctuation is ignored). Change any of those and the version
must change, so that old stored signatures are refused instead of silently compared wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Hashable

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from trucewatch.models import normalise_text

__all__ = ["SHINGLE_WORDS", "NearDuplicateIndex", "signature"]

SHINGLE_WORDS = 5
"""Words per shingle."""

_MAGIC = b"TWM\x01"  # trucewatch MinHash, format version 1
_SEED = 1
_SCHEME = "affine32"
_DTYPE = np.dtype("<u4")
_WORD = re.compile(r"\w+")


def signature(text: str, num_perm: int = 128) -> bytes:
    """The MinHash signature of ``text`` as bytes (see the module docstring for the format).

    Texts shorter than five words are one shingle of all their words. A text without any word
    raises ValueError: it has nothing to compare, and every such text would look identical.
    """
    words = _WORD.findall(normalise_text(text))
    if not words:
        raise ValueError("text has no words to sign")
    span = min(SHINGLE_WORDS, len(words))
    shingles = [" ".join(words[i : i + span]).encode("utf-8") for i in range(len(words) - span + 1)]
    minhash = MinHash(num_perm=num_perm, seed=_SEED, scheme=_SCHEME)
    minhash.update_batch(shingles)
    return _MAGIC + np.asarray(minhash.hashvalues, dtype=_DTYPE).tobytes()


def _lean(sig: bytes, num_perm: int) -> LeanMinHash:
    if not sig.startswith(_MAGIC):
        raise ValueError("not a trucewatch signature, or one of another format version")
    body = sig[len(_MAGIC) :]
    if len(body) != num_perm * _DTYPE.itemsize:
        raise ValueError(
            f"signature has {len(body) // _DTYPE.itemsize} values, this index uses {num_perm}"
        )
    return LeanMinHash(seed=_SEED, hashvalues=np.frombuffer(body, dtype=_DTYPE), scheme=_SCHEME)


class NearDuplicateIndex:
    """Finds an already indexed document whose text nearly repeats a new one.

    Candidates come from MinHash LSH tuned for ``threshold``; each is then checked with its
    estimated Jaccard similarity (of the 5-word shingle sets), so only matches at or above
    ``threshold`` are returned. LSH can miss a pair whose similarity is close to the threshold
    (a false negative); it adds no false positives after the check.
    """

    def __init__(self, threshold: float = 0.8, num_perm: int = 128) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._sketches: dict[str, LeanMinHash] = {}
        self._order: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._sketches)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._sketches

    def add(self, doc_id: str, sig: bytes) -> None:
        """Index ``doc_id``. Adding the same id with the same signature again is a no-op; with
        another signature it is a ValueError (ids name one text for good)."""
        sketch = _lean(sig, self.num_perm)
        known = self._sketches.get(doc_id)
        if known is not None:
            if known != sketch:
                raise ValueError(f"{doc_id!r} is already indexed with another signature")
            return
        key: Hashable = doc_id
        self._lsh.insert(key, sketch, check_duplication=False)
        self._sketches[doc_id] = sketch
        self._order[doc_id] = len(self._order)

    def matches(self, sig: bytes) -> list[tuple[str, float]]:
        """Every indexed id with estimated Jaccard >= threshold, most similar first, ties in the
        order they were added."""
        sketch = _lean(sig, self.num_perm)
        found: list[tuple[str, float]] = []
        for key in self._lsh.query(sketch):
            doc_id = str(key)
            similarity = float(sketch.jaccard(self._sketches[doc_id]))
            if similarity >= self.threshold:
                found.append((doc_id, similarity))
        found.sort(key=lambda pair: (-pair[1], self._order[pair[0]]))
        return found

    def find(self, sig: bytes) -> str | None:
        """The indexed id most similar to ``sig`` (estimated Jaccard >= threshold), the
        earliest-added one on ties; None when there is none."""
        found = self.matches(sig)
        return found[0][0] if found else None

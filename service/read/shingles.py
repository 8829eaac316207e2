"""Word shingles of a text, hashed: the fingerprint stage 2 compares copies by, made while stage 1 reads.

Copies differ in case, spacing and punctuation, never in their words, so those are what is hashed.
"""

from __future__ import annotations

import zlib

import numpy as np

from ..types import Document
from .words import words

SHINGLE_WORDS = 5


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads polynomial shingle codes over all 64 bits."""
    with np.errstate(over="ignore"):
        values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def fingerprint(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the word n-grams of the lower-cased text.

    A text shorter than n words is one shingle. Hashing words once and combining them with array
    arithmetic keeps this at a few microseconds per article, which is what 100,000 articles need.
    """
    tokens = words(text)
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    codes = np.fromiter(map(zlib.crc32, map(str.encode, tokens)), dtype=np.uint64, count=len(tokens))
    window = min(size, len(tokens))
    count = len(tokens) - window + 1
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(window):
            combined = combined * np.uint64(0x100000001B3) + codes[offset:offset + count]
    return np.unique(_mix(combined))


def body_fingerprint(document: Document) -> np.ndarray:
    return fingerprint(" ".join(s.text for s in document.body))

"""Stage 2, near-duplicates: syndicated copies and light rewrites collapse into one group.

Copies are found with MinHash LSH over word shingles (datasketch) and confirmed on the exact
shingle sets (containment, so a trimmed copy still counts). Rewrites, which share few shingles,
are confirmed when most sentences of the shorter text have a close paraphrase in the other.
Every document lands in exactly one group; corroboration later counts groups, not copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH
from scipy.cluster.hierarchy import DisjointSet

from .types import Document, DuplicateGroup

SHINGLE_WORDS = 5
NUM_PERM = 128
CANDIDATE_JACCARD = 0.3
REWRITE_DOC_COSINE = 0.8
PARAPHRASE_COSINE = 0.8
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class DocumentVectors:
    """Embeddings the later stages share: one per document, one per body sentence."""

    document: np.ndarray
    sentences: np.ndarray


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word n-grams of the lower-cased text (the whole text when it is shorter than n words)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def containment(a: set[str], b: set[str]) -> float:
    """Share of the smaller set found in the larger one."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _copy_pairs(shingle_sets: list[set[str]], threshold: float) -> dict[tuple[int, int], float]:
    lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
    hashes = MinHash.bulk([[s.encode() for s in sorted(sh)] for sh in shingle_sets], num_perm=NUM_PERM)
    pairs: dict[tuple[int, int], float] = {}
    for i, minhash in enumerate(hashes):
        if not shingle_sets[i]:
            continue
        for j in lsh.query(minhash):
            score = containment(shingle_sets[i], shingle_sets[j])
            if score >= threshold:
                pairs[(j, i)] = score
        lsh.insert(i, minhash)
    return pairs


def _rewrite_pairs(vectors: list[DocumentVectors], threshold: float,
                   skip: set[tuple[int, int]]) -> dict[tuple[int, int], float]:
    documents = np.stack([v.document for v in vectors])
    similar = np.argwhere(np.triu(documents @ documents.T, k=1) >= REWRITE_DOC_COSINE)
    pairs: dict[tuple[int, int], float] = {}
    for i, j in similar:
        a, b = vectors[i].sentences, vectors[j].sentences
        if (i, j) in skip or not len(a) or not len(b):
            continue
        shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
        coverage = float(((shorter @ longer.T).max(axis=1) >= PARAPHRASE_COSINE).mean())
        if coverage >= threshold:
            pairs[(int(i), int(j))] = coverage
    return pairs


def group_duplicates(documents: list[Document], vectors: list[DocumentVectors],
                     copy_threshold: float, rewrite_threshold: float) -> list[DuplicateGroup]:
    """Partition the documents into duplicate groups, each with its most complete member as representative."""
    if not documents:
        return []
    shingle_sets = [shingles(" ".join(s.text for s in d.body)) for d in documents]
    pairs = _copy_pairs(shingle_sets, copy_threshold)
    pairs.update(_rewrite_pairs(vectors, rewrite_threshold, set(pairs)))
    sets = DisjointSet(range(len(documents)))
    for i, j in pairs:
        sets.merge(i, j)
    groups = []
    for members in sets.subsets():
        ordered = sorted(members)
        rep = max(ordered, key=lambda k: (len(shingle_sets[k]), -k))
        scores = [pairs.get((min(k, rep), max(k, rep)), containment(shingle_sets[k], shingle_sets[rep]))
                  for k in ordered if k != rep]
        groups.append(DuplicateGroup(documents[rep].index, tuple(documents[k].index for k in ordered),
                                     round(min(scores, default=1.0), 4)))
    return sorted(groups, key=lambda g: g.members[0])

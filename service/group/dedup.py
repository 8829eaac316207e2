"""Stage 2, near-duplicates: syndicated copies and light rewrites collapse into one group.

Copies are found with MinHash LSH over word shingles (datasketch) and confirmed on the exact
shingle sets (containment, so a trimmed copy still counts). Rewrites, which share few shingles,
are looked for only among each document's nearest neighbours by document vector, and confirmed
when most sentences of the shorter text have a close paraphrase in the other. Every document
lands in exactly one group; corroboration later counts groups, not copies.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from functools import lru_cache
from typing import TypeVar

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from scipy.cluster.hierarchy import DisjointSet

from ..read.shingles import fingerprint
from ..read.words import words
from ..runtime.embed import StaticEmbedder
from ..types import Article

NUM_PERM = 64
CANDIDATE_JACCARD = 0.3
ESTIMATE_MARGIN = 0.15  # how far below the threshold a MinHash estimate of containment may fall and be checked
REWRITE_DOC_COSINE = 0.8
PARAPHRASE_COSINE = 0.8
PARAPHRASE_WORDS = 0.5  # word Jaccard of a rewritten sentence with its original
Key = TypeVar("Key", bound=Hashable)
_LOW_32 = np.uint64(0xFFFFFFFF)
_EMPTY = MinHash(num_perm=NUM_PERM, scheme="affine32")  # the scheme `minhash_signatures` computes
SCHEME = _EMPTY.scheme  # datasketch's permutation scheme, which a stored signature was made with
SIGNATURE_DTYPE = _EMPTY.hashvalues.dtype  # and the type of its values, to read a stored signature back
_PERMUTATIONS = _EMPTY.permutations  # a and b of each affine permutation of that scheme (uint32)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller shingle set found in the larger one."""
    return float(containments(a, [b])[0]) if a.size and b.size else 0.0


def containments(fingerprint: np.ndarray, others: list[np.ndarray]) -> np.ndarray:
    """`containment(fingerprint, other)` for each of `others`, in one pass over all their shingles.

    `fingerprint` is sorted (as `fingerprint()` returns it), so membership is a binary search.
    """
    if not others:
        return np.zeros(0)
    sizes, counts = _members_per_part(others, fingerprint)
    return counts / np.maximum(np.minimum(sizes, fingerprint.size), 1)


def _estimated_containment(signature: np.ndarray, size: int, others: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Containment of one set with several, from MinHash Jaccard estimates and the set sizes."""
    jaccard = (others == signature).mean(axis=1)
    return jaccard * (size + sizes) / ((1 + jaccard) * np.minimum(size, sizes))


# Independent texts that share a 5-word phrase before it counts as furniture. At 3, the words that three outlets
# of one event quote alike counted as furniture only once the third arrived, so a desk fed in batches scored a pair
# before they did and a request after: ECB+ dev in one desk, batches of 50, 0.897 F1 against 0.910 per topic; at 5,
# 0.911 to 0.913 against 0.912, and cross-validated figures as good (docs/quality.md).
COMMON_PHRASE_DOCUMENTS = 5


class PhraseCounts:
    """How many indexed texts hold each word 5-gram: sorted shingle hashes and their document counts.

    Kept as two arrays grown batch by batch (a binary search per new shingle), so that a collection
    of 100,000 texts costs two numbers per distinct shingle and no Python object per shingle."""

    def __init__(self) -> None:
        self.hashes = np.zeros(0, dtype=np.uint64)
        self.counts = np.zeros(0, dtype=np.int32)

    def add(self, fingerprints: list[np.ndarray]) -> None:
        if not fingerprints:
            return
        batch, counts = np.unique(np.concatenate(fingerprints), return_counts=True)
        at = np.searchsorted(self.hashes, batch)
        known = self.hashes[np.minimum(at, max(len(self.hashes) - 1, 0))] == batch if len(self.hashes) else \
            np.zeros(len(batch), dtype=bool)
        self.counts[at[known]] += counts[known].astype(np.int32)
        self.hashes = np.insert(self.hashes, at[~known], batch[~known])
        self.counts = np.insert(self.counts, at[~known], counts[~known].astype(np.int32))

    def common(self, documents: int) -> np.ndarray:
        """The sorted shingles at least `documents` texts hold."""
        return self.hashes[self.counts >= documents]


class CopyIndex:
    """Documents that copy no earlier one, indexed for the copy check of every later document.

    Only such documents are indexed: a story syndicated a thousand times is then checked against
    its first version, not against a thousand copies. LSH candidates whose estimated containment is
    far below the threshold are not checked on the exact shingle sets. A collection keeps one index
    and adds each batch to it, which finds the pairs that adding every document at once would.
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
        self.keys: list[int] = []  # the indexed documents' keys; the lists below follow them
        self.signatures: list[np.ndarray] = []
        self.fingerprints: list[np.ndarray] = []
        self.phrases = PhraseCounts()
        self._counted = 0  # indexed texts already in `phrases`

    def common_phrases(self) -> np.ndarray:
        """Shingles that `COMMON_PHRASE_DOCUMENTS` or more indexed texts share: the phrases of a collection's
        furniture (credit lines, sign-offs, station idents) rather than of one event. Copies are not
        indexed, so a story syndicated many times does not make its own sentences common."""
        self.phrases.add(self.fingerprints[self._counted:])
        self._counted = len(self.fingerprints)
        return self.phrases.common(COMMON_PHRASE_DOCUMENTS)

    def insert(self, key: int, signature: np.ndarray, fingerprint: np.ndarray, scheme: str = SCHEME) -> None:
        """Index a document whose signature is already known (a collection's, read back from storage).

        LSH needs only the hash values: a LeanMinHash carries no permutations, five times cheaper to make."""
        self.lsh.insert(len(self.keys), LeanMinHash(seed=_EMPTY.seed, hashvalues=signature, scheme=scheme))
        self.keys.append(key)
        self.signatures.append(signature)
        self.fingerprints.append(fingerprint)

    def add(self, fingerprints: list[np.ndarray], keys: list[int], signatures: Iterable[np.ndarray] | None = None
            ) -> tuple[dict[tuple[int, int], float], list[np.ndarray | None]]:
        """Copy pairs `(earlier key, later key)` with their containment, and the MinHash signature of
        each document that was indexed (None for a copy or an empty text). `signatures` are the
        documents' `minhash_signatures` when they were made beforehand (a batch makes them on every core)."""
        hashes = (LeanMinHash(seed=_EMPTY.seed, hashvalues=s, scheme=SCHEME) if s.size else None
                  for s in (signatures if signatures is not None else minhash_signatures(fingerprints)))
        pairs: dict[tuple[int, int], float] = {}
        indexed: list[np.ndarray | None] = []
        for key, fingerprint, minhash in zip(keys, fingerprints, hashes):
            if minhash is None or not fingerprint.size:
                indexed.append(None)
                continue
            found = self.lsh.query(minhash)
            stored = np.array([self.signatures[j] for j in found], dtype=SIGNATURE_DTYPE).reshape(-1, NUM_PERM)
            sizes = np.array([self.fingerprints[j].size for j in found])
            estimates = _estimated_containment(minhash.hashvalues, fingerprint.size, stored, sizes)
            checked = [j for j, estimate in zip(found, estimates) if estimate >= self.threshold - ESTIMATE_MARGIN]
            scores = containments(fingerprint, [self.fingerprints[j] for j in checked])
            copies = [(self.keys[j], float(score)) for j, score in zip(checked, scores) if score >= self.threshold]
            pairs.update(((earlier, key), score) for earlier, score in copies)
            indexed.append(None if copies else minhash.hashvalues)
            if not copies:
                self.insert(key, minhash.hashvalues, fingerprint, minhash.scheme)
        return pairs, indexed


def minhash_signatures(fingerprints: list[np.ndarray]) -> list[np.ndarray]:
    """The MinHash signature `CopyIndex.add` checks each fingerprint by (an empty one has none: an empty array).

    datasketch's own values (its `affine32` scheme: the low 32 bits of each shingle hash, mixed by MurmurHash3's
    finalizer, under `NUM_PERM` affine permutations, the least of each), made from the array as it is: datasketch
    takes a list and makes a Python call per shingle, 2.5 times slower. `test_signatures_match_datasketch` holds
    them to datasketch's."""
    return [(_fmix32((f & _LOW_32).astype(np.uint32))[:, None] * _PERMUTATIONS[0] + _PERMUTATIONS[1]).min(axis=0)
            if f.size else np.zeros(0, SIGNATURE_DTYPE) for f in fingerprints]  # products wrap modulo 2^32, as theirs


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (multiplications wrap modulo 2^32)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def confirm_rewrites(close: list[tuple[Key, Key, float]], articles: Mapping[Key, Article], static: StaticEmbedder,
                     threshold: float, sets: DisjointSet) -> dict[tuple[Key, Key], float]:
    """The pairs `(i, j, cosine)` of `close` whose sentences mostly align, closest first: rewrites.

    Each rewrite found is merged into `sets` at once, so pairs already joined are not aligned again.
    """
    pairs: dict[tuple[Key, Key], float] = {}
    static.encode_bodies(articles[k] for i, j, _ in close for k in (i, j))
    for i, j, _ in sorted(close, key=lambda pair: -pair[2]):
        if sets.connected(i, j):
            continue
        coverage = rewrite_coverage(articles[i], articles[j], static)
        if coverage >= threshold:
            pairs[(i, j)] = coverage
            sets.merge(i, j)
    return pairs


def rewrite_coverage(first: Article, second: Article, static: StaticEmbedder) -> float:
    """Share of the shorter text's sentences that have a close paraphrase in the other (0 when one has none).

    A paraphrase is close in meaning (static vectors) and in wording, with the same numbers: two
    outlets' own one-line reports of a death, or two weeks' jobless-claims reports, read alike to
    a sentence encoder but are independent sources, not one text rewritten."""
    x, y = static.body_vectors(first), static.body_vectors(second)
    if not len(x) or not len(y):
        return 0.0
    (shorter, short_text), (longer, long_text) = sorted(((x, first.body), (y, second.body)), key=lambda v: len(v[0]))
    close = np.argwhere(shorter @ longer.T >= PARAPHRASE_COSINE)
    covered = {int(i) for i, j in close if _same_wording(short_text[i].text, long_text[j].text)}
    return len(covered) / len(shorter)


def _same_wording(first: str, second: str) -> bool:
    """Most words in common (Jaccard at least `PARAPHRASE_WORDS`) and the same numbers."""
    (a, a_numbers), (b, b_numbers) = _wording(first), _wording(second)
    return a_numbers == b_numbers and len(a & b) >= PARAPHRASE_WORDS * len(a | b)


@lru_cache(maxsize=65_536)
def _wording(sentence: str) -> tuple[frozenset[str], frozenset[str]]:
    """A sentence's words and its numbers, read once: one sentence is compared with many."""
    found = frozenset(words(sentence))
    return found, frozenset(w for w in found if w.isdigit())


def shared_sentences(sentences: list[str], body: np.ndarray, common: np.ndarray) -> list[bool]:
    """Which sentences are mostly (half their shingles or more) `common` phrases; `body` is the text's
    fingerprint, so a text that holds no common phrase is not looked at sentence by sentence."""
    if not common.size or not _members(body, common).any():
        return [False] * len(sentences)
    sizes, found = _members_per_part([_sentence_fingerprint(sentence) for sentence in sentences], common)
    return [bool(size) and hits >= 0.5 * size for size, hits in zip(sizes.tolist(), found.tolist())]


@lru_cache(maxsize=65_536)
def _sentence_fingerprint(sentence: str) -> np.ndarray:
    """`fingerprint` of one sentence, made once: rewrites and syndicated versions repeat most of their sentences.
    Read-only, since every caller shares it."""
    shingles = fingerprint(sentence)
    shingles.flags.writeable = False
    return shingles


def _members_per_part(parts: list[np.ndarray], sorted_set: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each part's size and how many of its values `sorted_set` holds, in one search over all of them."""
    sizes = np.array([p.size for p in parts])
    found = np.bincount(np.repeat(np.arange(len(parts)), sizes), weights=_members(np.concatenate(parts), sorted_set),
                        minlength=len(parts))
    return sizes, found


def _members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which `values` are in `sorted_set`: a binary search each (np.isin would sort the set every call)."""
    return sorted_set[np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)] == values

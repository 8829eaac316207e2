"""Stage 4, evidence: the salient, corroborated, non-redundant sentences of a story.

Candidates are the sentences of each duplicate group's representative, so a story syndicated a
thousand times costs what one copy costs, and each candidate document is one independent source.
A sentence is salient when it is close to the story's centroid, early in its article, and said by
many sources. Each candidate keeps the sentences of other documents that say the same (close
embedding, shared words, no different numbers, and more than one coinciding fact where numbers
are stated): they become its citations. Maximal marginal relevance removes repeats. Spans are
carried, never recomputed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..types import Citation, Evidence, Sentence
from ..values.facts import extract_facts

SUPPORT_COSINE = 0.7
REDUNDANT_COSINE = 0.8
MMR_LAMBDA = 0.7
CENTRALITY_WEIGHT, POSITION_WEIGHT, CORROBORATION_WEIGHT = 0.5, 0.2, 0.3
MIN_WORDS, MAX_WORDS = 6, 70
MIN_SHARED_WORDS = 3
MIN_COINCIDING_FACTS = 2
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Candidate:
    sentence: Sentence  # from a duplicate group's representative: `sentence.doc` stands for the group
    position: float


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) >= 4}


def _says_the_same(a: Sentence, b: Sentence) -> bool:
    """Close embeddings are not enough: the two must share content words and state no different numbers,
    and where they state numbers, more than one fact (number, name, date) must coincide: one shared
    number alone ("item 39 ... town 5" and "item 5 ... town 5") is not corroboration."""
    if len(_content_words(a.text) & _content_words(b.text)) < MIN_SHARED_WORDS:
        return False
    x, y = extract_facts(a.text), extract_facts(b.text)
    if not x.numbers and not y.numbers:
        return True
    if x.numbers and y.numbers and not (x.numbers <= y.numbers or y.numbers <= x.numbers):
        return False
    coinciding = len(x.numbers & y.numbers) + len(x.names & y.names) + len(x.dates & y.dates)
    return coinciding >= MIN_COINCIDING_FACTS


def _support(candidates: list[Candidate], similarity: np.ndarray, i: int) -> list[int]:
    """Best matching sentence of every other document, when it says the same thing."""
    best: dict[int, int] = {}
    for j in np.flatnonzero(similarity[i] >= SUPPORT_COSINE):
        doc = candidates[j].sentence.doc
        if doc == candidates[i].sentence.doc or not _says_the_same(candidates[i].sentence, candidates[j].sentence):
            continue
        if doc not in best or similarity[i, j] > similarity[i, best[doc]]:
            best[doc] = int(j)
    return sorted(best.values(), key=lambda j: candidates[j].sentence.doc)


def rank_evidence(candidates: list[Candidate], vectors: np.ndarray, budget_words: int) -> list[Evidence]:
    """Evidence in order of selection (most useful first), up to about `budget_words` words."""
    if not candidates:
        return []
    centroid = vectors.sum(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    similarity = vectors @ vectors.T
    supports = [_support(candidates, similarity, i) for i in range(len(candidates))]
    sources = np.array([1 + len(support) for support in supports])  # one best sentence per other document
    spread = max(len({c.sentence.doc for c in candidates}) - 1, 1)
    score = (CENTRALITY_WEIGHT * (vectors @ centroid)
             + POSITION_WEIGHT * np.array([1.0 - c.position for c in candidates])
             + CORROBORATION_WEIGHT * (sources - 1) / spread)
    usable = np.array([MIN_WORDS <= c.sentence.words <= MAX_WORDS for c in candidates])
    if not usable.any():  # a story of only short lines still gets a brief
        usable[:] = True
    chosen: list[int] = []
    words = 0
    while words < budget_words:
        redundancy = similarity[:, chosen].max(axis=1) if chosen else np.zeros(len(candidates))
        mmr = MMR_LAMBDA * score - (1 - MMR_LAMBDA) * redundancy
        mmr[~usable | (redundancy >= REDUNDANT_COSINE)] = -np.inf
        mmr[chosen] = -np.inf
        best = int(np.argmax(mmr))
        if not np.isfinite(mmr[best]):
            break
        chosen.append(best)
        words += candidates[best].sentence.words
    return [_evidence(candidates, i, supports[i], int(sources[i]), float(score[i])) for i in chosen]


def _evidence(candidates: list[Candidate], i: int, support: list[int], sources: int, score: float) -> Evidence:
    sentence = candidates[i].sentence
    backing = tuple(candidates[j].sentence for j in support)
    citations = tuple(Citation(s.doc, s.start, s.end) for s in (sentence, *backing))
    return Evidence(sentence, backing, sources, round(score, 4), citations, candidates[i].position)


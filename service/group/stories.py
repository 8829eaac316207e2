"""Stage 3, stories: duplicate groups that report the same event form one story.

Same topic is not same event: two earthquakes, or two transfers of cartel members months apart,
are two stories. The decision is the same-event probability of `events.py`, computed only for
pairs of group representatives that are nearest neighbours by document vector (faiss), never for
all pairs. Groups are joined by average linkage over the scored pairs: two sets of groups join
when the mean probability of their scored pairs reaches the threshold. That lets a story grow
through many well-supported pairs while one strong pair cannot chain two events together, as
single linkage would. When every pair of a set is scored (any set of up to `NEIGHBOURS` + 1
groups), this is exactly average-linkage clustering.

Each story explains itself: every group's strongest link into the rest of the story, and the
weakest of those links (`Story.cohesion`).
"""

from __future__ import annotations

import heapq
from typing import Protocol

import numpy as np

from ..runtime.embed import StaticEmbedder
from ..types import Article
from .events import Reports, SameEventModel, time_prior

CANDIDATE_COSINE = 0.3  # document-vector cosine below which no pair of one event was seen (ECB+ dev: 0.2 %)


class PairScorer(Protocol):
    def __call__(self, articles: list[Article], firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Same-event scores in [0, 1] of the pairs `(articles[firsts[k]], articles[seconds[k]])`."""
        ...


class SameEventScorer:
    """The calibrated model over the request's pairwise features, lowered for reports weeks apart."""

    def __init__(self, model: SameEventModel, static: StaticEmbedder) -> None:
        self.model = model
        self.static = static

    def __call__(self, articles: list[Article], firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        scores = self.model.probability(Reports(articles, self.static).features(firsts, seconds))
        priors = [time_prior(articles[i], articles[j]) for i, j in zip(firsts.tolist(), seconds.tolist())]
        return scores * np.array(priors)


def average_linkage(count: int, firsts: np.ndarray, seconds: np.ndarray, scores: np.ndarray,
                    threshold: float) -> list[list[int]]:
    """Clusters of `count` items, joining while the mean score of the scored pairs between two clusters reaches `threshold`."""
    parent = list(range(count))
    between: list[dict[int, list[float]]] = [{} for _ in range(count)]  # cluster -> other cluster -> [sum, pairs]
    for i, j, score in zip(firsts.tolist(), seconds.tolist(), scores.tolist()):
        for a, b in ((i, j), (j, i)):
            entry = between[a].setdefault(b, [0.0, 0])
            entry[0] += score
            entry[1] += 1
    heap = [(-total / pairs, a, b) for a in range(count) for b, (total, pairs) in between[a].items() if a < b]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if -negative < threshold:
            break
        if parent[a] != a or parent[b] != b or b not in between[a] or between[a][b][0] / between[a][b][1] != -negative:
            continue  # stale: one side has joined another cluster since this entry was pushed
        parent[b] = a
        for other, (total, pairs) in list(between[b].items()):
            del between[other][b]
            if other == a:
                continue
            entry = between[a].setdefault(other, [0.0, 0])
            entry[0] += total
            entry[1] += pairs
            between[other][a] = entry
            heapq.heappush(heap, (-entry[0] / entry[1], min(a, other), max(a, other)))
        between[b] = {}
    roots: dict[int, list[int]] = {}
    for item in range(count):
        root = item
        while parent[root] != root:
            root = parent[root]
        roots.setdefault(root, []).append(item)
    return list(roots.values())

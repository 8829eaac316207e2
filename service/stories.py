"""Stage 3, stories: duplicate groups that report the same event form one story.

Same topic is not same event. Two articles about cartel transfers embed close together even
when one reports 26 people and the other 37, so the same-event score adds to the embedding
cosine how far their numbers and names agree, and subtracts when their leads state different
numbers. Groups are joined by average-linkage clustering on that score, which does not chain
a story through one ambiguous article the way single linkage would.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from .facts import Facts
from .types import DuplicateGroup, Story

NUMBER_WEIGHT = 0.15
NAME_WEIGHT = 0.1
LEAD_CONFLICT_PENALTY = 0.1
LEAD_SENTENCES = 3


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient, 0.5 (no evidence either way) when a side has nothing to compare."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.5


def same_event_scores(vectors: np.ndarray, facts: list[Facts], leads: list[Facts]) -> np.ndarray:
    """Pairwise same-event scores: embedding cosine adjusted by agreement of numbers and names."""
    scores = vectors @ vectors.T
    n = len(facts)
    for i in range(n):
        for j in range(i + 1, n):
            adjust = (NUMBER_WEIGHT * (_overlap(facts[i].numbers, facts[j].numbers) - 0.5)
                      + NAME_WEIGHT * (_overlap(facts[i].names, facts[j].names) - 0.5))
            if leads[i].numbers and leads[j].numbers and not leads[i].numbers & leads[j].numbers:
                adjust -= LEAD_CONFLICT_PENALTY
            scores[i, j] = scores[j, i] = scores[i, j] + adjust
    return scores


def cluster(scores: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage clusters of items whose mean pairwise score reaches `threshold`."""
    n = len(scores)
    if n == 1:
        return [[0]]
    distances = np.clip(1.0 - scores, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    labels = fcluster(linkage(squareform(distances, checks=False), method="average"), t=1.0 - threshold,
                      criterion="distance")
    clusters: dict[int, list[int]] = {}
    for item, label in enumerate(labels):
        clusters.setdefault(int(label), []).append(item)
    return list(clusters.values())


def group_stories(groups: list[DuplicateGroup], vectors: np.ndarray, facts: list[Facts], leads: list[Facts],
                  threshold: float) -> list[Story]:
    """Stories, largest first; `vectors`, `facts` and `leads` describe each group's representative."""
    if not groups:
        return []
    clusters = cluster(same_event_scores(vectors, facts, leads), threshold)
    stories = [Story(tuple(groups[k] for k in members)) for members in clusters]
    return sorted(stories, key=lambda s: (-len(s.documents), -len(s.groups), s.documents[0]))

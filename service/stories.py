"""Stage 3, stories: duplicate groups that report the same event form one story.

Same topic is not same event. Two articles about cartel transfers embed close together even
when one reports 26 people and the other 37, so the same-event score adds to the embedding
cosine how far their numbers and names agree, and subtracts when their leads state different
numbers. Groups are joined by average-linkage clustering on that score, which does not chain
a story through one ambiguous article the way single linkage would.

Only pairs among each group's nearest neighbours whose cosine could still reach the threshold are
scored. Average linkage never joins two sets of groups with no such pair between them, so it runs
within each connected set of candidate pairs: the same stories as over all pairs, without the
all-pairs matrix that 100,000 articles would need.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.cluster.hierarchy import DisjointSet, fcluster, linkage
from scipy.spatial.distance import squareform

from .facts import Facts
from .neighbors import similar_pairs
from .types import DuplicateGroup, Story

NUMBER_WEIGHT = 0.15
NAME_WEIGHT = 0.1
LEAD_CONFLICT_PENALTY = 0.1
LEAD_SENTENCES = 3
MOST_RAISED = NUMBER_WEIGHT * 0.5 + NAME_WEIGHT * 0.5  # the most agreement can add to a cosine


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient, 0.5 (no evidence either way) when a side has nothing to compare."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.5


def _adjustment(facts: tuple[Facts, Facts], other: tuple[Facts, Facts]) -> float:
    (whole, lead), (whole_other, lead_other) = facts, other
    adjust = (NUMBER_WEIGHT * (_overlap(whole.numbers, whole_other.numbers) - 0.5)
              + NAME_WEIGHT * (_overlap(whole.names, whole_other.names) - 0.5))
    if lead.numbers and lead_other.numbers and not lead.numbers & lead_other.numbers:
        adjust -= LEAD_CONFLICT_PENALTY
    return adjust


def same_event_scores(vectors: np.ndarray, facts: list[tuple[Facts, Facts]]) -> np.ndarray:
    """Pairwise same-event scores: embedding cosine adjusted by agreement of numbers and names.

    `facts[k]` holds the facts of item k's whole text and of its lead.
    """
    scores = vectors @ vectors.T
    for i in range(len(facts)):
        for j in range(i + 1, len(facts)):
            scores[i, j] = scores[j, i] = scores[i, j] + _adjustment(facts[i], facts[j])
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


def group_stories(groups: list[DuplicateGroup], vectors: np.ndarray, facts: Callable[[int], tuple[Facts, Facts]],
                  threshold: float) -> list[Story]:
    """Stories, largest first; `vectors[k]` and `facts(k)` describe group k's representative."""
    if not groups:
        return []
    firsts, seconds, cosines = similar_pairs(vectors, threshold - MOST_RAISED)
    linked = DisjointSet(range(len(groups)))
    for i, j, cosine in zip(firsts.tolist(), seconds.tolist(), cosines.tolist()):
        if cosine + _adjustment(facts(i), facts(j)) >= threshold:
            linked.merge(i, j)
    clusters = []
    for component in map(sorted, linked.subsets()):
        if len(component) == 1:
            clusters.append(component)
            continue
        scores = same_event_scores(vectors[component], [facts(k) for k in component])
        clusters += [[component[m] for m in members] for members in cluster(scores, threshold)]
    stories = [Story(tuple(groups[k] for k in members)) for members in clusters]
    return sorted(stories, key=lambda s: (-len(s.documents), -len(s.groups), s.documents[0]))

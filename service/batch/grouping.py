"""Stages 2 and 3 of a batch on Ray: the request's engine (`group.engine`), cut where the work is local.

A request groups its documents as one batch into an empty collection. A batch over a corpus gives
the same copy groups and stories, computing the parts that look at the whole corpus in a way that
spreads, and running the engine's own code on the parts that are local:

- Copies: the copy check depends on order (a document is indexed only if it copies no earlier
  indexed one), so one actor keeps the request's `CopyIndex` and is fed the partitions in key
  order, while stage 1 reads the later ones; the signatures were made in stage 1 on every core.
- Rewrites: every copy set's most complete member (the engine's `fresh` representatives) looks for
  its nearest others by document vector, exactly (`neighbors.nearest` block against block, the
  block results merged), as the engine does up to `neighbors.EXACT_LIMIT` representatives; each
  candidate's coverage (`dedup.rewrite_coverage`) is measured in parallel.
- Duplicate groups: a document's group depends only on the documents it is linked to by a copy
  pair or a rewrite, so the connected components of those links are placed independently, each by
  `engine.place_duplicates` on its own documents with its own rewrites as the candidates, in parallel.
- Stories: the nearest representatives of every group give the candidate pairs; they are scored
  by the same-event model in parallel chunks, furniture phrases counted over the whole corpus as
  the engine's copy index counts them (a pair's score depends on nothing else of the corpus), and
  a neighbour below the candidate cosine is kept with score 0, as the engine keeps it.
- Average linkage joins two sets of groups only through a pair scoring at least the threshold, so
  the components of such pairs are clustered independently by `stories.average_linkage`, with
  every scored pair inside them, in the order the engine sees them.

Ties between equal floating-point values aside, each step gives what the engine gives.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import ray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, reverse_cuthill_mckee

from ..group import engine
from ..group.dedup import (
    COMMON_PHRASE_DOCUMENTS,
    REWRITE_DOC_COSINE,
    SIGNATURE_DTYPE,
    CopyIndex,
    PhraseCounts,
    rewrite_coverage,
)
from ..group.events import SameEventModel
from ..group.neighbors import BLOCK, NEIGHBOURS, merge_nearest, nearest_in_block
from ..group.stories import CANDIDATE_COSINE, SameEventScorer, average_linkage
from ..runtime.embed import StaticEmbedder
from ..settings import Settings
from .corpus import Corpus, lists, tables_articles

log = logging.getLogger("service.batch")
CHUNK_PAIRS = 20_000  # candidate story pairs scored per task, at most
CHUNK_KEYS = 5_000  # documents placed, or representatives counted, per task, at most
TASKS_PER_CORE = 2  # and at least this many tasks per core of the cluster, so that every core has work
SIGNATURE = np.dtype(SIGNATURE_DTYPE)


def parts(count: int, most: int) -> int:
    """How many tasks share `count` items: at most `most` items each, at least `TASKS_PER_CORE` per core."""
    cores = max(1, int(ray.cluster_resources().get("CPU", 1)))
    return max(1, min(count, max(-(-count // most), TASKS_PER_CORE * cores)))


@dataclass(frozen=True)
class Thresholds:
    copy: float
    rewrite: float
    story: float

    @classmethod
    def of(cls, settings: Settings) -> Thresholds:
        """The request's defaults: the settings, the story threshold calibrated with the model when unset."""
        return cls(settings.duplicate_threshold, settings.rewrite_threshold,
                   settings.story_threshold or SameEventModel.load().threshold)


@functools.cache
def static_model(model: str, cache: Path) -> StaticEmbedder:
    """The static embedder, loaded once per worker process."""
    return StaticEmbedder(model, cache)


@functools.cache
def scorer(model: str, cache: Path) -> SameEventScorer:
    return SameEventScorer(SameEventModel.load(), static_model(model, cache))


class CopyChain:
    """The copy index of the whole batch, fed the partitions in key order (an actor).

    Each partition's copy pairs are saved as it is done; an actor started again (after a fault, or
    in a rerun) rebuilds its index from the saved partitions and goes on with the next one."""

    def __init__(self, corpus: Corpus, folder: Path, threshold: float) -> None:
        self.corpus = corpus
        self.folder = folder
        self.index = CopyIndex(threshold)
        folder.mkdir(parents=True, exist_ok=True)
        for partition in range(corpus.partitions):
            if not self.path(partition).exists():
                break
            with np.load(self.path(partition)) as saved:
                indexed = saved["indexed"]
            table = corpus.read(partition, ["key", "fingerprint", "signature"], keys=indexed.tolist())
            for key, signature, fingerprint in zip(table["key"].to_pylist(), lists(table["signature"], SIGNATURE),
                                                   lists(table["fingerprint"], np.dtype(np.uint64))):
                self.index.insert(key, signature, fingerprint)

    def path(self, partition: int) -> Path:
        return self.folder / f"part-{partition:05d}.npz"

    def add(self, partition: int, excluded: list[int]) -> int:
        """Check a partition's articles (but the `excluded` keys: ids given before) against every earlier
        one; return its copy pairs' count."""
        if self.path(partition).exists():  # a retried call after the result was saved
            with np.load(self.path(partition)) as saved:
                return len(saved["later"])
        table = self.corpus.read(partition, ["key", "reason", "fingerprint", "signature"])
        table = table.filter(pc.and_(pc.is_null(table["reason"]),
                                     pc.invert(pc.is_in(table["key"], pa.array(excluded, pa.int64())))))
        keys = table["key"].to_pylist()
        pairs, indexed = self.index.add(lists(table["fingerprint"], np.dtype(np.uint64)), keys,
                                        lists(table["signature"], SIGNATURE))
        earlier, later = (np.array([pair[n] for pair in pairs], dtype=np.int64) for n in (0, 1))
        partial = self.path(partition).with_suffix(".partial.npz")
        np.savez(partial, earlier=earlier, later=later, containment=np.array(list(pairs.values())),
                 indexed=np.array([k for k, s in zip(keys, indexed) if s is not None], dtype=np.int64))
        os.replace(partial, self.path(partition))
        return len(pairs)


def common_phrases(corpus: Corpus, folder: Path) -> np.ndarray:
    """The furniture phrases of the corpus, as the engine's `CopyIndex.common_phrases` counts them: over the
    texts the copy chain indexed (read back from its saved partitions, a partition at a time)."""
    counts = PhraseCounts()
    for partition in range(corpus.partitions):
        with np.load(folder / f"part-{partition:05d}.npz") as saved:
            indexed = saved["indexed"].tolist()
        table = corpus.read(partition, ["key", "fingerprint"], keys=indexed)
        counts.add(list(lists(table["fingerprint"], np.dtype(np.uint64))))
    return counts.common(COMMON_PHRASE_DOCUMENTS)


def copy_pairs(folder: Path, partitions: int) -> tuple[np.ndarray, np.ndarray]:
    """Every copy pair the chain found, as (earlier keys, later keys)."""
    earlier, later = [], []
    for partition in range(partitions):
        with np.load(folder / f"part-{partition:05d}.npz") as saved:
            earlier.append(saved["earlier"])
            later.append(saved["later"])
    return np.concatenate(earlier), np.concatenate(later)


def components(count: int, firsts: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """A component label for each of `count` items linked by the pairs (firsts[k], seconds[k])."""
    graph = coo_matrix((np.ones(len(firsts), dtype=bool), (firsts, seconds)), shape=(count, count))
    return connected_components(graph, directed=False)[1]


def members_of(labels: np.ndarray, items: np.ndarray) -> Iterator[np.ndarray]:
    """The items of each label, in item order, labels in order of their first item."""
    if not len(items):
        return
    order = np.lexsort((items, labels))
    sorted_labels = labels[order]
    bounds = np.flatnonzero(np.diff(sorted_labels)) + 1
    found = np.split(items[order], bounds)
    yield from sorted(found, key=lambda members: int(members[0]))


# Nearest neighbours, block against block


def vector_blocks(corpus: Corpus, keys: np.ndarray, ids: np.ndarray) -> list[ray.ObjectRef]:
    """The vectors of these documents under these ids, as blocks in Ray's object store: the blocks of `BLOCK`
    queries and vectors the engine's exact search goes through (`neighbors.nearest`), in its order, which decides
    between neighbours at the same distance. (Past `neighbors.EXACT_LIMIT` the engine searches approximately, and
    the batch's answer, still exact, may differ.)"""
    blocks = []
    for start in range(0, len(keys), BLOCK):
        chunk, names = keys[start:start + BLOCK], ids[start:start + BLOCK]
        vectors: dict[int, np.ndarray] = {}
        for partition in np.unique(corpus.partition_of(chunk)).tolist():
            table = corpus.read(partition, ["key", "vector"], keys=chunk.tolist())
            vectors.update(zip(table["key"].to_pylist(), lists(table["vector"], np.dtype(np.float32))))
        blocks.append(ray.put((names, np.stack([vectors[key] for key in chunk.tolist()]))))
    return blocks


@ray.remote
def _nearest_to_block(query: tuple[np.ndarray, np.ndarray], blocks: list[ray.ObjectRef], min_cosine: float,
                      count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The `count` nearest vectors of all blocks to each query vector of this block, and those tied with the last,
    as `neighbors.nearest` finds them by the same searches of the same blocks: (query id, found id, cosine)."""
    names, queries = query
    found = []
    for ref in blocks:
        other_names, vectors = ray.get(ref)
        row, at, cosine = nearest_in_block(queries, vectors, min_cosine, count)
        found.append((row, other_names[at], cosine))
        del other_names, vectors
    row, other, cosine = merge_nearest(found, len(names), count)
    return names[row], other, cosine


def nearest_pairs(blocks: list[ray.ObjectRef], min_cosine: float,
                  count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each id's `count` nearest ids (itself included) with cosine at least `min_cosine`."""
    found = ray.get([_nearest_to_block.remote(block, blocks, min_cosine, count) for block in blocks])
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    return tuple(np.concatenate(parts) for parts in zip(*found))  # type: ignore[return-value]


# Duplicate groups


@dataclass(frozen=True)
class Candidates:
    """Rewrite candidates `(firsts[k], seconds[k], cosines[k])` (keys), in the order the engine confirms them."""

    firsts: np.ndarray
    seconds: np.ndarray
    cosines: np.ndarray

    def among(self, sets: list[list[int]]) -> list[list[tuple[int, int, float]]]:
        """The candidates inside each of these sets of keys (each candidate is inside one set or none)."""
        firsts, seconds, cosines = self.firsts.tolist(), self.seconds.tolist(), self.cosines.tolist()
        return [[(firsts[k], seconds[k], cosines[k]) for k in rows] for rows in pairs_among(sets, self.firsts)]


def pairs_among(sets: list[list[int]], firsts: np.ndarray) -> list[list[int]]:
    """For each of these sets of keys, the indexes of the pairs whose first key is in it (a pair's two keys are
    in one set or none)."""
    label = {key: n for n, keys in enumerate(sets) for key in keys}
    found: list[list[int]] = [[] for _ in sets]
    for k, first in enumerate(firsts.tolist()):
        if first in label:
            found[label[first]].append(k)
    return found


def rewrite_candidates(corpus: Corpus, fresh: np.ndarray, settings: Settings, thresholds: Thresholds) -> Candidates:
    """The pairs of copy sets' most complete members (`fresh`, keys in the engine's order) that the engine
    checks as rewrites (each one's nearest others by document vector) and that pass: their coverage is
    measured here, in parallel, so that only rewrites link documents into the sets placed together."""
    blocks = vector_blocks(corpus, fresh, np.arange(len(fresh)))
    rows, found, cosines = nearest_pairs(blocks, REWRITE_DOC_COSINE, NEIGHBOURS)
    del blocks
    other = rows != found
    firsts, seconds, cosines = fresh[rows[other]], fresh[found[other]], cosines[other]
    chunks = np.array_split(np.arange(len(firsts)), parts(len(firsts), CHUNK_PAIRS)) if len(firsts) else []
    sent = corpus.scatter([np.unique(np.concatenate([firsts[chunk], seconds[chunk]])) for chunk in chunks])
    coverage = np.concatenate([np.zeros(0), *ray.get([
        _coverage.remote(firsts[chunk], seconds[chunk], settings, *tables) for chunk, tables in zip(chunks, sent)])])
    kept = coverage >= thresholds.rewrite
    return Candidates(firsts[kept], seconds[kept], cosines[kept])


@ray.remote
def _coverage(firsts: np.ndarray, seconds: np.ndarray, settings: Settings, *tables: pa.Table) -> np.ndarray:
    """`dedup.rewrite_coverage` of each pair, as the engine measures it."""
    static = static_model(settings.embedding_model, settings.cache_dir)
    articles = tables_articles(tables)
    return np.array([rewrite_coverage(articles[a], articles[b], static)
                     for a, b in zip(firsts.tolist(), seconds.tolist())])


@ray.remote
def _place(batch: list[list[int]], copies: list[list[tuple[int, int]]], close: list[list[tuple[int, int, float]]],
           settings: Settings, thresholds: Thresholds, *tables: pa.Table) -> list[tuple[int, list[int], float, int]]:
    """`engine.place_duplicates` on each set's documents (their rows in `tables`) with the set's copy pairs (the
    copy chain's) and rewrite candidates, as a request places them: (representative, members, similarity, the
    first document of the set of copies and rewrites it was made from) of each group, in the order the engine
    makes them."""
    static = static_model(settings.embedding_model, settings.cache_dir)
    articles = tables_articles(tables)
    groups = []
    for keys, pairs, candidates in zip(batch, copies, close):
        mine = {key: articles[key] for key in keys}
        store = engine.MemoryStore(mine)
        placed = engine.place_duplicates(store, engine.Collection(thresholds.copy, static.dimension), mine, static,
                                         thresholds.rewrite, close=candidates, copies=pairs)
        groups += [(found.representative, list(found.members), found.similarity, placed.made_from[group])
                   for group, found in store.groups.items()]
    return groups


def duplicate_groups(corpus: Corpus, keys: np.ndarray, sizes: np.ndarray, earlier: np.ndarray, later: np.ndarray,
                     settings: Settings, thresholds: Thresholds,
                     progress: Callable[[int], None]) -> list[tuple[int, list[int], float]]:
    """Every article's duplicate group, groups in the order a request creates them: set by set of copies
    and rewrites, in order of each set's first document, and within a set most complete first. That
    order decides between neighbours at the same distance in the story stage.

    `keys` are the articles' keys in order and `sizes` their shingle counts."""
    if not len(keys):
        return []
    position = {key: n for n, key in enumerate(keys.tolist())}
    at = np.vectorize(position.__getitem__, otypes=[np.int64])
    copies = components(len(keys), at(earlier), at(later)) if len(earlier) else np.arange(len(keys))
    order = np.lexsort((keys, -sizes, copies))  # each copy set's most complete member first, the earliest on a tie
    first = np.r_[True, copies[order][1:] != copies[order][:-1]]
    fresh = order[first]
    fresh = fresh[np.argsort(np.minimum.reduceat(order, np.flatnonzero(first)))]  # sets in order of their first member
    close = rewrite_candidates(corpus, keys[fresh], settings, thresholds)
    linked = components(len(keys), np.concatenate([at(earlier), at(close.firsts)]),
                        np.concatenate([at(later), at(close.seconds)]))
    groups: list[tuple[int, list[int], float, int]] = []
    linked_sets: list[list[int]] = []
    for members in members_of(linked, np.arange(len(keys))):
        if len(members) == 1:
            groups.append((int(keys[members[0]]), [int(keys[members[0]])], 1.0, int(keys[members[0]])))
        else:
            linked_sets.append(keys[members].tolist())
    batches = _batches(linked_sets, CHUNK_KEYS)
    log.info("duplicate groups: %d sets of linked documents (the largest of %d) placed by %d tasks",
             len(linked_sets), max(map(len, linked_sets), default=0), len(batches))
    sent = corpus.scatter([np.sort(np.concatenate([np.array(found) for found in batch])) for batch in batches])
    pending = [_place.remote(batch, [[(int(earlier[k]), int(later[k])) for k in rows] for rows in
                                     pairs_among(batch, earlier)], close.among(batch), settings, thresholds, *tables)
               for batch, tables in zip(batches, sent)]
    progress(len(groups))
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        placed = ray.get(done[0])
        groups += placed
        progress(sum(len(members) for _, members, _, _ in placed))
    return [(rep, members, similarity) for rep, members, similarity, _ in sorted(groups, key=lambda group: group[3])]


def _batches(sets: list[list[int]], most: int) -> list[list[list[int]]]:
    """The sets shared among `parts` tasks, each task's sets adding up to about the same count."""
    count = sum(map(len, sets))
    size = -(-count // parts(count, most)) if count else 1
    batches: list[list[list[int]]] = [[]]
    held = 0
    for found in sets:
        if held >= size:
            batches.append([])
            held = 0
        batches[-1].append(found)
        held += len(found)
    return [batch for batch in batches if batch]


# Stories


@ray.remote
def _score(reps: np.ndarray, firsts: np.ndarray, seconds: np.ndarray, common: np.ndarray,
           settings: Settings, *tables: pa.Table) -> np.ndarray:
    """Same-event scores of these pairs of groups (indexes into `reps`), as the engine keeps them."""
    articles = tables_articles(tables)
    used = np.unique(np.concatenate([firsts, seconds]))
    position = np.searchsorted(used, np.concatenate([firsts, seconds]))
    score = scorer(settings.embedding_model, settings.cache_dir)
    found = score([articles[key] for key in reps[used].tolist()], position[:len(firsts)], position[len(firsts):],
                  common)
    return np.array([round(float(s), 6) for s in found.tolist()])


@ray.remote
def _link(batch: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], threshold: float) -> list[list[int]]:
    """Average linkage of each component (its groups, and its pairs by position among them, in order)."""
    clusters = []
    for groups, firsts, seconds, scores in batch:
        for members in average_linkage(len(groups), firsts, seconds, scores, threshold):
            clusters.append(groups[members].tolist())
    return clusters


@dataclass(frozen=True)
class Scored:
    """The story stage's pairs of groups, in the engine's order, with their kept scores."""

    firsts: np.ndarray
    seconds: np.ndarray
    scores: np.ndarray


def score_pairs(corpus: Corpus, reps: np.ndarray, common: np.ndarray, settings: Settings) -> Scored:
    """The candidate pairs of groups (whose representatives are `reps`, in group order), scored as the engine
    keeps them: a neighbour below `CANDIDATE_COSINE` with score 0, the others by the same-event model,
    furniture (`common`) left out of its features."""
    blocks = vector_blocks(corpus, reps, np.arange(len(reps)))
    rows, found, cosines = nearest_pairs(blocks, -1.0, NEIGHBOURS + 1)
    del blocks
    apart = rows != found
    pairs, inverse = np.unique(np.stack([np.minimum(rows, found), np.maximum(rows, found)], axis=1)[apart], axis=0,
                               return_inverse=True)
    if not len(pairs):
        empty = np.zeros(0, dtype=np.int64)
        return Scored(empty, empty, np.zeros(0))
    candidate = np.zeros(len(pairs), dtype=bool)
    np.logical_or.at(candidate, inverse.ravel(), cosines[apart] >= CANDIDATE_COSINE)  # either side's view counts
    scores = np.zeros(len(pairs))
    if candidate.any():
        close = pairs[candidate]
        shared = ray.put(common)
        chunks = local_chunks(len(reps), close, parts(len(close), CHUNK_PAIRS))
        wanted = [np.unique(reps[close[chunk].ravel()]) for chunk in chunks]
        log.info("story pairs: %d scored by %d tasks; a group is read by %.2f tasks on average", len(close),
                 len(chunks), sum(map(len, wanted)) / len(np.unique(close)))
        found = np.zeros(len(close))
        for chunk, result in zip(chunks, ray.get([_score.remote(reps, close[chunk, 0], close[chunk, 1], shared,
                                                                settings, *tables)
                                                  for chunk, tables in zip(chunks, corpus.scatter(wanted))])):
            found[chunk] = result
        scores[candidate] = found
    return Scored(pairs[:, 0], pairs[:, 1], scores)


def local_chunks(count: int, pairs: np.ndarray, tasks: int) -> list[np.ndarray]:
    """The pairs (indexes into `pairs`) shared among `tasks` tasks so that each task names few groups: a task reads
    the words and facts of every group its pairs name. The groups are put in the reverse Cuthill-McKee order of the
    pairs' graph, which keeps each component together and linked groups close, and the pairs are cut in that order
    (by the earlier of each pair's two groups): a task's pairs name a run of groups and the few linked to them, even where the whole graph
    is one component (cut by component alone, 100,000 scale documents had each group read by 6.3 tasks)."""
    graph = coo_matrix((np.ones(len(pairs), dtype=bool), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    place = np.empty(count, dtype=np.int64)
    place[reverse_cuthill_mckee(graph.tocsr(), symmetric_mode=False)] = np.arange(count)
    earlier = np.minimum(place[pairs[:, 0]], place[pairs[:, 1]])
    return [chunk for chunk in np.array_split(np.argsort(earlier, kind="stable"), tasks) if len(chunk)]


def cluster(count: int, scored: Scored, threshold: float) -> list[list[int]]:
    """The clusters of `count` groups, as `engine.cluster` finds them over all pairs at once."""
    strong = scored.scores >= threshold
    labels = components(count, scored.firsts[strong], scored.seconds[strong])
    pair_labels = labels[scored.firsts]
    inside = pair_labels == labels[scored.seconds]
    order = np.argsort(pair_labels[inside], kind="stable")  # each component's pairs, in the engine's order
    firsts, seconds, scores = (a[inside][order] for a in (scored.firsts, scored.seconds, scored.scores))
    bounds = np.searchsorted(pair_labels[inside][order], np.arange(count + 1))
    batches: list[list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = [[]]
    clusters: list[list[int]] = []
    for groups in members_of(labels, np.arange(count)):
        label = labels[groups[0]]
        start, end = bounds[label], bounds[label + 1]
        if len(groups) == 1:
            clusters.append(groups.tolist())
            continue
        position = np.searchsorted(groups, np.concatenate([firsts[start:end], seconds[start:end]]))
        batches[-1].append((groups, position[:end - start], position[end - start:], scores[start:end]))
        if sum(len(b[0]) for b in batches[-1]) >= CHUNK_KEYS:
            batches.append([])
    for found in ray.get([_link.remote(batch, threshold) for batch in batches if batch]):
        clusters += found
    return clusters

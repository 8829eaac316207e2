"""Stages 2 and 3 over a growing collection: the one engine of a request and of the desk.

A collection takes batches. Each batch's documents are checked against the collection's copy
index (`dedup.CopyIndex`) and join a stored duplicate group or form a new one; each new copy set
looks for rewrites among its nearest representatives, stored or new (`dedup.confirm_rewrites`).
Each new group's nearest representatives are scored by the same-event model and the scores are
kept. Only the groups whose story a new pair could change (a story with a group scoring at least
the threshold with a new group: an average of lower scores never reaches it) are clustered
again, with the new groups, by `stories.average_linkage` over every score kept among them.

A request is one batch into an empty collection held in memory (`MemoryStore`), as
scikit-learn's Birch runs `fit` as `partial_fit` on an empty tree; the desk keeps its collection
in a database behind the same `Store` protocol. So both give the same copy groups and stories for
the same batch. A pair's same-event score does not depend on the batch it comes in (no feature
weighs words or facts by the other documents), except through the furniture left out of it, the
phrases the collection's texts share so far (`CopyIndex.common_phrases`). Where the desk is fed in
several batches, what legitimately differs is which pairs are scored: a new group's nearest
neighbours are taken among the groups present when it arrives.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from scipy.cluster.hierarchy import DisjointSet

from ..runtime.embed import StaticEmbedder
from ..types import Article, DuplicateGroup, Link, Story
from .dedup import (
    REWRITE_DOC_COSINE,
    CopyIndex,
    confirm_rewrites,
    containment,
    containments,
    rewrite_coverage,
)
from .neighbors import NEIGHBOURS, nearest
from .stories import CANDIDATE_COSINE, PairScorer, average_linkage

CACHED_ARTICLES = 20_000  # recently matched articles kept whole: a new report's neighbours are mostly recent

Node = int | tuple[str, int]  # a new document's key, or ("group", id) for a stored group


def most_complete(keys: Iterable[int], articles: dict[int, Article]) -> int:
    """The member that represents a group: the one with most shingles, the earliest on a tie."""
    return max(keys, key=lambda k: (articles[k].fingerprint.size, -articles[k].index))


def group_node(group: int) -> tuple[str, int]:
    return ("group", group)


class Store(Protocol):
    """Where a collection's documents, groups and scores are kept: memory for a request, a database for the desk."""

    def articles(self, keys: list[int]) -> dict[int, Article]:
        """Whole articles of these documents."""
        ...

    def create_group(self, representative: int, members: list[int], similarity: float) -> int:
        """A new duplicate group; return its id (ids grow in order of creation)."""
        ...

    def join_group(self, group: int, members: list[int], similarity: float, representative: int | None = None) -> None:
        """New members join a stored group. With a new `representative`, `similarity` is the group's,
        measured again; without, the group keeps the lower of its own and `similarity`."""
        ...

    def members(self, group: int) -> list[int]:
        """The documents of a stored group."""
        ...

    def keep_scores(self, scores: list[tuple[int, int, float]]) -> None:
        """Same-event scores of group pairs `(first < second)`, for every later clustering."""
        ...

    def scores_among(self, groups: list[int]) -> Iterable[tuple[int, int, float]]:
        """Every kept score of a pair of these groups."""
        ...

    def groups_of(self, stories: set[int]) -> list[int]:
        """The groups of these stories."""
        ...


class Collection:
    """What matching a new batch needs from a collection, in memory: the copy index, each document's
    group, each group's representative, vector and story. The desk reads it from its database once
    and keeps it up to date batch by batch; a request starts from an empty one."""

    def __init__(self, copy_threshold: float, dimension: int) -> None:
        self.copies = CopyIndex(copy_threshold)
        self.doc_group: dict[int, int] = {}  # document -> its duplicate group
        self.group_rep: dict[int, int] = {}  # group -> its representative document
        self.group_story: dict[int, int | None] = {}
        self.rep_groups: list[int] = []  # the groups whose representative vectors are the rows of `rep_vectors`
        self._vectors: list[np.ndarray] = [np.zeros((0, dimension), np.float32)]
        self.recent: OrderedDict[int, Article] = OrderedDict()  # articles kept whole, most recently used last

    @property
    def rep_vectors(self) -> np.ndarray:
        if len(self._vectors) > 1:
            self._vectors = [np.concatenate(self._vectors)]
        return self._vectors[0]

    def add_stored_groups(self, groups: list[int], reps: list[int], stories: list[int | None],
                          vectors: list[np.ndarray]) -> None:
        """Groups read back from storage, with their representatives' vectors."""
        for group, rep, story in zip(groups, reps, stories):
            self.group_rep[group], self.group_story[group] = rep, story
            self.rep_groups.append(group)
        if vectors:
            self._vectors.append(np.stack(vectors).astype(np.float32))

    def add_groups(self, groups: list[int], reps: list[Article], rep_keys: list[int]) -> None:
        for group, rep, key in zip(groups, reps, rep_keys):
            self.group_rep[group] = key
            self.group_story[group] = None
            self.rep_groups.append(group)
            self.remember(key, rep)
        if groups:
            self._vectors.append(np.stack([rep.vector for rep in reps]).astype(np.float32))

    def set_representative(self, group: int, key: int, article: Article) -> None:
        self.group_rep[group] = key
        self.rep_vectors[self.rep_groups.index(group)] = article.vector
        self.remember(key, article)

    def remember(self, key: int, article: Article) -> None:
        self.recent[key] = article
        self.recent.move_to_end(key)
        while len(self.recent) > CACHED_ARTICLES:
            self.recent.popitem(last=False)


@dataclass
class Placed:
    """What a batch changed: its new groups, the stored groups it joined, the stories to cluster again."""

    new_groups: list[int] = field(default_factory=list)
    made_from: dict[int, int] = field(default_factory=dict)  # new group -> the first document of the set it came from
    joined_groups: set[int] = field(default_factory=set)
    stories: set[int] = field(default_factory=set)
    signatures: dict[int, np.ndarray] = field(default_factory=dict)  # new documents indexed for the copy check


def add(store: Store, collection: Collection, articles: dict[int, Article], static: StaticEmbedder,
        score: PairScorer, rewrite_threshold: float, story_threshold: float,
        stage: Callable[[str], AbstractContextManager[None]] = lambda _: nullcontext()) -> tuple[Placed, list[list[int]]]:
    """Place a batch (articles by document key, in order of arrival) and cluster what it changed:
    what was placed, and the new clusters of groups. `stage` times the two stages."""
    with stage("near_duplicates"):
        placed = place_duplicates(store, collection, articles, static, rewrite_threshold)
    with stage("stories"):
        groups = link_new_groups(store, collection, placed, score, story_threshold)
        return placed, cluster(store, groups, story_threshold)


def place_duplicates(store: Store, collection: Collection, articles: dict[int, Article], static: StaticEmbedder,
                     rewrite_threshold: float, close: list[tuple[int, int, float]] | None = None,
                     copies: list[tuple[int, int]] | None = None) -> Placed:
    """Put each new article in a stored or a new duplicate group.

    Copy and rewrite pairs only propose groups: a member belongs to a group when it is a copy or a
    rewrite of the group's representative itself, never through a chain of members (A copies B, B
    copies C, C shares nothing with A). A new article joins the stored group whose representative
    it is closest to; the others form new groups around their most complete member. A batch over a
    corpus gives the copy pairs and the rewrite candidates among new documents (`copies`, `close`) that
    it found over the whole corpus (`service/batch`): its copy chain has indexed them already, and the
    collection, which lives for that set alone, keeps no copy index."""
    keys = list(articles)
    placed = Placed()
    if copies is None:
        found, signatures = collection.copies.add([articles[k].fingerprint for k in keys], keys)
        copies = list(found)
        placed.signatures = {k: s for k, s in zip(keys, signatures) if s is not None}
    sets = DisjointSet(keys)
    for earlier, later in copies:
        sets.add(node := earlier if earlier in articles else group_node(collection.doc_group[earlier]))
        sets.merge(node, later)
    known: dict[Node, Article] = {key: article for key, article in articles.items()}
    rewrites = _rewrites(store, collection, known, sets, static, rewrite_threshold, close)
    links = Links(known, static, collection.copies.threshold, rewrite_threshold, rewrites)
    proposed_pairs: dict[Node, set[Node]] = {}  # a new group's members are looked for within two proposed pairs
    for first, second in [*copies, *rewrites]:
        proposed_pairs.setdefault(first, set()).add(second)
        proposed_pairs.setdefault(second, set()).add(first)
    proposed = []
    for members in sets.subsets():
        new = sorted((k for k in members if isinstance(k, int)), key=lambda k: articles[k].index)
        if new:
            proposed.append((sorted(node[1] for node in members if isinstance(node, tuple)), new))
    for stored, new in sorted(proposed, key=lambda subset: articles[subset[1][0]].index):
        joining: dict[int, list[int]] = {}
        for group in stored:
            _rep_of(store, collection, known, group)
        for key in new:
            scores = {g: links.score(key, group_node(g)) for g in stored}
            best = max(scores, key=scores.__getitem__, default=None)
            if best is not None and links.holds(key, group_node(best)):
                joining.setdefault(best, []).append(key)
        for group, members in joining.items():
            _join(store, collection, group, members, known, links)
            placed.joined_groups.add(group)
            collection.doc_group.update((key, group) for key in members)
        joined = {k for members in joining.values() for k in members}
        rest = {k for k in new if k not in joined}
        for rep in sorted(rest, key=lambda k: (-articles[k].fingerprint.size, articles[k].index)):  # most complete first
            if rep not in rest:
                continue
            near = {k for first in proposed_pairs.get(rep, ()) for k in (first, *proposed_pairs.get(first, ()))
                    if isinstance(k, int) and k in rest and k != rep}
            candidates = sorted(near, key=lambda k: articles[k].index)
            links.measure_copies(candidates, rep)
            members = [rep, *(k for k in candidates if links.holds(k, rep))]
            rest -= set(members)
            group = store.create_group(rep, members, links.similarity(members, rep))
            collection.add_groups([group], [articles[rep]], [rep])
            placed.new_groups.append(group)
            placed.made_from[group] = new[0]
            collection.doc_group.update((key, group) for key in members)
    return placed


class Links:
    """How close a member is to a representative: the containment of their shingles, or the share of
    aligned sentences of a rewrite; and whether that reaches the copy or the rewrite threshold."""

    def __init__(self, known: dict[Node, Article], static: StaticEmbedder, copy_threshold: float,
                 rewrite_threshold: float, rewrites: dict[tuple[Node, Node], float]) -> None:
        self.known = known
        self.static = static
        self.copy_threshold = copy_threshold
        self.rewrite_threshold = rewrite_threshold
        self.found: dict[tuple[Node, Node], tuple[float, bool]] = {}
        for (a, b), coverage in rewrites.items():
            self.found[(a, b)] = self.found[(b, a)] = (coverage, True)

    def _measure(self, member: Node, rep: Node) -> tuple[float, bool]:
        if (member, rep) not in self.found:
            first, second = self.known[member], self.known[rep]
            copied = containment(first.fingerprint, second.fingerprint)
            if copied >= self.copy_threshold:
                self.found[(member, rep)] = (copied, True)
            elif float(first.vector @ second.vector) >= REWRITE_DOC_COSINE:
                coverage = rewrite_coverage(first, second, self.static)
                self.found[(member, rep)] = (max(copied, coverage), coverage >= self.rewrite_threshold)
            else:
                self.found[(member, rep)] = (copied, False)
        return self.found[(member, rep)]

    def measure_copies(self, members: list[int], rep: int) -> None:
        """Containment of many members in one representative, in one pass (`holds` then only aligns the
        sentences of the few that are no copy but read alike)."""
        fresh = [k for k in members if k != rep and (k, rep) not in self.found and self.known[k].fingerprint.size]
        if not fresh or not self.known[rep].fingerprint.size:
            return
        found = containments(self.known[rep].fingerprint, [self.known[k].fingerprint for k in fresh])
        cosines = np.stack([self.known[k].vector for k in fresh]) @ self.known[rep].vector
        aligned = [rep]
        for key, copied, cosine in zip(fresh, found.tolist(), cosines.tolist()):
            if copied >= self.copy_threshold or cosine < REWRITE_DOC_COSINE:
                self.found[(key, rep)] = (copied, copied >= self.copy_threshold)
            else:
                aligned.append(key)
        if len(aligned) > 1:
            self.static.encode_bodies(self.known[k] for k in aligned)

    def score(self, member: Node, rep: Node) -> float:
        return self._measure(member, rep)[0]

    def holds(self, member: Node, rep: Node) -> bool:
        return member == rep or self._measure(member, rep)[1]

    def similarity(self, members: list[int], rep: Node) -> float:
        """The group's similarity: the lowest of its members' links to the representative."""
        return round(min((self.score(k, rep) for k in members if k != rep), default=1.0), 4)


def _rep_of(store: Store, collection: Collection, known: dict[Node, Article], group: int) -> Article:
    """A stored group's representative, read once."""
    if group_node(group) not in known:
        rep = collection.group_rep[group]
        known[group_node(group)] = store.articles([rep])[rep]
    return known[group_node(group)]


def _join(store: Store, collection: Collection, group: int, new: list[int], known: dict[Node, Article],
          links: Links) -> None:
    """New members join a stored group. The most complete member represents it, as in a request, when
    every member is a copy or a rewrite of it: it takes over and the group's similarity is measured
    again against it."""
    current = collection.group_rep[group]
    candidates: dict[int, Article] = {current: _rep_of(store, collection, known, group)} | {k: known[k] for k in new}
    rep = most_complete(candidates, candidates)
    if rep != current:
        members = [k for k in store.members(group) if k != current]
        known.update(store.articles(members).items())
        known[current] = candidates[current]
        everyone = [current, *members, *new]
        if all(links.holds(k, rep) for k in everyone):
            store.join_group(group, new, links.similarity(everyone, rep), representative=rep)
            collection.set_representative(group, rep, candidates[rep])
            known[group_node(group)] = candidates[rep]
            return
    store.join_group(group, new, links.similarity(new, group_node(group)))


def _rewrites(store: Store, collection: Collection, known: dict[Node, Article], sets: DisjointSet,
              static: StaticEmbedder, threshold: float,
              given: list[tuple[int, int, float]] | None = None) -> dict[tuple[Node, Node], float]:
    """Rewrites of each new copy set's most complete member, among stored and new representatives (or
    among the `given` candidates)."""
    if given is not None:
        return confirm_rewrites(given, known, static, threshold, sets)  # type: ignore[arg-type]
    fresh = [most_complete(s, known) for s in sets.subsets()  # type: ignore[arg-type]
             if all(isinstance(k, int) for k in s)]
    if not fresh:
        return {}
    stored = collection.rep_vectors
    queries = np.stack([known[k].vector for k in fresh])
    rows, found, cosines = nearest(queries, np.concatenate([stored, queries]), REWRITE_DOC_COSINE)
    close: list[tuple[Node, Node, float]] = []
    for row, other, cosine in zip(rows.tolist(), found.tolist(), cosines.tolist()):
        node = group_node(collection.rep_groups[other]) if other < len(stored) else fresh[other - len(stored)]
        if node != fresh[row]:
            close.append((fresh[row], node, cosine))
    stored_groups = sorted({node[1] for _, node, _ in close if isinstance(node, tuple)})
    reps = store.articles([collection.group_rep[g] for g in stored_groups])
    for group in stored_groups:
        known[group_node(group)] = reps[collection.group_rep[group]]
        sets.add(group_node(group))
    return confirm_rewrites(close, known, static, threshold, sets)


def link_new_groups(store: Store, collection: Collection, placed: Placed, score: PairScorer,
                    threshold: float) -> list[int]:
    """Score each new group against its nearest representatives, keep the scores, and return the groups
    to cluster again: the new ones and every group of a story a new pair could change.

    A neighbour whose document vector is below `CANDIDATE_COSINE` is kept with score 0 without
    being scored: it reports another event, and counting it in the average keeps a chain of pairs
    (A with B, B with C) from joining A and C when nothing links them. The pairs are scored together
    with every new group, so that a batch into an empty collection weighs words and facts over all
    of its documents, as a request does."""
    if not placed.new_groups:
        return []
    order = {g: n for n, g in enumerate(collection.rep_groups)}
    vectors = collection.rep_vectors
    rows, found, cosines = nearest(vectors[[order[g] for g in placed.new_groups]], vectors, -1.0, NEIGHBOURS + 1)
    close: dict[tuple[int, int], bool] = {}
    for a, b, cosine in zip((placed.new_groups[r] for r in rows.tolist()), (collection.rep_groups[f] for f in found.tolist()),
                            cosines.tolist()):
        if a != b:
            pair = (min(a, b), max(a, b))
            close[pair] = close.get(pair, False) or cosine >= CANDIDATE_COSINE
    pairs = sorted(pair for pair, candidate in close.items() if candidate)
    if far := [(a, b, 0.0) for (a, b), candidate in sorted(close.items()) if not candidate]:
        store.keep_scores(far)
    if pairs:
        groups = sorted({g for pair in pairs for g in pair} | set(placed.new_groups))
        reps = store.articles([collection.group_rep[g] for g in groups])
        position = {g: n for n, g in enumerate(groups)}
        scores = score([reps[collection.group_rep[g]] for g in groups], np.array([position[a] for a, _ in pairs]),
                       np.array([position[b] for _, b in pairs]), collection.copies.common_phrases()).tolist()
        store.keep_scores([(a, b, round(float(s), 6)) for (a, b), s in zip(pairs, scores)])
        new = set(placed.new_groups)
        placed.stories.update(story for (a, b), s in zip(pairs, scores) if s >= threshold for g in (a, b)
                              if g not in new and (story := collection.group_story.get(g)) is not None)
    placed.stories.update(story for g in placed.joined_groups
                          if (story := collection.group_story.get(g)) is not None)
    return sorted(set(store.groups_of(placed.stories)) | set(placed.new_groups))


def cluster(store: Store, groups: list[int], threshold: float) -> list[list[int]]:
    """Average linkage over every score kept among these groups."""
    position = {g: n for n, g in enumerate(groups)}
    firsts, seconds, scores = [], [], []
    for a, b, s in store.scores_among(groups):
        firsts.append(position[a])
        seconds.append(position[b])
        scores.append(s)
    found = average_linkage(len(groups), np.array(firsts, dtype=np.int64), np.array(seconds, dtype=np.int64),
                            np.array(scores), threshold)
    return [[groups[k] for k in members] for members in found]


@dataclass
class _Group:
    representative: int
    members: list[int]
    similarity: float


class MemoryStore:
    """A collection that lives for one request: every article is in memory from the start."""

    def __init__(self, articles: dict[int, Article]) -> None:
        self.known = articles
        self.groups: dict[int, _Group] = {}
        self.scores: dict[tuple[int, int], float] = {}

    def articles(self, keys: list[int]) -> dict[int, Article]:
        return {k: self.known[k] for k in keys}

    def create_group(self, representative: int, members: list[int], similarity: float) -> int:
        self.groups[len(self.groups)] = _Group(representative, members, similarity)
        return len(self.groups) - 1

    def join_group(self, group: int, members: list[int], similarity: float, representative: int | None = None) -> None:
        found = self.groups[group]
        found.members += members
        found.similarity = similarity if representative is not None else min(found.similarity, similarity)
        found.representative = representative if representative is not None else found.representative

    def members(self, group: int) -> list[int]:
        return list(self.groups[group].members)

    def keep_scores(self, scores: list[tuple[int, int, float]]) -> None:
        self.scores.update(((a, b), s) for a, b, s in scores)

    def scores_among(self, groups: list[int]) -> Iterable[tuple[int, int, float]]:
        inside = set(groups)
        return [(a, b, s) for (a, b), s in self.scores.items() if a in inside and b in inside]

    def groups_of(self, stories: set[int]) -> list[int]:
        return []  # a request clusters once: every group is new

    def stories(self, clusters: list[list[int]]) -> list[Story]:
        """The clusters as the response tells them, largest first: each group with its strongest link into its story."""
        groups = {g: DuplicateGroup(self.known[found.representative],
                                    tuple(sorted((self.known[k] for k in found.members), key=lambda a: a.index)),
                                    found.similarity)
                  for g, found in self.groups.items()}
        best: dict[int, dict[int, float]] = {g: {} for g in groups}
        for (a, b), s in self.scores.items():
            best[a][b] = best[b][a] = s
        stories = []
        for members in clusters:
            members = sorted(members, key=lambda g: groups[g].members[0].index)
            member_set = set(members)
            links: list[Link | None] = []
            for g in members:
                inside = {other: s for other, s in best[g].items() if other in member_set}
                via = max(inside, key=inside.__getitem__) if inside else None
                links.append(Link(groups[via].representative, round(inside[via], 4)) if via is not None else None)
            stories.append(Story(tuple(groups[g] for g in members), tuple(links)))
        return sorted(stories, key=lambda s: (-len(s.articles), -len(s.groups), s.articles[0].index))


def group(articles: list[Article], static: StaticEmbedder, score: PairScorer, copy_threshold: float,
          rewrite_threshold: float, story_threshold: float,
          stage: Callable[[str], AbstractContextManager[None]] = lambda _: nullcontext()) -> list[Story]:
    """A request's stories: its articles as one batch into an empty collection."""
    by_key = {a.index: a for a in articles}
    store = MemoryStore(by_key)
    _, clusters = add(store, Collection(copy_threshold, static.dimension), by_key, static, score,
                      rewrite_threshold, story_threshold, stage)
    return store.stories(clusters)

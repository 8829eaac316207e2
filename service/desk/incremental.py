"""A new batch against a stored collection: stages 2 and 3 of the pipeline, run on what changed.

Near-duplicates: the collection's copy index takes the batch as it would take the rest of a
request (`dedup.CopyIndex`), so a copy of a stored document joins its group. The new copy sets
look for rewrites among their nearest stored and new representatives, confirmed by
`dedup.confirm_rewrites`. Stories: each new group's nearest representatives (stored and new) are
scored by the same-event model and the scores are kept. Only the stories that a new pair could
change (one whose group scores at least the threshold with a new group: an average of lower
scores never reaches it) are clustered again, with the new groups, by `stories.average_linkage`
over every score kept among them. `lineage.py` then keeps the story ids stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import DisjointSet
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from .. import dedup
from ..neighbors import NEIGHBOURS, nearest
from ..stories import CANDIDATE_COSINE, PairScorer, average_linkage
from ..types import Article
from . import models
from .index import CollectionIndex


@dataclass
class Placed:
    """What a batch changed: its new groups, the stored groups it joined, the stories to cluster again."""

    new_groups: list[int] = field(default_factory=list)
    joined_groups: set[int] = field(default_factory=set)
    stories: set[int] = field(default_factory=set)


def place_duplicates(session: Session, index: CollectionIndex, articles: dict[int, Article], collection_id: int,
                     static: dedup.StaticEmbedder, rewrite_threshold: float) -> Placed:
    """Put each new article (by document key) in a stored or a new duplicate group."""
    keys = list(articles)
    pairs, signatures = index.copies.add([articles[k].fingerprint for k in keys], keys)
    rows = {key: session.get(models.Document, key) for key in keys}  # the batch's rows, already in the session
    for key, signature in zip(keys, signatures):
        if signature is not None:
            rows[key].signature = signature.tobytes()  # type: ignore[union-attr]
    sets = DisjointSet(keys)
    for earlier, later in list(pairs):
        node = earlier if earlier in articles else -index.doc_group[earlier]  # a stored group is node -id
        sets.add(node)
        sets.merge(node, later)
    known: dict[int, Article] = dict(articles)
    pairs.update(_rewrites(session, index, known, sets, static, rewrite_threshold))
    placed = Placed()
    subsets = [(sorted(-k for k in members if k < 0), sorted((k for k in members if k > 0), key=lambda k: articles[k].index))
               for members in sets.subsets()]
    subsets = [(stored, new) for stored, new in subsets if new]
    joined = _joined_groups(session, index, known, [stored[0] for stored, _ in subsets if stored])
    created = []
    for stored, new in subsets:
        group = _join(session, index, stored, new, known, pairs, collection_id, placed, joined)
        if isinstance(group, models.Group):
            created.append((group, new))
        else:
            _members(index, rows, group, new)
    session.flush()  # the new groups get their ids, in one flush
    index.add_groups([g.id for g, _ in created], [known[g.representative_id] for g, _ in created],
                     [g.representative_id for g, _ in created])
    for group, new in created:
        placed.new_groups.append(group.id)
        _members(index, rows, group.id, new)
    return placed


def _members(index: CollectionIndex, rows: dict[int, models.Document | None], group: int, new: list[int]) -> None:
    for key in new:
        rows[key].group_id = group  # type: ignore[union-attr]
    index.doc_group.update((key, group) for key in new)


def _joined_groups(session: Session, index: CollectionIndex, known: dict[int, Article],
                   groups: list[int]) -> dict[int, models.Group]:
    """The stored groups that new documents join, and their representatives in `known`, read in one query each."""
    rows = {row.id: row for row in session.scalars(select(models.Group).where(models.Group.id.in_(groups)))}
    wanted = [g for g in groups if -g not in known]
    reps = index.articles(session, [index.group_rep[g] for g in wanted])
    known.update((-g, reps[index.group_rep[g]]) for g in wanted)
    return rows


def _rewrites(session: Session, index: CollectionIndex, known: dict[int, Article], sets: DisjointSet,
              static: dedup.StaticEmbedder, threshold: float) -> dict[tuple[int, int], float]:
    """Rewrites of each new copy set's most complete member, among stored and new representatives."""
    fresh = [max(s, key=lambda k: (known[k].fingerprint.size, -known[k].index)) for s in sets.subsets()
             if all(k > 0 for k in s)]
    if not fresh:
        return {}
    stored = index.rep_vectors
    queries = np.stack([known[k].vector for k in fresh])
    rows, found, cosines = nearest(queries, np.concatenate([stored, queries]), dedup.REWRITE_DOC_COSINE)
    close = []
    for row, other, cosine in zip(rows.tolist(), found.tolist(), cosines.tolist()):
        node = -index.rep_groups[other] if other < len(stored) else fresh[other - len(stored)]
        if node != fresh[row]:
            close.append((fresh[row], node, cosine))
    stored_groups = sorted({-node for _, node, _ in close if node < 0})
    reps = index.articles(session, [index.group_rep[g] for g in stored_groups])
    for group in stored_groups:
        known[-group] = reps[index.group_rep[group]]
        sets.add(-group)
    return dedup.confirm_rewrites(close, known, static, threshold, sets)


def _join(session: Session, index: CollectionIndex, stored: list[int], new: list[int], known: dict[int, Article],
          pairs: dict[tuple[int, int], float], collection_id: int, placed: Placed,
          joined: dict[int, models.Group]) -> int | models.Group:
    """The group the new members join: the oldest stored one (others they tie to fold into it), or a new one
    (a row still to be flushed)."""
    if stored:
        group, rep = stored[0], -stored[0]
        for absorbed in stored[1:]:  # a new document copies two stored groups: they are one source
            session.execute(update(models.Document).where(models.Document.group_id == absorbed).values(group_id=group)
                            .execution_options(synchronize_session=False))  # none of them is in the session: all are stored
            session.execute(delete(models.Group).where(models.Group.id == absorbed))
            placed.stories.update(s for s in (index.group_story.get(absorbed),) if s is not None)
            index.absorb(absorbed, group)
        placed.joined_groups.add(group)
    else:
        rep = max(new, key=lambda k: (known[k].fingerprint.size, -known[k].index))
    similarity = min((pairs.get((min(k, rep), max(k, rep))) or dedup.containment(known[k].fingerprint, known[rep].fingerprint)
                      for k in new if k != rep), default=1.0)
    if stored:
        joined[group].similarity = round(min(joined[group].similarity, similarity), 4)
        return group
    row = models.Group(collection_id=collection_id, representative_id=rep, similarity=round(similarity, 4))
    session.add(row)
    return row


def link_new_groups(session: Session, index: CollectionIndex, placed: Placed, score: PairScorer,
                    threshold: float) -> list[int]:
    """Score each new group against its nearest representatives, keep the scores, and return the groups
    to cluster again: the new ones and every group of a story a new pair could change."""
    if not placed.new_groups:
        return []
    order = {g: n for n, g in enumerate(index.rep_groups)}
    vectors = index.rep_vectors
    rows, found, _ = nearest(vectors[[order[g] for g in placed.new_groups]], vectors, CANDIDATE_COSINE, NEIGHBOURS + 1)
    pairs = {(min(a, b), max(a, b)) for a, b in zip((placed.new_groups[r] for r in rows.tolist()),
                                                    (index.rep_groups[f] for f in found.tolist())) if a != b}
    if pairs:
        firsts, seconds = (list(side) for side in zip(*sorted(pairs)))
        groups = sorted(set(firsts) | set(seconds))
        reps = index.articles(session, [index.group_rep[g] for g in groups])
        position = {g: n for n, g in enumerate(groups)}
        scores = score([reps[index.group_rep[g]] for g in groups], np.array([position[g] for g in firsts]),
                       np.array([position[g] for g in seconds]))
        session.execute(insert(models.Link), [{"first_group": a, "second_group": b, "score": round(float(s), 6)}
                                              for a, b, s in zip(firsts, seconds, scores.tolist())])
        new = set(placed.new_groups)
        placed.stories.update(index.group_story[g] for a, b, s in zip(firsts, seconds, scores.tolist()) if s >= threshold
                              for g in (a, b) if g not in new and index.group_story.get(g) is not None)
    placed.stories.update(index.group_story[g] for g in placed.joined_groups if index.group_story.get(g) is not None)
    session.flush()
    members = session.scalars(select(models.Group.id).where(models.Group.story_id.in_(placed.stories))).all()
    return sorted(set(members) | set(placed.new_groups))


def cluster(session: Session, groups: list[int], threshold: float) -> list[list[int]]:
    """Average linkage over every score kept among these groups."""
    position = {g: n for n, g in enumerate(groups)}
    firsts, seconds, scores = [], [], []
    for start in range(0, len(groups), 5000):
        for a, b, s in session.execute(select(models.Link.first_group, models.Link.second_group, models.Link.score)
                                       .where(models.Link.first_group.in_(groups[start:start + 5000]))):
            if b in position:
                firsts.append(position[a])
                seconds.append(position[b])
                scores.append(s)
    found = average_linkage(len(groups), np.array(firsts, dtype=np.int64), np.array(seconds, dtype=np.int64),
                            np.array(scores), threshold)
    return [[groups[k] for k in members] for members in found]

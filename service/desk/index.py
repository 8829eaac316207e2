"""A stored collection as the engine takes it: its in-memory view, and the engine's `Store` over SQL.

The view (the copy index over the documents that copy no earlier one, which group each document
is in, each group's representative vector and story) is read from the database once (signatures,
fingerprints and vectors are stored, never recomputed) and then kept up to date by the batches
this process adds. It is valid for one revision of the collection: when another process (a
replica) or a deletion has changed the collection since, it is read again.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, load_only

from ..group.dedup import NUM_PERM, SIGNATURE_DTYPE
from ..group.engine import Collection
from ..types import Article
from . import models, records

CHUNK = 5000  # ids per IN (...) list


class CollectionIndex(Collection):
    """A stored collection's view, as of one revision."""

    def __init__(self, collection_id: int, revision: int, copy_threshold: float, dimension: int) -> None:
        super().__init__(copy_threshold, dimension)
        self.collection_id = collection_id
        self.revision = revision

    @classmethod
    def load(cls, session: Session, collection: models.Collection, revision: int, dimension: int) -> CollectionIndex:
        index = cls(collection.id, revision, collection.settings["duplicate_threshold"], dimension)
        indexed = session.execute(select(models.Document.id, models.Document.signature, models.Document.fingerprint)
                                  .where(models.Document.collection_id == collection.id,
                                         models.Document.signature.is_not(None)).order_by(models.Document.seq))
        for pk, signature, fingerprint in indexed:
            assert signature is not None and fingerprint is not None  # selected where set
            index.copies.insert(pk, np.frombuffer(signature, SIGNATURE_DTYPE).reshape(NUM_PERM),
                                np.frombuffer(fingerprint, np.uint64))
        members = session.execute(select(models.Document.id, models.Document.group_id)
                                  .where(models.Document.collection_id == collection.id,
                                         models.Document.group_id.is_not(None)))
        index.doc_group = {pk: group for pk, group in members if group is not None}
        groups = session.execute(select(models.Group.id, models.Group.representative_id, models.Group.story_id,
                                        models.Document.vector)
                                 .join(models.Document, models.Document.id == models.Group.representative_id)
                                 .where(models.Group.collection_id == collection.id).order_by(models.Group.id)).all()
        index.add_stored_groups([g for g, _, _, _ in groups], [rep for _, rep, _, _ in groups],
                                [story for _, _, story, _ in groups], [records.vector(row) for row in groups])
        return index


class SqlStore:
    """The engine's `Store` inside one transaction of the desk: the batch's rows are in the session."""

    def __init__(self, session: Session, index: CollectionIndex, rows: dict[int, models.Document]) -> None:
        self.session = session
        self.index = index
        self.rows = rows

    def articles(self, keys: list[int]) -> dict[int, Article]:
        """From memory when recently used, else read once from the database."""
        recent = self.index.recent
        found = {pk: recent[pk] for pk in keys if pk in recent}
        missing = [pk for pk in dict.fromkeys(keys) if pk not in found]
        for start in range(0, len(missing), 500):
            rows = self.session.scalars(select(models.Document).where(models.Document.id.in_(missing[start:start + 500]))
                                        .options(load_only(*ARTICLE_COLUMNS)))
            for row in rows:
                found[row.id] = records.article(row)
        for pk, article in found.items():
            self.index.remember(pk, article)
        return found

    def create_group(self, representative: int, members: list[int], similarity: float) -> int:
        group = self.session.scalar(insert(models.Group).returning(models.Group.id).values(
            collection_id=self.index.collection_id, representative_id=representative, similarity=similarity))
        assert group is not None
        self._members(group, members)
        return group

    def join_group(self, group: int, members: list[int], similarity: float, representative: int | None = None) -> None:
        row = self.session.get(models.Group, group)
        assert row is not None
        if representative is None:
            row.similarity = min(row.similarity, similarity)
        else:
            row.similarity, row.representative_id = similarity, representative
        self._members(group, members)

    def members(self, group: int) -> list[int]:
        return list(self.session.scalars(select(models.Document.id).where(models.Document.group_id == group)))

    def _members(self, group: int, members: list[int]) -> None:
        for key in members:
            self.rows[key].group_id = group

    def keep_scores(self, scores: list[tuple[int, int, float]]) -> None:
        self.session.execute(insert(models.Link), [{"first_group": a, "second_group": b, "score": s}
                                                   for a, b, s in scores])

    def scores_among(self, groups: list[int]) -> Iterable[tuple[int, int, float]]:
        inside = set(groups)
        for start in range(0, len(groups), CHUNK):
            for a, b, s in self.session.execute(select(models.Link.first_group, models.Link.second_group,
                                                       models.Link.score)
                                                .where(models.Link.first_group.in_(groups[start:start + CHUNK]))):
                if b in inside:
                    yield a, b, s

    def groups_of(self, stories: set[int]) -> list[int]:
        return list(self.session.scalars(select(models.Group.id).where(models.Group.story_id.in_(stories))))


ARTICLE_COLUMNS = (models.Document.seq, models.Document.doc_id, models.Document.text, models.Document.title,
                   models.Document.url, models.Document.source, models.Document.language, models.Document.reason,
                   models.Document.is_html, models.Document.meta, models.Document.sentences,
                   models.Document.fingerprint, models.Document.vector)

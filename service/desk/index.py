"""What matching a new batch needs from a stored collection, kept in memory between batches.

The copy index (MinHash LSH over the documents that copy no earlier one), which group each
document is in, and each group's representative vector and story. It is read from the database
once (signatures, fingerprints and vectors are stored, never recomputed) and then kept up to date
by the batches this process adds. It is valid for one revision of the collection: when another
process (a replica) or a deletion has changed the collection since, it is read again.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from ..dedup import NUM_PERM, SIGNATURE_DTYPE, CopyIndex
from ..types import Article
from . import models, records

CACHED_ARTICLES = 20_000  # recently matched articles kept whole: a new report's neighbours are mostly recent


class CollectionIndex:
    def __init__(self, collection_id: int, revision: int, copy_threshold: float, dimension: int) -> None:
        self.collection_id = collection_id
        self.revision = revision
        self.copies = CopyIndex(copy_threshold)
        self.doc_group: dict[int, int] = {}  # document -> its duplicate group
        self.group_rep: dict[int, int] = {}  # group -> its representative document
        self.group_story: dict[int, int | None] = {}
        self.rep_groups: list[int] = []  # the groups whose representative vectors are the rows of `rep_vectors`
        self._vectors: list[np.ndarray] = [np.zeros((0, dimension), np.float32)]
        self._articles: OrderedDict[int, Article] = OrderedDict()

    @classmethod
    def load(cls, session: Session, collection: models.Collection, revision: int, dimension: int) -> CollectionIndex:
        index = cls(collection.id, revision, collection.settings["duplicate_threshold"], dimension)
        indexed = session.execute(select(models.Document.id, models.Document.signature, models.Document.fingerprint)
                                  .where(models.Document.collection_id == collection.id,
                                         models.Document.signature.is_not(None)).order_by(models.Document.seq))
        for pk, signature, fingerprint in indexed:
            index.copies.insert(pk, np.frombuffer(signature, SIGNATURE_DTYPE).reshape(NUM_PERM),
                                np.frombuffer(fingerprint, np.uint64))
        members = session.execute(select(models.Document.id, models.Document.group_id)
                                  .where(models.Document.collection_id == collection.id,
                                         models.Document.group_id.is_not(None)))
        index.doc_group = {pk: group for pk, group in members}
        groups = session.execute(select(models.Group.id, models.Group.representative_id, models.Group.story_id,
                                        models.Document.vector)
                                 .join(models.Document, models.Document.id == models.Group.representative_id)
                                 .where(models.Group.collection_id == collection.id).order_by(models.Group.id))
        vectors = []
        for group, rep, story, vector in groups:
            index.group_rep[group], index.group_story[group] = rep, story
            index.rep_groups.append(group)
            vectors.append(np.frombuffer(vector, np.float32))
        if vectors:
            index._vectors = [np.stack(vectors)]
        return index

    @property
    def rep_vectors(self) -> np.ndarray:
        if len(self._vectors) > 1:
            self._vectors = [np.concatenate(self._vectors)]
        return self._vectors[0]

    def add_groups(self, groups: list[int], reps: list[Article], rep_pks: list[int]) -> None:
        for group, rep, pk in zip(groups, reps, rep_pks):
            self.group_rep[group] = pk
            self.rep_groups.append(group)
            self.remember(pk, rep)
        if groups:
            self._vectors.append(np.stack([rep.vector for rep in reps]).astype(np.float32))

    def absorb(self, group: int, into: int) -> None:
        """`group`'s members joined `into` (a new document copies both): it leaves the index."""
        self.doc_group.update({pk: into for pk, found in self.doc_group.items() if found == group})
        row = self.rep_groups.index(group)
        self._vectors = [np.delete(self.rep_vectors, row, axis=0)]
        del self.rep_groups[row]
        del self.group_rep[group]
        self.group_story.pop(group, None)

    def remember(self, pk: int, article: Article) -> None:
        self._articles[pk] = article
        self._articles.move_to_end(pk)
        while len(self._articles) > CACHED_ARTICLES:
            self._articles.popitem(last=False)

    def articles(self, session: Session, pks: list[int]) -> dict[int, Article]:
        """Whole articles of these documents: from memory when recently used, else read once from the database."""
        found = {pk: self._articles[pk] for pk in pks if pk in self._articles}
        missing = [pk for pk in dict.fromkeys(pks) if pk not in found]
        for start in range(0, len(missing), 500):
            rows = session.scalars(select(models.Document).where(models.Document.id.in_(missing[start:start + 500]))
                                   .options(load_only(*ARTICLE_COLUMNS)))
            for row in rows:
                found[row.id] = records.article(row)
        for pk, article in found.items():
            self.remember(pk, article)
        return found


ARTICLE_COLUMNS = (models.Document.seq, models.Document.doc_id, models.Document.text, models.Document.title,
                   models.Document.url, models.Document.source, models.Document.language, models.Document.reason,
                   models.Document.is_html, models.Document.meta, models.Document.sentences,
                   models.Document.fingerprint, models.Document.vector)

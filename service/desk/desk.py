"""The news desk: one core for the API and the CLI over a database and a loaded pipeline.

Adding documents reads them (stage 1 and document vectors) before any lock is taken, then, in one
transaction holding the collection's lock, stores the new ones and places them in duplicate
groups and stories (`engine.py` over `index.SqlStore`, then `lineage.py`). A crash in between leaves nothing half
done: the transaction is rolled back, and a job's documents wait, stored as pending, for the job
to resume. Briefs are written afterwards (`briefs.py`), in the background or at the end of a job.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import Cancelled, NotReady
from ..group import engine
from ..pipeline import Pipeline, Timer, validate
from ..schemas import BriefRequest, DocumentIn
from ..settings import Settings
from ..types import Article, Document
from . import lineage, models, records, store
from .database import lock_collection, open_engine, sessions, sqlite_file
from .index import CollectionIndex, SqlStore

log = logging.getLogger("service")


@dataclass
class Added:
    """What one batch did: each document's fate, and the stories it changed."""

    collection: str
    documents: list[store.Stored]
    stories: set[int] = field(default_factory=set)
    left_out: dict[str, str] = field(default_factory=dict)  # document id -> why it takes no part in a story


class Desk:
    def __init__(self, settings: Settings, pipeline: Pipeline | None = None) -> None:
        self.settings = settings
        self.loaded = pipeline  # set once the models have loaded: listing and deleting need none
        self.engine = open_engine(settings.database)
        self.sessions = sessions(self.engine)
        self.database_file = sqlite_file(self.engine)
        self.file_identity = _identity(self.database_file) if self.database_file else None
        self.reported: str | None = None  # the database problem last logged
        self.indexes: dict[int, CollectionIndex] = {}
        self.locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)  # one writer per collection here

    @property
    def pipeline(self) -> Pipeline:
        if self.loaded is None:
            raise NotReady("models are still loading")
        return self.loaded

    def database_problem(self) -> str | None:
        """Why the database cannot be used: its SQLite file was deleted or replaced while this process ran, which
        goes on writing to the file it opened, one nothing else reads. Logged once when found."""
        if self.database_file is None:
            return None
        problem: str | None
        try:
            identity = _identity(self.database_file)
        except FileNotFoundError:
            problem = (f"the database file {self.database_file} was deleted while the service ran, so what the desk "
                       "writes now would be lost: restart the service to open a database there")
        else:
            problem = None if identity == self.file_identity else (
                f"the database file {self.database_file} was replaced while the service ran: restart the service to "
                "open the new one")
        if problem and problem != self.reported:
            log.error(problem)
        self.reported = problem
        return problem

    def check(self, request: BriefRequest) -> tuple[list[str], dict[str, Any], set[str]]:
        """Validate as `/v1/briefs` does; return the ids, the collection settings asked for and the options given."""
        validate(request, self.settings)
        effective = self.pipeline.effective(request).model_dump()
        return store.document_ids(request.documents), effective, set(request.options.model_fields_set)

    def add(self, name: str, request: BriefRequest, cancel: threading.Event | None = None) -> Added:
        """Store and place a batch now; briefs follow in the background."""
        ids, effective, given = self.check(request)
        with self.sessions() as session:
            existing = session.scalar(select(models.Collection.id).where(models.Collection.name == name))
            fresh = [s.pk is not None for s in store.new_documents(session, existing, request.documents, ids)] \
                if existing else [True] * len(ids)
        chosen = [n for n, new in enumerate(fresh) if new]
        read = dict(zip((ids[n] for n in chosen), self.read([request.documents[n] for n in chosen],
                                                             [ids[n] for n in chosen], cancel)))
        with self.locks[name]:
            if cancel is not None and cancel.is_set():  # past its deadline while waiting its turn: nothing stored yet
                raise Cancelled("stopped before storing: the request was cancelled")
            with self.sessions.begin() as session:
                collection = store.open_collection(session, name, effective, given, records.utcnow())
                revision = lock_collection(session, collection.id)
                stored = store.store(session, collection, request.documents, ids, records.utcnow())
                pks = [s.pk for s in stored if s.pk is not None]
                rows = {row.id: row for row in session.scalars(select(models.Document).where(models.Document.id.in_(pks)))}
                batch = [(rows[s.pk], read[s.id]) for s in stored if s.pk is not None]
                added = Added(name, stored)
                added.stories, index = self.place(session, collection, revision, batch, added)
            self.keep(index)
        return added

    def read(self, documents: list[DocumentIn], ids: list[str],
             cancel: threading.Event | None = None) -> list[tuple[Document, Article | None]]:
        """Stage 1 and document vectors for each document, in order (no lock is held: this is the long part)."""
        if not documents:
            return []
        docs, articles = self.pipeline.read(BriefRequest(documents=documents), ids, Timer(cancel or threading.Event()))
        by_index = {a.index: a for a in articles}
        return [(doc, by_index.get(doc.index)) for doc in docs]

    def place(self, session: Session, collection: models.Collection, revision: int,
              batch: list[tuple[models.Document, tuple[Document, Article | None]]],
              added: Added) -> tuple[set[int], CollectionIndex]:
        """Record what was read and place the articles in groups and stories; call with the collection locked."""
        index = self.indexes.pop(collection.id, None)  # back only once committed: a rollback leaves it unusable
        if index is None or index.revision != revision - 1:
            index = CollectionIndex.load(session, collection, revision, self.pipeline.static.dimension)
        now = records.utcnow()
        articles = {}
        for row, (document, article) in batch:
            document = records.renumbered(document, row.seq)
            if article is not None:
                article = dataclasses.replace(article, document=document)
                articles[row.id] = article
            else:
                added.left_out[row.doc_id] = document.left_out or "left out"
            records.record_read(row, document, article)
            row.state = "placed"
        session.flush()
        settings = collection.settings
        store = SqlStore(session, index, {row.id: row for row, _ in batch})
        placed, clusters = engine.add(store, index, articles, self.pipeline.static, self.pipeline.same_event,
                                      settings["rewrite_threshold"], settings["story_threshold"])
        for key, signature in placed.signatures.items():
            store.rows[key].signature = signature.tobytes()
        changed = lineage.assign(session, collection, index, clusters, now, self.settings.desk_debounce)
        grown = {story for g in placed.joined_groups if (story := index.group_story.get(g)) is not None} - changed
        session.execute(update(models.Story).where(models.Story.id.in_(grown)).values(updated_at=now))
        index.revision = revision
        return changed | grown, index

    def keep(self, index: CollectionIndex) -> None:
        """Keep a collection's index for its next batch, once the batch that updated it is committed."""
        self.indexes[index.collection_id] = index

    def delete_document(self, name: str, doc_id: str) -> None:
        with self.locks[name], self.sessions.begin() as session:
            story = store.delete_document(session, name, doc_id, records.utcnow())
            if story is not None:
                store.mark_due(session, story, records.utcnow())

    def delete_collection(self, name: str) -> None:
        with self.locks[name], self.sessions.begin() as session:
            store.delete_collection(session, name)


def _identity(path: os.PathLike[str]) -> tuple[int, int]:
    """Which file a path names now (device and inode): another file after a delete and a new file."""
    found = os.stat(path)
    return found.st_dev, found.st_ino

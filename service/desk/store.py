"""The desk's repository: collections, idempotent storing of documents, and deletion.

A document is stored once per collection: a second document with the same text (as copies compare
texts: words, lower-cased), under its id or another, is reported as already stored (with the id it
is stored under) and adds nothing. One with a stored id and other text is a conflict: nothing is
stored, and the answer names the stored document. A document sent without an id gets one from its
text (`doc-` and 12 hex digits of its content hash), so sending it again finds it.

Collection names and document ids are URL path segments (`/v1/collections/{name}/documents/{id}`),
so each is checked here, for the API and the command line alike, before anything is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import InvalidRequest, NotFound
from ..schemas import DocumentIn
from . import models, records
from .database import lock_collection
from .lineage import public_id

FIXED = ("duplicate_threshold", "rewrite_threshold", "story_threshold", "max_words", "mode")  # set at creation
COLLECTION_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"
COLLECTION_NAME_RULE = "letters, digits, '.', '_' and '-', starting with a letter or a digit; up to 200 characters"
DOCUMENT_ID_RULE = "one URL path segment: not '.' or '..', and no '/'"


@dataclass(frozen=True)
class Stored:
    """One document of a request: stored now (`pk`), already stored as `existing`, or in conflict with the
    stored document of its id (`existing` too), whose text differs: then nothing was stored."""

    id: str
    pk: int | None
    existing: str | None = None
    conflict: bool = False

    @property
    def status(self) -> str:
        return "added" if self.existing is None else "conflict" if self.conflict else "already_stored"


def check_name(name: str) -> str:
    """A collection name by the one rule the API's routes and the command line share."""
    if not re.fullmatch(COLLECTION_NAME, name):
        raise InvalidRequest(f"collection: {name!r} is not a collection name: {COLLECTION_NAME_RULE}",
                             field="collection")
    return name


def collection(session: Session, name: str) -> models.Collection:
    found = session.scalar(select(models.Collection).where(models.Collection.name == name))
    if found is None:
        raise NotFound(f"collection {name!r}: no such collection", field="collection")
    return found


def open_collection(session: Session, name: str, settings: dict[str, Any], given: set[str], now: datetime) -> models.Collection:
    """The named collection, created with `settings` on first use; options given that differ from its own are refused."""
    found = session.scalar(select(models.Collection).where(models.Collection.name == name))
    if found is None:
        created = models.Collection(name=check_name(name), created_at=now, updated_at=now, revision=0, next_seq=1,
                                    next_story=1, settings=settings)
        try:
            with session.begin_nested():
                session.add(created)
            return created
        except IntegrityError:  # another process created it meanwhile: use theirs
            found = session.scalar(select(models.Collection).where(models.Collection.name == name))
            assert found is not None
    for key in sorted(given & set(FIXED)):
        if settings[key] != found.settings[key]:
            raise InvalidRequest(f"options.{key}: {settings[key]!r}, but collection {name!r} was created with "
                                 f"{found.settings[key]!r}; a collection keeps its settings", field=f"options.{key}")
    return found


def document_ids(documents: list[DocumentIn]) -> list[str]:
    """The given ids, each checked to be reachable by URL, and an id from its text for each document sent without one."""
    for n, doc in enumerate(documents):
        if doc.id is not None and (doc.id in (".", "..") or "/" in doc.id):
            raise InvalidRequest(f"documents[{n}].id: {doc.id!r}: a desk document id is {DOCUMENT_ID_RULE}",
                                 field=f"documents[{n}].id")
    return [doc.id if doc.id is not None else f"doc-{records.content_hash(doc.text)[:12]}" for doc in documents]


def new_documents(session: Session, collection_id: int, documents: list[DocumentIn], ids: list[str]) -> list[Stored]:
    """Which documents are new, by id and by content; an earlier one of the request counts as stored."""
    hashes = [records.content_hash(doc.text) for doc in documents]
    by_id: dict[str, str] = dict(session.execute(select(models.Document.doc_id, models.Document.content_hash).where(
        models.Document.collection_id == collection_id, models.Document.doc_id.in_(ids))).all())
    by_hash: dict[str, str] = dict(session.execute(select(models.Document.content_hash, models.Document.doc_id).where(
        models.Document.collection_id == collection_id, models.Document.content_hash.in_(hashes))).all())
    out = []
    for doc_id, digest in zip(ids, hashes):
        if doc_id in by_id:
            out.append(Stored(doc_id, None, doc_id, conflict=by_id[doc_id] != digest))
        elif digest in by_hash:
            out.append(Stored(doc_id, None, by_hash[digest]))
        else:
            by_id[doc_id], by_hash[digest] = digest, doc_id
            out.append(Stored(doc_id, 0))
    return out


def store(session: Session, collection: models.Collection, documents: list[DocumentIn], ids: list[str],
          now: datetime, job_id: str | None = None) -> list[Stored]:
    """Store the new documents as pending, numbered in order of arrival; call with the collection locked."""
    found = new_documents(session, collection.id, documents, ids)
    rows = {}
    for n, (doc, entry) in enumerate(zip(documents, found)):
        if entry.pk is not None:
            rows[n] = models.Document(collection_id=collection.id, job_id=job_id, doc_id=entry.id, seq=collection.next_seq,
                                      content_hash=records.content_hash(doc.text), state="pending", added_at=now,
                                      text=doc.text, title=doc.title, url=doc.url, source=doc.source,
                                      published_at=records.stored_time(doc.published_at), is_html=False)
            collection.next_seq += 1
    session.add_all(rows.values())
    session.flush()
    collection.updated_at = now
    return [Stored(entry.id, rows[n].id) if n in rows else entry for n, entry in enumerate(found)]


def delete_document(session: Session, name: str, doc_id: str, now: datetime) -> int | None:
    """Delete a document and what rests on it: brief versions citing it; its group (and links) if it was
    alone there, else the group keeps its other members. Return its story, whose sources changed."""
    found = collection(session, name)
    lock_collection(session, found.id)
    row = document(session, found.id, doc_id, name)
    story = None
    if row.group_id is not None:
        group = session.get(models.Group, row.group_id)
        assert group is not None
        story = group.story_id
        others = session.scalars(select(models.Document).where(models.Document.group_id == group.id,
                                                                models.Document.id != row.id)
                                 .order_by(models.Document.seq)).all()
        if group.representative_id == row.id:
            if others:  # the most complete of the others represents the group from now on
                group.representative_id = max(others, key=lambda d: (len(d.fingerprint or b""), -d.seq)).id
            else:
                session.execute(delete(models.Group).where(models.Group.id == group.id))
                if story is not None and not session.scalar(select(func.count()).where(models.Group.story_id == story)):
                    session.execute(update(models.Story).where(models.Story.id == story)
                                    .values(state="deleted", brief=None, rewrite_due=None, updated_at=now))
                    story = None
        if story is not None:
            versions = session.scalars(select(models.BriefVersion).where(models.BriefVersion.story_id == story))
            for version in versions:
                if row.id in version.document_pks:
                    session.delete(version)
                    session.execute(update(models.Story).where(models.Story.id == story,
                                                               models.Story.version == version.version).values(brief=None))
    session.execute(delete(models.Document).where(models.Document.id == row.id))
    found.updated_at = now
    return story


def delete_collection(session: Session, name: str) -> None:
    found = collection(session, name)
    session.execute(delete(models.Collection).where(models.Collection.id == found.id))


def counts(session: Session, collection_id: int) -> tuple[int, int]:
    documents = session.scalar(select(func.count()).where(models.Document.collection_id == collection_id))
    stories = session.scalar(select(func.count()).where(models.Story.collection_id == collection_id,
                                                         models.Story.state == "active"))
    return int(documents or 0), int(stories or 0)


def document(session: Session, collection_id: int, doc_id: str, name: str) -> models.Document:
    found = session.scalar(select(models.Document).where(models.Document.collection_id == collection_id,
                                                         models.Document.doc_id == doc_id))
    if found is None:
        raise NotFound(f"document {doc_id!r}: no such document in collection {name!r}", field="document")
    return found


def story(session: Session, collection_id: int, story_id: str, name: str) -> models.Story:
    number = story_id.removeprefix("story-")
    found = session.scalar(select(models.Story).where(models.Story.collection_id == collection_id,
                                                      models.Story.number == int(number))) if number.isdigit() else None
    if found is None or public_id(found.number) != story_id:
        raise NotFound(f"story {story_id!r}: no such story in collection {name!r}", field="story")
    return found


def mark_due(session: Session, story_id: int, now: datetime) -> None:
    """The story's sources changed: its brief is due now, with tries of its own."""
    session.execute(update(models.Story).where(models.Story.id == story_id)
                    .values(changes=models.Story.changes + 1, rewrite_due=now, updated_at=now, brief_failures=0,
                            brief_error=None))

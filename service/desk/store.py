"""The desk's repository: collections, idempotent storing of documents, and deletion.

A document is stored once per collection: a second document with the same id, or with the same
text, is reported as already stored (with the id it is stored under) and adds nothing. A document
sent without an id gets one from its text (`doc-` and 12 hex digits of its SHA-256), so sending it
again finds it.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Stored:
    """One document of a request: stored now (`pk`), or already stored as `existing`."""

    id: str
    pk: int | None
    existing: str | None = None


def collection(session: Session, name: str) -> models.Collection:
    found = session.scalar(select(models.Collection).where(models.Collection.name == name))
    if found is None:
        raise NotFound(f"collection {name!r}: no such collection", field="collection")
    return found


def open_collection(session: Session, name: str, settings: dict[str, Any], given: set[str], now: datetime) -> models.Collection:
    """The named collection, created with `settings` on first use; options given that differ from its own are refused."""
    found = session.scalar(select(models.Collection).where(models.Collection.name == name))
    if found is None:
        created = models.Collection(name=name, created_at=now, updated_at=now, revision=0, next_seq=1, next_story=1,
                                    settings=settings)
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
    """The given ids, and an id from its text for each document sent without one."""
    return [doc.id if doc.id is not None else f"doc-{records.content_hash(doc.text)[:12]}" for doc in documents]


def new_documents(session: Session, collection_id: int, documents: list[DocumentIn], ids: list[str]) -> list[Stored]:
    """Which documents are new, by id and by content; an earlier one of the request counts as stored."""
    hashes = [records.content_hash(doc.text) for doc in documents]
    by_id: dict[str, str] = dict(session.execute(select(models.Document.doc_id, models.Document.doc_id).where(
        models.Document.collection_id == collection_id, models.Document.doc_id.in_(ids))).all())
    by_hash: dict[str, str] = dict(session.execute(select(models.Document.content_hash, models.Document.doc_id).where(
        models.Document.collection_id == collection_id, models.Document.content_hash.in_(hashes))).all())
    out = []
    for doc_id, digest in zip(ids, hashes):
        existing = by_id.get(doc_id) or by_hash.get(digest)
        out.append(Stored(doc_id, None, existing))
        if existing is None:
            by_id[doc_id] = by_hash[digest] = doc_id
            out[-1] = Stored(doc_id, 0)
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
    session.execute(update(models.Story).where(models.Story.id == story_id)
                    .values(changes=models.Story.changes + 1, rewrite_due=now, updated_at=now))

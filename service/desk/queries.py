"""What the API and the CLI read from the desk, each as its response object."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from . import models, records, store, views
from .changes import changes, version_since
from .desk import Added, Desk
from .schemas import (
    AddOut,
    CollectionOut,
    CollectionsOut,
    DeskDocumentOut,
    JobOut,
    StageOut,
    StoredDocumentOut,
    StoriesOut,
    StoryDetailOut,
)
from .views import collection_out, placements, stories_out


def collections(desk: Desk) -> CollectionsOut:
    with desk.sessions() as session:
        found = session.scalars(select(models.Collection).order_by(models.Collection.name)).all()
        return CollectionsOut(collections=[collection_out(c, *store.counts(session, c.id)) for c in found])


def collection(desk: Desk, name: str) -> CollectionOut:
    with desk.sessions() as session:
        found = store.collection(session, name)
        return collection_out(found, *store.counts(session, found.id))


def stories(desk: Desk, name: str, limit: int = views.PAGE, cursor: str | None = None) -> StoriesOut:
    with desk.sessions() as session:
        found = store.collection(session, name)
        rows, following = views.page(session, found.id, limit, cursor)
        return StoriesOut(collection=name, stories=stories_out(session, rows), next_cursor=following)


def story(desk: Desk, name: str, story_id: str, since: str | None = None) -> StoryDetailOut:
    with desk.sessions() as session:
        found = store.story(session, store.collection(session, name).id, story_id, name)
        out = StoryDetailOut(**stories_out(session, [found])[0].model_dump())
        if since is not None:
            out.changes = changes(session, desk.pipeline, found, version_since(session, found, since))
        return out


def document(desk: Desk, name: str, doc_id: str) -> StoredDocumentOut:
    with desk.sessions() as session:
        found = store.collection(session, name)
        row = store.document(session, found.id, doc_id, name)
        story_id, reason = placements(session, found.id, [doc_id])[doc_id]
        return StoredDocumentOut(id=row.doc_id, text=row.text, title=row.title, url=row.url,
                                 added_at=records.shown_time(row.added_at),
                                 story_id=story_id, reason=reason)


def added(desk: Desk, result: Added) -> AddOut:
    with desk.sessions() as session:
        found = store.collection(session, result.collection)
        rows = session.scalars(select(models.Story).where(models.Story.id.in_(result.stories))
                               .order_by(models.Story.number)).all()
        return AddOut(collection=result.collection,
                      documents=_documents(session, found.id, [(s.id, s.existing, s.status) for s in result.documents]),
                      stories=stories_out(session, list(rows)))


def job(desk: Desk, job_id: str) -> JobOut:
    with desk.sessions() as session:
        found = session.get(models.Job, job_id)
        if found is None:
            raise NotFound(f"job {job_id!r}: no such job (a job goes with its collection)", field="job")
        name = session.scalar(select(models.Collection.name).where(models.Collection.id == found.collection_id))
        return JobOut(id=found.id, collection=name or "", state=found.state, stage=found.stage,
                      progress={k: StageOut(**v) for k, v in found.progress.items()}, attempts=found.attempts,
                      created_at=records.shown_time(found.created_at),
                      finished_at=records.shown_time(found.finished_at), error=found.error,
                      documents=_documents(session, found.collection_id,
                                           [tuple(d) for d in (found.result or {}).get("documents", [])]))


def _documents(session: Session, collection_id: int, entries: list[tuple[str, str | None, str]]) -> list[DeskDocumentOut]:
    """Each document sent: (its id, the id it is stored under when it was not added, `Stored.status`)."""
    where = placements(session, collection_id, [existing or doc_id for doc_id, existing, _ in entries])
    out = []
    for doc_id, existing, status in entries:
        story_id, reason = where.get(existing or doc_id, (None, None))
        if status == "conflict":
            reason = (f"id {doc_id!r} is stored with other text, which is kept; the text sent was not stored "
                      f"(delete the stored document first to replace it)")
        out.append(DeskDocumentOut(id=doc_id, status=status, stored_as=existing,
                                   story_id=story_id, reason=reason))
    return out

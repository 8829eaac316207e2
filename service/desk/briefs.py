"""A story's brief, written again when its independent sources change, and kept as numbered versions.

Stages 4-6 run as for a request (`Pipeline.story_brief`), on the story's stored duplicate groups.
A rewrite is claimed before it runs: the story's due time moves `LEASE` ahead, so another
process (or a later look by this one) leaves it alone, and a process that dies mid-rewrite only
delays it. The version is stored only if the story's sources are still those it was written from
(`Story.changes`); a story that gained sources meanwhile stays due and is written again.

A story whose brief fails (a generation endpoint that refuses it, a fault in a stage) is due again
behind the others, up to `MAX_TRIES` tries; then its brief has failed, with the reason, until its
sources change. One story's fault never holds up the rest of its collection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, load_only, sessionmaker

from ..errors import Cancelled
from ..pipeline import Pipeline, Timer
from ..types import Article, DuplicateGroup, Story
from . import models, records
from .index import ARTICLE_COLUMNS

LEASE = timedelta(minutes=10)
MAX_TRIES = 3
log = logging.getLogger("service")


def due(session: Session, now: datetime, collection_id: int | None = None, limit: int = 100) -> list[tuple[int, int]]:
    """Stories whose brief is due, oldest first: (story, its `changes` when seen)."""
    query = select(models.Story.id, models.Story.changes).where(models.Story.rewrite_due <= now,
                                                                models.Story.state == "active")
    if collection_id is not None:
        query = query.where(models.Story.collection_id == collection_id)
    return [(story, changes) for story, changes in session.execute(query.order_by(models.Story.rewrite_due).limit(limit))]


def claim(session: Session, story_id: int, changes: int, now: datetime) -> bool:
    taken = session.execute(update(models.Story).where(models.Story.id == story_id, models.Story.changes == changes,
                                                       models.Story.rewrite_due <= now)
                            .values(rewrite_due=now + LEASE))
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def load_story(session: Session, story_id: int) -> tuple[Story, list[int]]:
    """The story as the pipeline's stages take it, every member whole (a copy that changed a number is
    compared like any other document); and its documents."""
    groups = session.scalars(select(models.Group).where(models.Group.story_id == story_id).order_by(models.Group.id)).all()
    members: dict[int, list[tuple[int, Article]]] = {g.id: [] for g in groups}
    for row in session.scalars(select(models.Document).where(models.Document.group_id.in_(list(members)))
                               .options(load_only(*ARTICLE_COLUMNS, models.Document.group_id))):
        assert row.group_id is not None
        members[row.group_id].append((row.id, records.article(row)))
    whole = {pk: article for group in members.values() for pk, article in group}
    built = tuple(DuplicateGroup(whole[g.representative_id], tuple(a for _, a in sorted(members[g.id], key=lambda m: m[1].index)),
                                 g.similarity) for g in groups if g.representative_id in whole)
    return Story(built, (None,) * len(built)), sorted(whole)


def rewrite(session_factory: sessionmaker[Session], pipeline: Pipeline, story_id: int, changes: int, now: datetime,
            cancel: threading.Event | None = None) -> bool:
    """Write the story's next brief version, if it is still due and unclaimed; return whether one was stored.
    A failure is recorded on the story (`failed`), never raised, unless the work was cancelled."""
    cancel = cancel or threading.Event()
    with session_factory.begin() as session:
        if not claim(session, story_id, changes, now):
            return False
    try:
        return _write(session_factory, pipeline, story_id, changes, cancel)
    except Exception as exc:
        if cancel.is_set() or isinstance(exc, Cancelled):
            raise  # stopped, not failed: the claim runs out and the story is written later
        failed(session_factory, story_id, changes, f"{type(exc).__name__}: {exc}")
        return False


def _write(session_factory: sessionmaker[Session], pipeline: Pipeline, story_id: int, changes: int,
           cancel: threading.Event) -> bool:
    with session_factory() as session:
        row = session.get(models.Story, story_id)
        assert row is not None
        collection = session.get(models.Collection, row.collection_id)
        assert collection is not None
        story, pks = load_story(session, story_id)
        number, settings = row.number, collection.settings
    if not story.groups:
        return False
    writer = pipeline.writer_for(settings["mode"])
    out = pipeline.story_brief(number, story, writer, settings["max_words"], Timer(cancel))
    brief = out.brief.model_dump(mode="json") | out.model_dump(mode="json", include={"facts", "disagreements"})
    sources = [group.model_dump(mode="json") for group in out.duplicate_groups]
    with session_factory.begin() as session:
        row = session.get(models.Story, story_id, with_for_update=True)
        if row is None or row.changes != changes or row.state != "active" or row.rewrite_due is None:
            return False  # its sources changed while it was written (it is due again), or another wrote it
        row.version += 1
        session.add(models.BriefVersion(story_id=story_id, version=row.version, created_at=records.utcnow(),
                                        brief=brief, sources=sources, document_pks=pks))
        row.brief, row.title, row.updated_at = brief, out.title, records.utcnow()
        row.brief_failures, row.brief_error = 0, None
        session.execute(update(models.Story).where(models.Story.id == story_id, models.Story.changes == changes)
                        .values(rewrite_due=None))
    return True


def failed(session_factory: sessionmaker[Session], story_id: int, changes: int, reason: str) -> None:
    """Count a failed try: the story is due again behind the others, or after `MAX_TRIES` its brief has failed.
    A story whose sources changed meanwhile is already due, with tries of its own."""
    with session_factory.begin() as session:
        row = session.get(models.Story, story_id, with_for_update=True)
        if row is None or row.changes != changes:
            return
        row.brief_failures += 1
        row.brief_error = reason
        row.rewrite_due = records.utcnow() if row.brief_failures < MAX_TRIES else None
        tries = row.brief_failures
    log.warning("story brief failed", extra={"fields": {"story": story_id, "try": tries, "of": MAX_TRIES,
                                                        "error": reason}})


def write_all_due(session_factory: sessionmaker[Session], pipeline: Pipeline, collection_id: int,
                  cancel: threading.Event, progress: Callable[[int, int], None]) -> None:
    """Write every brief due in the collection now, whatever is left of its debounce: the burst is over.
    A failed brief is tried again once the others are written, until it succeeds or has failed."""
    with session_factory.begin() as session:
        now = records.utcnow()
        session.execute(update(models.Story).where(models.Story.collection_id == collection_id,
                                                   models.Story.rewrite_due > now).values(rewrite_due=now))
    done = total = 0
    while True:
        with session_factory() as session:
            pending = due(session, records.utcnow(), collection_id, limit=10**9)
        if not pending:
            return
        total = max(total, done + len(pending))
        for story, changes in pending:
            if cancel.is_set():
                raise Cancelled("the service is stopping")
            rewrite(session_factory, pipeline, story, changes, records.utcnow(), cancel)
            done += 1
            progress(done, total)

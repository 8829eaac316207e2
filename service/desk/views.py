"""Stored stories as the API shows them, read for a whole page in a few queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ..errors import InvalidRequest
from ..schemas import BriefOut, DuplicateGroupOut, EffectiveSettings
from . import models, records
from .lineage import public_id
from .schemas import CollectionOut, DeskStoryOut, StoryEventOut

PAGE = 50
MOVED = ("merged_into", "split_into")


def stories_out(session: Session, stories: list[models.Story]) -> list[DeskStoryOut]:
    ids = [s.id for s in stories]
    groups = session.execute(select(models.Group.id, models.Group.story_id, models.Group.similarity,
                                    models.Group.representative_id).where(models.Group.story_id.in_(ids))
                             .order_by(models.Group.id)).all()
    members: defaultdict[int, list[tuple[int, int, str]]] = defaultdict(list)  # group -> (seq, pk, id)
    for pk, seq, doc_id, group in session.execute(select(models.Document.id, models.Document.seq, models.Document.doc_id,
                                                         models.Document.group_id)
                                                  .where(models.Document.group_id.in_([g.id for g in groups]))):
        assert group is not None  # selected by group
        members[group].append((seq, pk, doc_id))
    by_story: defaultdict[int, list[DuplicateGroupOut]] = defaultdict(list)
    documents: defaultdict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for group, story, similarity, rep in groups:
        assert story is not None  # selected by story
        documents[story] += members[group]
        names = [doc_id for _, _, doc_id in sorted(members[group])]
        representative = next((doc_id for _, pk, doc_id in members[group] if pk == rep), names[0] if names else "")
        by_story[story].append(DuplicateGroupOut(representative=representative, members=names, similarity=similarity))
    events: defaultdict[int, list[StoryEventOut]] = defaultdict(list)
    for event in session.scalars(select(models.StoryEvent).where(models.StoryEvent.story_id.in_(ids))
                                 .order_by(models.StoryEvent.id)):
        events[event.story_id].append(StoryEventOut(kind=event.kind, story_id=event.other,
                                                    at=records.shown_time(event.at), document_ids=event.document_ids))
    return [_story_out(s, by_story[s.id], [doc_id for _, _, doc_id in sorted(documents[s.id])], events[s.id])
            for s in stories]


def _story_out(story: models.Story, groups: list[DuplicateGroupOut], documents: list[str],
               history: list[StoryEventOut]) -> DeskStoryOut:
    moved = [] if story.state == "active" else list(dict.fromkeys(e.story_id for e in history if e.kind in MOVED))
    return DeskStoryOut(id=public_id(story.number), state=story.state, version=story.version,
                        created_at=records.shown_time(story.created_at), updated_at=records.shown_time(story.updated_at),
                        title=story.title, document_ids=documents, sources=len(groups), duplicate_groups=groups,
                        brief=BriefOut.model_validate(story.brief) if story.brief else None,
                        facts=(story.brief or {}).get("facts", []), disagreements=(story.brief or {}).get("disagreements", []),
                        brief_pending=story.rewrite_due is not None, brief_error=story.brief_error, moved_to=moved,
                        history=history)


def page(session: Session, collection_id: int, limit: int, cursor: str | None) -> tuple[list[models.Story], str | None]:
    """Active stories, most recently updated first, `limit` of them after `cursor`."""
    query = select(models.Story).where(models.Story.collection_id == collection_id, models.Story.state == "active")
    if cursor:
        try:
            at, _, number = cursor.partition("~")
            query = query.where(tuple_(models.Story.updated_at, models.Story.number) < (datetime.fromisoformat(at),
                                                                                        int(number)))
        except ValueError:
            raise InvalidRequest(f"cursor: {cursor!r} is not a cursor this service gave", field="cursor") from None
    found = list(session.scalars(query.order_by(models.Story.updated_at.desc(), models.Story.number.desc())
                                 .limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return found, f"{found[-1].updated_at.isoformat()}~{found[-1].number}" if more else None


def collection_out(collection: models.Collection, documents: int, stories: int) -> CollectionOut:
    return CollectionOut(name=collection.name, documents=documents, stories=stories,
                         created_at=records.shown_time(collection.created_at),
                         updated_at=records.shown_time(collection.updated_at),
                         settings=EffectiveSettings.model_validate(collection.settings))


def placements(session: Session, collection_id: int, doc_ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """Per stored document: its story's public id (or None) and why it was left out (or None)."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(doc_ids), 1000):
        rows = session.execute(select(models.Document.doc_id, models.Document.reason, models.Story.number)
                               .outerjoin(models.Group, models.Group.id == models.Document.group_id)
                               .outerjoin(models.Story, models.Story.id == models.Group.story_id)
                               .where(models.Document.collection_id == collection_id,
                                      models.Document.doc_id.in_(doc_ids[start:start + 1000])))
        found.update((doc_id, (public_id(number) if number else None, reason)) for doc_id, reason, number in rows)
    return found

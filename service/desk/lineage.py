"""Stable story ids across re-clustering, and the record of every merge and split.

The clusters found for a batch are matched to the stories they came from: each cluster takes the
id of the story that gave it most groups, largest overlaps first, each story at most once. A
story that keeps its id and lost groups to another has split; a story whose groups all went
elsewhere has merged (one destination) or split (several), and its id then points there. A story
whose independent sources changed is due for a new brief after `debounce` seconds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import models
from .index import CollectionIndex


def public_id(number: int) -> str:
    return f"story-{number}"


def assign(session: Session, collection: models.Collection, index: CollectionIndex, clusters: list[list[int]],
           now: datetime, debounce: float) -> set[int]:
    """Give each cluster of groups its story, record merges and splits; return the stories that changed."""
    before = {g: index.group_story.get(g) for cluster in clusters for g in cluster}
    overlap = Counter((n, earlier) for n, cluster in enumerate(clusters) for g in cluster
                      if (earlier := before[g]) is not None)
    stories = {s.id: s for s in session.scalars(select(models.Story).where(models.Story.id.in_(
        {s for s in before.values() if s is not None})))}
    target: dict[int, models.Story] = {}
    for (n, before_id), _ in sorted(overlap.items(), key=lambda item: (-item[1], stories[item[0][1]].number)):
        if n not in target and stories[before_id] not in target.values():
            target[n] = stories[before_id]
    for n in range(len(clusters)):
        if n not in target:
            target[n] = models.Story(collection_id=collection.id, number=collection.next_story, state="active",
                                     created_at=now, updated_at=now, version=0, changes=0)
            collection.next_story += 1
            session.add(target[n])
    session.flush()
    moved: dict[tuple[int, int], list[int]] = defaultdict(list)  # (from story, to story) -> groups
    changed = set()
    for n, cluster in enumerate(clusters):
        story = target[n]
        arrived = [group for group in cluster if before[group] != story.id]
        for group in arrived:
            if (source := before[group]) is not None:
                moved[(source, story.id)].append(group)
            changed.add(story.id)
            index.group_story[group] = story.id
        if arrived:
            session.execute(update(models.Group).where(models.Group.id.in_(arrived)).values(story_id=story.id))
    kept = {story.id for story in target.values()}
    for (source, _), _ in moved.items():
        changed.add(source)
    _record(session, moved, kept, {**stories, **{s.id: s for s in target.values()}}, now)
    for story_id in changed:
        row = session.get(models.Story, story_id)
        assert row is not None
        row.updated_at = now
        if row.id in kept:
            row.changes += 1
            row.rewrite_due = now + timedelta(seconds=debounce)
            row.brief_failures, row.brief_error = 0, None  # new sources: a brief of them gets its own tries
        else:
            row.rewrite_due = None
    return changed


def _record(session: Session, moved: dict[tuple[int, int], list[int]], kept: set[int],
            stories: dict[int, models.Story], now: datetime) -> None:
    destinations = Counter(source for source, _ in moved)
    for (source, destination), groups in sorted(moved.items()):
        merged = source not in kept and destinations[source] == 1
        documents = sorted(session.scalars(select(models.Document.doc_id).where(models.Document.group_id.in_(groups))))
        session.add(models.StoryEvent(story_id=source, kind="merged_into" if merged else "split_into", at=now,
                                      other=public_id(stories[destination].number), document_ids=documents))
        session.add(models.StoryEvent(story_id=destination, kind="merged_from" if merged else "split_from", at=now,
                                      other=public_id(stories[source].number), document_ids=documents))
        if source not in kept:
            stories[source].state = "merged" if merged else "split"

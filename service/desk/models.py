"""The desk's tables. Everything derived from a document hangs off it or off its collection by a
foreign key with ON DELETE CASCADE, so deleting either removes what was derived from it.

A document keeps what stages 1-2 computed (sentences, shingle fingerprint, MinHash signature,
document vector), so a restart reads them back instead of computing them again. Duplicate groups
and stories are rows; the same-event scores of every candidate pair of groups (`links`) are kept,
since the average linkage of a later batch averages over them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime()}  # naive UTC everywhere


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    revision: Mapped[int] = mapped_column(Integer, default=0)  # bumped by every change to its documents or stories
    next_seq: Mapped[int] = mapped_column(Integer, default=1)
    next_story: Mapped[int] = mapped_column(Integer, default=1)
    settings: Mapped[dict[str, Any]]  # thresholds, words and writer, fixed when the collection is created


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # queued, running, done, failed
    stage: Mapped[str] = mapped_column(String(32))
    progress: Mapped[dict[str, Any]]  # stage -> {"done", "total"}
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(64))
    heartbeat_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("collection_id", "doc_id"), UniqueConstraint("collection_id", "content_hash"),
                      UniqueConstraint("collection_id", "seq"), Index("documents_pending", "collection_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    doc_id: Mapped[str] = mapped_column(String(200))
    seq: Mapped[int] = mapped_column(Integer)  # order of arrival in the collection: the document's index in stages 2-6
    content_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # pending (stored, not yet grouped), placed
    added_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[datetime | None]
    # what stage 1 read, and stage 2's fingerprints, once placed
    language: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)  # why it takes no part in a story
    is_html: Mapped[bool] = mapped_column(Boolean, default=False)
    meta: Mapped[dict[str, Any] | None]
    sentences: Mapped[list[Any] | None]
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)  # set when indexed for the copy check
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("duplicate_groups.id", ondelete="SET NULL", use_alter=True),
                                                 index=True)


class Group(Base):
    __tablename__ = "duplicate_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    similarity: Mapped[float] = mapped_column(Float)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)


class Link(Base):
    __tablename__ = "links"

    first_group: Mapped[int] = mapped_column(ForeignKey("duplicate_groups.id", ondelete="CASCADE"), primary_key=True)
    second_group: Mapped[int] = mapped_column(ForeignKey("duplicate_groups.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)
    score: Mapped[float] = mapped_column(Float)


class Story(Base):
    __tablename__ = "stories"
    __table_args__ = (UniqueConstraint("collection_id", "number"), Index("stories_listed", "collection_id", "state",
                                                                         "updated_at", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # the public id is `story-<number>`, never reused in the collection
    state: Mapped[str] = mapped_column(String(16))  # active, merged, split, deleted
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=0)  # latest brief version; 0 before the first
    rewrite_due: Mapped[datetime | None] = mapped_column(index=True)  # when its brief is to be written again
    changes: Mapped[int] = mapped_column(Integer, default=0)  # bumped when its sources change: a brief of older ones is stale
    title: Mapped[str | None] = mapped_column(Text)
    brief: Mapped[dict[str, Any] | None]  # the latest version's brief, for listing without a join
    brief_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # failed tries in a row, for these sources
    brief_error: Mapped[str | None] = mapped_column(Text)  # why the last of them failed


class StoryEvent(Base):
    """A merge or a split: which stories the documents of `story_id` went to."""

    __tablename__ = "story_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # merged_into, split_into, merged_from, split_from
    at: Mapped[datetime]
    other: Mapped[str] = mapped_column(String(32))  # the other story's public id
    document_ids: Mapped[list[Any]]  # the documents that moved


class BriefVersion(Base):
    __tablename__ = "brief_versions"
    __table_args__ = (UniqueConstraint("story_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    brief: Mapped[dict[str, Any]]
    sources: Mapped[list[Any]]  # the duplicate groups it was written from: [{"representative", "members"}]
    document_pks: Mapped[list[Any]]  # every document it rests on: deleting one of them deletes this version

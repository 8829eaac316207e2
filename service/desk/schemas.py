"""The desk's JSON contract: collections, their stories with versions and changes, and jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ..schemas import (
    BriefOut,
    CitationOut,
    DisagreementOut,
    DuplicateGroupOut,
    EffectiveSettings,
    FactOut,
    SentenceOut,
)

StoryState = Literal["active", "merged", "split", "deleted"]


class StoryEventOut(BaseModel):
    kind: Literal["merged_into", "split_into", "merged_from", "split_from"] = Field(
        description="merged_into / split_into: documents of this story went to `story_id`; merged_from / split_from: "
                    "documents of `story_id` came to this story.")
    story_id: str
    at: datetime
    document_ids: list[str] = Field(description="The documents that moved.")


class DeskStoryOut(BaseModel):
    id: str = Field(description="Stable: the story keeps it as it grows. A story merged or split away keeps it too, "
                                "with `state` and `moved_to` saying where its documents went.")
    state: StoryState
    version: int = Field(description="Version of `brief`; 0 before the first brief is written.")
    created_at: datetime
    updated_at: datetime
    title: str | None
    document_ids: list[str]
    sources: int = Field(description="Independent sources: duplicate groups.")
    duplicate_groups: list[DuplicateGroupOut]
    brief: BriefOut | None
    facts: list[FactOut] = Field(description="Key values the story's sources agree on, as of `brief`.")
    disagreements: list[DisagreementOut] = Field(description="Where the sources disagree, as of `brief`.")
    brief_pending: bool = Field(description="True while a new brief is due: the story's sources changed since `brief`.")
    brief_error: str | None = Field(description="Why the last try to write its brief failed; null once one succeeds. "
                                                "After 3 failed tries the brief has failed: `brief_pending` turns false "
                                                "until the story's sources change.")
    moved_to: list[str] = Field(description="For a merged or split story: the stories its documents went to.")
    history: list[StoryEventOut] = Field(description="Merges and splits this story took part in, oldest first.")


class FactsOut(BaseModel):
    numbers: list[str]
    dates: list[str]
    names: list[str]


class ContradictionOut(BaseModel):
    sentence: SentenceOut = Field(description="A sentence of the earlier brief.")
    contradicted_by: list[CitationOut] = Field(description="Sentences of the new sources that state other figures "
                                                           "for the same claim.")


class ChangesOut(BaseModel):
    since_version: int
    since: datetime | None = Field(description="When that version was written (null for version 0: before any brief).")
    new_sources: list[DuplicateGroupOut] = Field(description="Independent sources the story gained since then.")
    new_sentences: list[SentenceOut] = Field(description="Sentences of the current brief that the earlier one lacks.")
    new_facts: FactsOut = Field(description="Numbers, dates and names the new sentences state that the earlier brief "
                                            "did not.")
    contradicted: list[ContradictionOut]


class StoryDetailOut(DeskStoryOut):
    changes: ChangesOut | None = Field(None, description="Present when `since` was given.")


class StoriesOut(BaseModel):
    collection: str
    stories: list[DeskStoryOut] = Field(description="Active stories, most recently updated first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class DeskDocumentOut(BaseModel):
    id: str
    status: Literal["added", "already_stored", "conflict"] = Field(
        description="added; already_stored: its text (words, lower-cased) is stored, under its id or `stored_as`; "
                    "conflict: its id is stored with other text, which is kept, and nothing was stored.")
    stored_as: str | None = Field(None, description="For a document not added: the id of the stored document.")
    story_id: str | None = None
    reason: str | None = Field(None, description="Why an added document takes no part in any story; for a conflict, "
                                                 "why nothing was stored.")


class StoredDocumentOut(BaseModel):
    id: str
    text: str = Field(description="The text as sent: citations are offsets into it.")
    title: str | None
    url: str | None
    added_at: datetime
    story_id: str | None
    reason: str | None = Field(description="Why it takes no part in any story.")


class AddOut(BaseModel):
    collection: str
    documents: list[DeskDocumentOut] = Field(description="Every document sent, in order.")
    stories: list[DeskStoryOut] = Field(description="The stories this batch changed.")


class StageOut(BaseModel):
    done: int
    total: int


class JobOut(BaseModel):
    id: str
    collection: str
    state: Literal["queued", "running", "done", "failed"]
    stage: str = Field(description="stored, read, grouped (near-duplicates and stories), briefs, or finished.")
    progress: dict[str, StageOut]
    attempts: int = Field(description="Runs started: more than one when the job was resumed after a crash.")
    created_at: datetime
    finished_at: datetime | None
    error: str | None
    documents: list[DeskDocumentOut] = Field(description="Every document sent, in order (what a small batch answers).")


class CollectionOut(BaseModel):
    name: str
    documents: int
    stories: int = Field(description="Active stories.")
    created_at: datetime
    updated_at: datetime
    settings: EffectiveSettings


class CollectionsOut(BaseModel):
    collections: list[CollectionOut]
